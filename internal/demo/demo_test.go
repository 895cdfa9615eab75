package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDemo runs the whole of `make demo` (btcd, lnd, two sample nodes;
// channels opened, closed cooperatively and by force, the sweeps): every
// step's condition and every wallet's balance to the satoshi is checked
// by the story itself, which fails otherwise.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out, "go", true, false)
	require.NoError(t, err, "demo output:\n%s", out.String())
	for _, want := range []string{
		"bob EVENT: open_channel_request accepted",
		"reason=cooperative-by-peer",
		"reason=holder-force-closed",
		"bob EVENT: sweep_confirmed",
		"carol  1,000,000 sat → ",
		"demo finished in",
	} {
		require.Contains(t, out.String(), want)
	}
}

func TestLastProgress(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"empty", nil, nil},
		{"no progress lines", []string{"channel_ready channel_id=a", "sweep txid=b"}, []string{"channel_ready channel_id=a", "sweep txid=b"}},
		{
			"last of each channel kept, in place",
			[]string{
				"funding_confirmations channel_id=a depth=1/6",
				"funding_confirmations channel_id=b depth=1/6",
				"funding_confirmations channel_id=a depth=2/6",
				"channel_ready channel_id=a",
				"funding_confirmations channel_id=b depth=6/6",
			},
			[]string{
				"funding_confirmations channel_id=a depth=2/6",
				"channel_ready channel_id=a",
				"funding_confirmations channel_id=b depth=6/6",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, lastProgress(tt.in))
		})
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct{ got, want string }{
		{sat(0), "0 sat"},
		{sat(999), "999 sat"},
		{sat(1000), "1,000 sat"},
		{sat(1_234_567), "1,234,567 sat"},
		{sat(-50_000), "-50,000 sat"},
		{signed(-872), "-872 sat"},
		{signed(100_000), "+100,000 sat"},
		{msat(100_000_000), "100,000 sat"},
		{msat(1_500), "1,500 msat"},
		{field("sweep txid=ab channel_id=cd amount_sat=5", "amount_sat"), "5"},
		{field("sweep txid=ab", "channel_id"), ""},
		{short("0123456789abcdef"), "01234567…"},
		{short("abc"), "abc"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.got)
	}
}

func TestAbbreviate(t *testing.T) {
	alice := "02" + string(bytes.Repeat([]byte("a"), 64))
	txid := string(bytes.Repeat([]byte("b"), 64))
	c := &channelStory{names: map[string]string{alice: "alice"}}
	require.Equal(t, "channel_pending counterparty=alice funding_txid=bbbbbbbb…",
		c.abbreviate("channel_pending counterparty="+alice+" funding_txid="+txid))
}

func TestEventLog(t *testing.T) {
	var l eventLog
	var sink bytes.Buffer
	l.copy(&sink, bytes.NewBufferString("starting\nEVENT: channel_ready channel_id=a\nEVENT: sweep txid=b channel_id=a\nnoise\n"))
	require.Equal(t, "starting\nEVENT: channel_ready channel_id=a\nEVENT: sweep txid=b channel_id=a\nnoise\n", sink.String())
	require.Equal(t, []string{"sweep txid=b channel_id=a"}, l.matching("sweep", "channel_id=a"))
	require.Len(t, l.matching("channel_id=a"), 2)
	require.Len(t, l.unshown(), 2)
	require.Empty(t, l.unshown())
}
