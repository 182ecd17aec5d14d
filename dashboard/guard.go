package dashboard

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// tokenHeader is the header that carries the token of mutating requests.
const tokenHeader = "X-Overseer-Token"

// mutating wraps the handler of a mutating request: without the token it
// answers 403 and fn is not called. The token is compared in constant
// time.
func (h *Handler) mutating(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get(tokenHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(h.token)) != 1 {
			h.logger.Warn("dashboard: request refused: no valid token", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
			writeError(w, http.StatusForbidden, "dashboard: missing or wrong "+tokenHeader+" header")
			return
		}
		fn(w, r)
	}
}

// isLoopbackHost reports whether host, the Host header of a request, names
// the loopback interface: localhost, an address in 127.0.0.0/8 or ::1
// (also as ::ffff:127.x.y.z), each with or without a port, IPv6 addresses
// in brackets. A trailing dot is allowed ("localhost.").
func isLoopbackHost(host string) bool {
	if host == "" {
		return false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	host = strings.TrimSuffix(host, ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if strings.Contains(host, "%") {
		return false // a zone: not a name a browser sends
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}
