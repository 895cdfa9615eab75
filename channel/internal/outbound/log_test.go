package outbound

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSessionKeyRedacted checks that no way of printing or logging a
// payment or attempt shows the session key, in hex or as decimal bytes.
func TestSessionKeyRedacted(t *testing.T) {
	p := testPayment(t)
	i := addTestAttempt(t, p, 1, 2, testAmount)
	a := p.Attempts[i]
	key := hex.EncodeToString(a.SessionKey[:])

	var logged bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logged, nil))
	log.Info("x", "payment", p, "attempt", a, "key", a.SessionKey)
	log.Info("y", "payment", *p, "attempt", &a)
	outputs := []string{
		logged.String(),
		fmt.Sprint(p), fmt.Sprint(*p), fmt.Sprint(a), fmt.Sprintf("%+v", a), fmt.Sprintf("%x", a.SessionKey),
		fmt.Sprintf("%#v", a.SessionKey), fmt.Sprintf("%v", p.Attempts),
	}
	for _, out := range outputs {
		require.NotContains(t, out, key)
		require.NotContains(t, out, fmt.Sprint(a.SessionKey[:4]))
	}
	require.Contains(t, fmt.Sprint(p), p.ID.String())
	require.Contains(t, logged.String(), "in-flight")
}
