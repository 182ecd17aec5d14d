package dashboard

import (
	"bytes"
	"embed"
	"html"
	"net/http"
)

// web holds the page: index.html, app.js and style.css, served as they are
// (no build step).
//
//go:embed web/index.html web/app.js web/style.css
var web embed.FS

// tokenPlaceholder is replaced in index.html by the token, or by nothing.
const tokenPlaceholder = "{{TOKEN}}"

// contentSecurityPolicy lets the page load its own script and style and
// talk to its own origin, and nothing else; no one may frame it.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// page is the embedded page, read once by New.
type page struct {
	files map[string][]byte
	err   error // why a file could not be read; every request then gets 500
}

func loadPage() page {
	p := page{files: make(map[string][]byte)}
	for _, name := range []string{"index.html", "app.js", "style.css"} {
		b, err := web.ReadFile("web/" + name)
		if err != nil {
			p.err = err
			return p
		}
		p.files[name] = b
	}
	return p
}

// asset serves the embedded file name, of type contentType.
func (p page) asset(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p.err != nil {
			writeError(w, http.StatusInternalServerError, "dashboard: the page is missing: "+p.err.Error())
			return
		}
		header := w.Header()
		header.Set("Content-Type", contentType)
		header.Set("Cache-Control", "no-cache")
		header.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(p.files[name])
	}
}

// serveIndex serves the page, with the token in it when the request has
// passed the Host check (WithLoopbackOnly): a page of another site that
// got the browser to load the dashboard under its own name (DNS rebinding)
// never sees it.
func (h *Handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	if h.page.err != nil {
		writeError(w, http.StatusInternalServerError, "dashboard: the page is missing: "+h.page.err.Error())
		return
	}
	token := ""
	if h.loopbackOnly && isLoopbackHost(r.Host) {
		token = h.token
	}
	body := bytes.Replace(h.page.files["index.html"], []byte(tokenPlaceholder), []byte(html.EscapeString(token)), 1)
	header := w.Header()
	header.Set("Content-Type", "text/html; charset=utf-8")
	header.Set("Cache-Control", "no-store") // it may hold the token
	header.Set("Content-Security-Policy", contentSecurityPolicy)
	header.Set("X-Content-Type-Options", "nosniff")
	header.Set("X-Frame-Options", "DENY")
	header.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(body)
}
