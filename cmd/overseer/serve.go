//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/overseer-go/overseer"
	"github.com/overseer-go/overseer/dashboard"
	"github.com/overseer-go/overseer/metrics"
)

// server serves the dashboard at / and the metrics at /metrics.
type server struct {
	url      string
	loopback bool
	fellBack bool // the address asked for was busy: a free port was taken
	dash     *dashboard.Handler
	http     *http.Server
	served   chan error
}

// serve listens on addr and serves o's dashboard and metrics until close.
// With fallback set (addr is the default, not asked for), a busy port gives
// way to a free one on the same host.
func serve(o *overseer.Overseer, addr string, fallback bool, logger *slog.Logger, errlog io.Writer) (*server, error) {
	ln, err := net.Listen("tcp", addr)
	fellBack := false
	if err != nil && fallback && errors.Is(err, syscall.EADDRINUSE) {
		host, _, _ := net.SplitHostPort(addr)
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
		fellBack = true
	}
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w (-http ADDR for another address, -http \"\" for none)", err)
	}
	conns := connLimit()
	opts := []dashboard.Option{dashboard.WithLogger(logger), dashboard.WithMaxStreams(min(64, conns/4))}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	loopback := ok && tcp.IP.IsLoopback()
	if loopback {
		opts = append(opts, dashboard.WithLoopbackOnly())
	}
	dash := dashboard.New(o, opts...)
	reg := prometheus.NewRegistry()
	if err := reg.Register(metrics.New(o)); err != nil {
		dash.Close()
		_ = ln.Close()
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", dash.Guard(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	mux.Handle("/", dash)
	s := &server{
		url:      "http://" + ln.Addr().String(),
		loopback: loopback,
		fellBack: fellBack,
		dash:     dash,
		http:     newHTTPServer(mux),
		served:   make(chan error, 1),
	}
	limited := limitListen(ln, conns)
	go func() {
		err := s.http.Serve(limited)
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(errlog, "overseer: dashboard:", err)
		}
		s.served <- err
	}()
	return s, nil
}

// The dashboard server's bounds on a client. Event streams and long answers
// set a write deadline of their own before each write (package dashboard).
const (
	readHeaderTimeout = 10 * time.Second // to send the request's head
	readTimeout       = 30 * time.Second // to send the whole request
	writeTimeout      = 30 * time.Second // to take an answer that sets no deadline of its own
	idleTimeout       = 60 * time.Second // between requests on a connection kept alive
	maxHeaderBytes    = 64 << 10
)

// newHTTPServer returns the dashboard's server of handler: no client may
// hold a connection, or what the server gathers for it, longer than these
// bounds allow, idle or not reading (together with limitListen's cap on
// connections).
func newHTTPServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}

// portOf returns the port of addr ("8080" of "127.0.0.1:8080"), or addr.
func portOf(addr string) string {
	if _, port, err := net.SplitHostPort(addr); err == nil {
		return port
	}
	return addr
}

// close ends the event streams, then the server, waiting up to a few
// seconds for requests in flight.
func (s *server) close() {
	s.dash.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = s.http.Shutdown(ctx)
	<-s.served
}

// pageURL is the address to open the dashboard at. On loopback the page is
// given the token; elsewhere it reads it from the part of the address after
// "#", which the browser never sends.
func (s *server) pageURL() string {
	if s.loopback {
		return s.url + "/"
	}
	return s.url + "/#token=" + s.dash.Token()
}
