package main

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// livenessOp runs the operations that the liveness tests probe:
//
//	httphealth:ADDR:N
//	              serve HTTP on ADDR (host:port), answering 200 to the
//	              first N requests and 500 to the others; print "serving"
//	              once listening, and serve until killed
//	tcpaccept:ADDR
//	              listen on ADDR, print "listening", and accept and close
//	              every connection until killed
func livenessOp(name, arg string) error {
	switch name {
	case "httphealth":
		i := strings.LastIndexByte(arg, ':')
		if i < 0 {
			return fmt.Errorf("want ADDR:N")
		}
		addr, n := arg[:i], arg[i+1:]
		healthy, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		var served atomic.Int64
		fmt.Println("serving")
		return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if served.Add(1) > healthy {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}))
	case "tcpaccept":
		ln, err := net.Listen("tcp", arg)
		if err != nil {
			return err
		}
		fmt.Println("listening")
		for {
			conn, err := ln.Accept()
			if err != nil {
				return err
			}
			if err := conn.Close(); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("unknown operation")
}
