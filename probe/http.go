package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/overseer-go/overseer"
)

// HTTP is a probe that passes when a GET of URL answers 2xx. Any other
// status is a failed try, redirects (3xx) included: the probe checks the
// process at URL, not whatever it points to. It is an overseer.Probe
// (Ready) and an overseer.Checker (Check, one try, for Cmd.Liveness).
type HTTP struct {
	URL     string        // http:// or https://
	Period  time.Duration // between tries of Ready; zero means 200ms (Liveness has its own)
	Timeout time.Duration // of one try of Ready; zero means 1s (Liveness has its own)
	// Client makes the requests. Nil means a client of the probe's own for
	// each run (for each try of Check), that keeps no connection between
	// tries (so no try reaches an earlier run through a kept-alive
	// connection), uses no proxy, verifies TLS certificates as
	// http.DefaultTransport does, and does not follow redirects. A Client
	// given here is used as it is: if it follows redirects, the status
	// that counts is the last one.
	Client *http.Client

	tried func(error) // test hook: the result of every try
}

// maxDrain bounds the bytes of a response body read before closing it.
const maxDrain = 64 << 10

// Ready implements overseer.Probe. It does not use run, which may be nil.
func (p *HTTP) Ready(ctx context.Context, run *overseer.ProbeRun) error {
	u, err := parseURL(p.URL)
	if err != nil {
		return invalid("http: URL %q: %v", p.URL, err)
	}
	what := "http " + u.Redacted()
	s, err := newSchedule(what, p.Period, p.Timeout)
	if err != nil {
		return err
	}
	try, done := p.try(u, s.timeout)
	defer done()
	return poll(ctx, what, s, try, p.tried)
}

// Check implements overseer.Checker: one GET, bounded by ctx. It does not
// use run, which may be nil.
func (p *HTTP) Check(ctx context.Context, run *overseer.ProbeRun) error {
	u, err := parseURL(p.URL)
	if err != nil {
		return invalid("http: URL %q: %v", p.URL, err)
	}
	try, done := p.try(u, 0) // ctx bounds the handshake too
	defer done()
	return check(ctx, "http "+u.Redacted(), try)
}

// try returns one try of the probe at u, and what to call once done with
// it. tlsTimeout bounds a TLS handshake (zero: only the try's context).
func (p *HTTP) try(u *url.URL, tlsTimeout time.Duration) (func(context.Context) error, func()) {
	client, done := p.Client, func() {}
	if client == nil {
		tr := &http.Transport{
			DisableKeepAlives: true,
			// A try is bounded by its context; this bounds a server that
			// accepts and never answers the TLS handshake as well.
			TLSHandshakeTimeout: tlsTimeout,
		}
		done = tr.CloseIdleConnections
		client = &http.Client{
			Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	target := u.String()
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain)) // what is left unread is closed below
		_ = resp.Body.Close()                                           // a body read is done with either way
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode >= 300 && resp.StatusCode <= 399 {
				return fmt.Errorf("status %s (to %s; redirects are not followed)", resp.Status, loc)
			}
			return fmt.Errorf("status %s", resp.Status)
		}
		return nil
	}, done
}

// ProbeAddr returns the host:port of URL, with the scheme's port (80 or
// 443) when URL names none, so that the Overseer can refuse a probe aimed
// at the Cmd's own Listeners. It returns "" for a URL Ready refuses.
func (p *HTTP) ProbeAddr() string {
	u, err := parseURL(p.URL)
	if err != nil {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// parseURL parses s and checks that it is an http or https URL with a host.
func parseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("no host")
	}
	return u, nil
}
