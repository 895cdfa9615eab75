package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// events prints the EVENT lines the nodes printed since the last call,
// with the ids shortened and node ids named; of the progress lines
// (confirmation counts) only the last of each is shown.
func (c *channelStory) events(nodes ...*sampleNode) {
	for _, n := range nodes {
		for _, l := range lastProgress(n.events.unshown()) {
			fmt.Fprintf(c.s.w, "     %s EVENT: %s\n", n.name, c.abbreviate(l))
		}
	}
}

// hexID matches node ids (66 hex digits) and channel ids and txids (64).
var hexID = regexp.MustCompile(`\b[0-9a-f]{64}(?:[0-9a-f]{2})?\b`)

// abbreviate names the node ids of a line and shortens its other ids.
func (c *channelStory) abbreviate(line string) string {
	return hexID.ReplaceAllStringFunc(line, func(id string) string {
		if n, ok := c.names[id]; ok {
			return n
		}
		return short(id)
	})
}

// name names a node id.
func (c *channelStory) name(id string) string {
	if n, ok := c.names[id]; ok {
		return n
	}
	return short(id)
}

// lastProgress drops the progress lines (funding_confirmations,
// sweep_confirmations) followed by a later one of the same kind and
// channel.
func lastProgress(lines []string) []string {
	key := func(l string) string {
		kind, _, _ := strings.Cut(l, " ")
		if kind != "funding_confirmations" && kind != "sweep_confirmations" {
			return ""
		}
		return kind + field(l, "channel_id")
	}
	last := map[string]int{}
	for i, l := range lines {
		if k := key(l); k != "" {
			last[k] = i
		}
	}
	var out []string
	for i, l := range lines {
		if k := key(l); k == "" || last[k] == i {
			out = append(out, l)
		}
	}
	return out
}

// field returns the value of name=value in an EVENT line.
func field(line, name string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

// short shortens a hex id for the story.
func short(id string) string {
	if len(id) <= 12 {
		return id
	}
	return id[:8] + "…"
}

// sat formats an amount of satoshis with thousands separators.
func sat(n int64) string { return group(n) + " sat" }

// msat formats millisatoshis as satoshis when whole.
func msat(n uint64) string {
	if n%1000 == 0 {
		return sat(int64(n / 1000))
	}
	return group(int64(n)) + " msat"
}

// group writes n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// btoi is 1 for true.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// signed formats an amount with its sign.
func signed(n int64) string {
	if n < 0 {
		return "-" + sat(-n)
	}
	return "+" + sat(n)
}
