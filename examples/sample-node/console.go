package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxLineBytes bounds one command line: a longer line is refused (with an
// error) and the console goes on with the next one.
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
	text    string
	tooLong bool // the line was longer than maxLineBytes; text is empty
	err     error
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
		if in.tooLong {
			c.out.error(fmt.Errorf("sample-node: input line longer than %d bytes refused", maxLineBytes))
			continue
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
	send := func(l inputLine) bool {
		select {
		case lines <- l:
			return true
		case <-done:
			return false
		}
	}
	r := bufio.NewReaderSize(c.in, 64<<10)
	for {
		text, tooLong, err := readLine(r, maxLineBytes)
		if (err == nil || text != "" || tooLong) && !send(inputLine{text: text, tooLong: tooLong}) {
			return
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				send(inputLine{err: err})
			}
			return
		}
	}
}

// readLine reads one line without its line ending. A line longer than max
// bytes is read to its end and dropped: tooLong reports it. err is the read
// error that ended the line early (io.EOF for a last line without newline).
func readLine(r *bufio.Reader, max int) (text string, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			buf = append(buf, chunk...)
			if len(bytes.TrimRight(buf, "\r\n")) > max {
				tooLong, buf = true, nil
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return string(bytes.TrimRight(buf, "\r\n")), tooLong, err
	}
}
