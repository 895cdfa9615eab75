package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
)

// runner is the testing.TB internal/regtest's helpers take, for a program:
// Fatalf stops the run (a panic the run's top recovers), Cleanup stacks
// functions that finish runs in reverse order, TempDir makes directories
// under the run's own temporary directory (removed at the end), and Logf
// writes to the log. It is used from the main goroutine only, as
// internal/regtest asks of a test; Fatalf from another goroutine is a bug.
//
// Embedding testing.TB (nil) gives the interface's unexported method; a
// method of TB that internal/regtest does not call panics.
type runner struct {
	testing.TB

	root string // parent of every TempDir
	log  io.Writer

	mu       sync.Mutex
	cleanups []func()
	failed   bool
	dirs     int
}

// fatal is the panic value of runner.Fatalf.
type fatal struct{ msg string }

// newRunner returns a runner whose temporary directories go under root.
func newRunner(root string, log io.Writer) *runner {
	return &runner{root: root, log: log}
}

// Helper implements testing.TB.
func (r *runner) Helper() {}

// Name implements testing.TB.
func (r *runner) Name() string { return "benchpay" }

// Logf implements testing.TB.
func (r *runner) Logf(format string, args ...any) {
	fmt.Fprintf(r.log, format+"\n", args...)
}

// Errorf implements testing.TB: logged, and the run is marked failed.
func (r *runner) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	r.Logf(format, args...)
}

// Fatalf implements testing.TB: the run stops.
func (r *runner) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.failed = true
	r.mu.Unlock()
	panic(fatal{msg: fmt.Sprintf(format, args...)})
}

// Failed implements testing.TB.
func (r *runner) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// Cleanup implements testing.TB.
func (r *runner) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// TempDir implements testing.TB: a new directory under root.
func (r *runner) TempDir() string {
	r.mu.Lock()
	r.dirs++
	n := r.dirs
	r.mu.Unlock()
	dir, err := os.MkdirTemp(r.root, fmt.Sprintf("%03d-", n))
	if err != nil {
		r.Fatalf("benchpay: temporary directory: %v", err)
	}
	return dir
}

// finish runs the cleanups, last registered first; a cleanup's Fatalf
// is logged and the next cleanup runs.
func (r *runner) finish() {
	for {
		r.mu.Lock()
		if len(r.cleanups) == 0 {
			r.mu.Unlock()
			return
		}
		f := r.cleanups[len(r.cleanups)-1]
		r.cleanups = r.cleanups[:len(r.cleanups)-1]
		r.mu.Unlock()
		r.runCleanup(f)
	}
}

// runCleanup runs f, turning its Fatalf into a log line.
func (r *runner) runCleanup(f func()) {
	defer func() {
		if v := recover(); v != nil {
			if ft, ok := v.(fatal); ok {
				r.Logf("benchpay: cleanup: %s", ft.msg)
				return
			}
			panic(v)
		}
	}()
	f()
}

// do runs body, turning its Fatalf into an error.
func (r *runner) do(body func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			ft, ok := v.(fatal)
			if !ok {
				panic(v)
			}
			err = fmt.Errorf("%s", ft.msg)
		}
	}()
	return body()
}
