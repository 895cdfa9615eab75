package interop

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// lndPeer is one entry of `lncli listpeers`.
type lndPeer struct {
	PubKey    string `json:"pub_key"`
	Address   string `json:"address"`
	Inbound   bool   `json:"inbound"`
	PingTime  int64  `json:"ping_time,string"`  // microseconds, lnd's last ping round trip
	BytesSent uint64 `json:"bytes_sent,string"` // lnd to the peer
	BytesRecv uint64 `json:"bytes_recv,string"` // the peer to lnd
	Features  map[string]struct {
		Name       string `json:"name"`
		IsRequired bool   `json:"is_required"`
		IsKnown    bool   `json:"is_known"`
	} `json:"features"`
}

// lndPeers returns lnd's peers.
func lndPeers(t *testing.T, l *regtest.Lnd) []lndPeer {
	t.Helper()
	var out struct {
		Peers []lndPeer `json:"peers"`
	}
	l.CLIJSON(t, &out, "listpeers")
	return out.Peers
}

// lndPeer returns lnd's entry for the node id (hex), if listed.
func findLndPeer(t *testing.T, l *regtest.Lnd, id string) (lndPeer, bool) {
	t.Helper()
	for _, p := range lndPeers(t, l) {
		if p.PubKey == id {
			return p, true
		}
	}
	return lndPeer{}, false
}

// waitLndPeer waits until lnd lists the node id and returns the entry.
func waitLndPeer(t *testing.T, l *regtest.Lnd, id string) lndPeer {
	t.Helper()
	var p lndPeer
	require.Eventually(t, func() bool {
		var ok bool
		p, ok = findLndPeer(t, l, id)
		return ok
	}, 30*time.Second, 50*time.Millisecond, "lnd never listed %s", id)
	return p
}

// waitNoLndPeer waits until lnd no longer lists the node id.
func waitNoLndPeer(t *testing.T, l *regtest.Lnd, id string) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, ok := findLndPeer(t, l, id)
		return !ok
	}, 30*time.Second, 50*time.Millisecond, "lnd still lists %s", id)
}

// lndLog returns lnd's output so far (the harness keeps it in lnd.out.log
// in lnd's directory).
func lndLog(t *testing.T, l *regtest.Lnd) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(l.Dir, "lnd.out.log"))
	require.NoError(t, err)
	return string(b)
}

// countLines counts the lines of log containing every one of parts.
func countLines(log string, parts ...string) int {
	n := 0
	for line := range strings.Lines(log) {
		all := true
		for _, p := range parts {
			if !strings.Contains(line, p) {
				all = false
				break
			}
		}
		if all {
			n++
		}
	}
	return n
}

// syncBuffer is a bytes.Buffer safe for concurrent use, for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
