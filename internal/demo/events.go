package main

import (
	"bufio"
	"io"
	"strings"
	"sync"
)

// eventPrefix starts the sample node's notices on its standard error.
const eventPrefix = "EVENT: "

// eventLog keeps the EVENT lines a sample node printed, for the story to
// wait for and show.
type eventLog struct {
	mu    sync.Mutex
	lines []string // without the prefix
	shown int      // lines[:shown] were printed already
}

// copy writes everything r yields to w and keeps its EVENT lines, until r
// ends.
func (l *eventLog) copy(w io.Writer, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		_, _ = io.WriteString(w, line+"\n")
		if ev, ok := strings.CutPrefix(line, eventPrefix); ok {
			l.mu.Lock()
			l.lines = append(l.lines, ev)
			l.mu.Unlock()
		}
	}
	_, _ = io.Copy(w, r) // a line over 1 MiB: keep the rest in the log
}

// matching returns the EVENT lines containing every one of parts.
func (l *eventLog) matching(parts ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range l.lines {
		if containsAll(line, parts) {
			out = append(out, line)
		}
	}
	return out
}

// unshown returns the EVENT lines not returned by unshown before.
func (l *eventLog) unshown() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines[l.shown:]
	l.shown = len(l.lines)
	return out
}

// containsAll reports whether s contains each of parts.
func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
