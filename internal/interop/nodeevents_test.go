package interop

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// eventWaitTimeout bounds a wait for EVENT lines of payments.
const eventWaitTimeout = 90 * time.Second

// nodeEvent is one "EVENT: <kind> key=value ..." line of the sample node.
type nodeEvent struct {
	Kind   string
	Fields map[string]string
}

// parseEvent parses an EVENT line. A token without "=" continues the
// previous value (a reason of several words).
func parseEvent(line string) (nodeEvent, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "EVENT: ")
	if !ok {
		return nodeEvent{}, false
	}
	toks := strings.Fields(rest)
	if len(toks) == 0 {
		return nodeEvent{}, false
	}
	e := nodeEvent{Kind: toks[0], Fields: map[string]string{}}
	last := ""
	for _, tok := range toks[1:] {
		k, v, ok := strings.Cut(tok, "=")
		if !ok || k == "" {
			if last != "" {
				e.Fields[last] += " " + tok
			}
			continue
		}
		e.Fields[k], last = v, k
	}
	return e, true
}

// events returns every EVENT line the node printed so far, parsed once.
func (s *sampleProc) events() []nodeEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	text := s.stderr.String()
	for {
		i := strings.IndexByte(text[s.evOff:], '\n')
		if i < 0 {
			break
		}
		if e, ok := parseEvent(text[s.evOff : s.evOff+i]); ok {
			s.evs = append(s.evs, e)
		}
		s.evOff += i + 1
	}
	return s.evs[:len(s.evs):len(s.evs)]
}

// eventsBy returns, for each value of want, the last event of one of
// kinds whose field key has that value.
func (s *sampleProc) eventsBy(key string, want []string, kinds ...string) map[string]nodeEvent {
	wanted := make(map[string]bool, len(want))
	for _, w := range want {
		wanted[w] = true
	}
	got := make(map[string]nodeEvent)
	for _, e := range s.events() {
		if v := e.Fields[key]; wanted[v] && slices.Contains(kinds, e.Kind) {
			got[v] = e
		}
	}
	return got
}

// waitEventsBy waits until eventsBy has an event for every value of want
// and returns them.
func (s *sampleProc) waitEventsBy(key string, want []string, kinds ...string) map[string]nodeEvent {
	s.t.Helper()
	deadline := time.Now().Add(eventWaitTimeout)
	for {
		got := s.eventsBy(key, want, kinds...)
		if len(got) == len(uniq(want)) {
			return got
		}
		if time.Now().After(deadline) {
			var missing []string
			for _, w := range want {
				if _, ok := got[w]; !ok {
					missing = append(missing, w)
				}
			}
			s.t.Fatalf("%s: after %s no %v event for %s=%s (%d of %d missing); stderr tail:\n%s",
				s.name, eventWaitTimeout, kinds, key, missing[0], len(missing), len(want), tail(s.stderrText(), 10))
		}
		s.waitPrinted(200 * time.Millisecond)
	}
}

// waitPrinted returns when the node printed something on standard error,
// or after d.
func (s *sampleProc) waitPrinted(d time.Duration) {
	select {
	case <-s.printed:
	case <-time.After(d):
	}
}

// uniq returns the distinct values of v.
func uniq(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return slices.Compact(out)
}

// String formats the event as the node printed it, for messages.
func (e nodeEvent) String() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(e.Kind)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, e.Fields[k])
	}
	return b.String()
}
