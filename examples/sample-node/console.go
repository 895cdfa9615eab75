package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxLineBytes bounds one command line.
const maxLineBytes = 1 << 20

// console reads commands line by line and prints their results.
type console struct {
	node   commander
	in     io.Reader
	out    printer
	prompt bool // print "> " before each command (interactive use)
}

// isTerminal reports whether r looks like an interactive terminal: a
// character device other than the null device (not a pipe or a file).
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(info, null)
}

// inputLine is one line of input, or the error that ended the input.
type inputLine struct {
	text string
	err  error
}

// run executes commands until quit, the end of the input, or ctx is done.
// The goroutine reading the input may stay blocked in Read after run
// returns because ctx was done; it exits at the next line or at the end of
// the input.
func (c *console) run(ctx context.Context) {
	lines := make(chan inputLine)
	done := make(chan struct{})
	defer close(done)
	go c.readLines(lines, done)
	for {
		if c.prompt {
			fmt.Fprint(c.out.w, "> ")
		}
		var in inputLine
		select {
		case <-ctx.Done():
			return
		case l, ok := <-lines:
			if !ok {
				return
			}
			in = l
		}
		if in.err != nil {
			c.out.error(fmt.Errorf("sample-node: reading commands: %w", in.err))
			return
		}
		r, err := execute(ctx, c.node, in.text)
		if errors.Is(err, errQuit) {
			c.out.result(r)
			return
		}
		switch {
		case err != nil:
			c.out.error(err)
		case r != nil:
			c.out.result(r)
		}
	}
}

// readLines sends each input line to lines, then the read error if any,
// and closes lines at the end of the input or when done is closed.
func (c *console) readLines(lines chan<- inputLine, done <-chan struct{}) {
	defer close(lines)
	sc := bufio.NewScanner(c.in)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	for sc.Scan() {
		select {
		case lines <- inputLine{text: sc.Text()}:
		case <-done:
			return
		}
	}
	if err := sc.Err(); err != nil {
		select {
		case lines <- inputLine{err: err}:
		case <-done:
		}
	}
}
