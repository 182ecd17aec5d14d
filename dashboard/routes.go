package dashboard

import (
	"net/http"
	"slices"
	"strings"
)

// routes returns the mux of the Handler. Each path is registered once per
// method it takes, and once without a method, for the 405 answer in JSON
// (ServeMux's own is text).
func (h *Handler) routes() *http.ServeMux {
	mux := http.NewServeMux()
	route := func(path string, methods map[string]http.HandlerFunc) {
		allow := make([]string, 0, len(methods))
		for method, fn := range methods {
			mux.HandleFunc(method+" "+path, fn)
			allow = append(allow, method)
			if method == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
		slices.Sort(allow)
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, "dashboard: method "+r.Method+" not allowed (allowed: "+strings.Join(allow, ", ")+")")
		})
	}
	get := func(fn http.HandlerFunc) map[string]http.HandlerFunc {
		return map[string]http.HandlerFunc{http.MethodGet: fn}
	}
	post := func(fn http.HandlerFunc) map[string]http.HandlerFunc {
		return map[string]http.HandlerFunc{http.MethodPost: h.mutating(fn)}
	}

	route("/api/processes", get(h.serveList))
	route("/api/processes/{id}", get(h.serveProcess))
	route("/api/processes/{id}/logs", get(h.serveLogs))
	route("/api/processes/{id}/usage", get(h.serveUsage))
	route("/api/processes/{id}/logs.txt", get(h.serveLogsText))
	route("/api/processes/{id}/start", post(h.action("start", h.o.Start)))
	route("/api/processes/{id}/stop", post(h.action("stop", h.o.Stop)))
	route("/api/processes/{id}/restart", post(h.action("restart", h.o.Restart)))
	route("/api/processes/{id}/signal", post(h.serveSignal))
	route("/api/logs", get(h.serveAllLogs))
	route("/api/usage", get(h.serveAllUsage))
	route("/api/events", get(h.serveEvents))

	route("/{$}", get(h.serveIndex))
	route("/app.js", get(h.page.asset("app.js", "text/javascript; charset=utf-8")))
	route("/style.css", get(h.page.asset("style.css", "text/css; charset=utf-8")))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "dashboard: no such path: "+quote(r.URL.Path))
	})
	return mux
}
