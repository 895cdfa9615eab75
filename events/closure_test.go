package events_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
)

func TestSanitizeText(t *testing.T) {
	long := strings.Repeat("é", events.MaxMessageLen) // 2 bytes each
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", "funding tx double spent", "funding tx double spent"},
		{"empty", "", ""},
		{"newline and carriage return", "a\nb\rc", "a?b?c"},
		{"terminal escape", "\x1b[2Jgone", "?[2Jgone"},
		{"nul and del", "a\x00b\x7f", "a?b?"},
		{"invalid utf-8", "ok\xff\xfe", "ok\uFFFD\uFFFD"},
		{"unicode letters kept", "déjà vu ✓", "déjà vu ✓"},
		{"bidi override", "abc\u202edef", "abc?def"},
		{"cut on a rune boundary", long, long[:events.MaxMessageLen]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := events.SanitizeText(tc.in)
			require.Equal(t, tc.want, got)
			require.LessOrEqual(t, len(got), events.MaxMessageLen)
			require.Equal(t, got, events.SanitizeText(got), "idempotent")
		})
	}
}

func TestClosureReasons(t *testing.T) {
	for _, tc := range []struct {
		r    events.ClosureReason
		want string
	}{
		{events.Reason(events.ClosedCooperativelyByUs), "cooperative-by-us"},
		{events.Reason(events.ClosedCooperativelyByPeer), "cooperative-by-peer"},
		{events.HolderForceClosed("user asked", true), `holder-force-closed (broadcast): "user asked"`},
		{events.HolderForceClosed("", false), `holder-force-closed`},
		{events.Reason(events.ClosedCounterpartyForceClosed), "counterparty-force-closed"},
		{events.ProcessingError("bad commitment signature"), `processing-error: "bad commitment signature"`},
		{events.CounterpartyError([]byte("internal error\n\x00")), `counterparty-error: "internal error??"`},
		{events.Reason(events.ClosedFundingTimedOut), "funding-timed-out"},
		{events.Reason(events.ClosedDisconnectedBeforeFunding), "disconnected-before-funding"},
		{events.Reason(events.ClosedOutdatedChannelManager), "outdated-channel-manager"},
		{events.HTLCsTimedOut("offered htlc 3 past its timeout deadline"), `htlcs-timed-out: "offered htlc 3 past its timeout deadline"`},
		{events.Reason(0), "closure(0)"},
	} {
		require.Equal(t, tc.want, tc.r.String())
	}
	require.True(t, events.ClosedCooperativelyByPeer.IsCooperative())
	require.False(t, events.ClosedCounterpartyForceClosed.IsCooperative())
}
