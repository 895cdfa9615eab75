package main

import (
	"fmt"
	"net"

	"github.com/lnkit/lnkit/internal/regtest"
)

// daemon is a program the demo started, stopped by its PID; its output
// goes to a log file.
type daemon = regtest.Process

// freePort returns "127.0.0.1:<port>" for a port that was free a moment ago
// (the kernel picked it for a listener closed right away).
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo: find a free port: %w", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr, nil
}
