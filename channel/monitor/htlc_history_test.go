package monitor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// TestHTLCHistory revokes commitments whose HTLCs come and go: each
// revoked commitment's HTLCs are found again, an HTLC is kept once per
// stretch of commitments, an older history value is not changed by a
// newer one, and the encoding round-trips.
func TestHTLCHistory(t *testing.T) {
	h := func(offerer commit.Side, id uint64) commit.HTLC {
		return commit.HTLC{ID: id, Offerer: offerer, Amount: lnwire.MilliSatoshi(1000 + id), CLTVExpiry: uint32(100 + id), PaymentHash: lnwire.PaymentHash{byte(id), byte(offerer)}}
	}
	a, b, c := h(commit.Local, 0), h(commit.Remote, 0), h(commit.Local, 1)
	commitments := [][]commit.HTLC{
		{},     // 0
		{a},    // 1
		{a, b}, // 2
		{b},    // 3
		{b, c}, // 4
		{c, a}, // 5: a again (same id, same HTLC: a new stretch)
		{},     // 6
		{c},    // 7
	}
	var hist htlcHistory
	var olds []htlcHistory
	for n, hs := range commitments {
		olds = append(olds, hist)
		hist = hist.revoke(&commit.State{Number: uint64(n), HTLCs: hs})
	}
	for n, hs := range commitments {
		require.ElementsMatch(t, hs, hist.at(uint64(n)), "commitment %d", n)
	}
	require.Equal(t, 5, hist.len(), "a 1-2, a 5-5, b 2-4, c 4-5, c 7-7")
	require.Empty(t, hist.at(8))
	// Older values still answer as they did.
	require.ElementsMatch(t, []commit.HTLC{b, c}, olds[5].at(4))
	require.Empty(t, olds[5].at(5))

	// A gap closes what was open.
	gap := hist.revoke(&commit.State{Number: 9, HTLCs: []commit.HTLC{c}})
	require.Equal(t, []commit.HTLC{c}, gap.at(9))
	require.Empty(t, gap.at(8))

	for _, x := range []htlcHistory{hist, gap, olds[3]} {
		d := &decoder{b: encodeHistory(&x)}
		got := decodeHistory(d)
		require.NoError(t, d.end())
		for n := range uint64(10) {
			require.ElementsMatch(t, x.at(n), got.at(n))
		}
		require.Equal(t, encodeHistory(&x), encodeHistory(&got))
	}

	// Corrupt encodings.
	enc := encodeHistory(&hist)
	for name, bad := range map[string]func([]byte){
		"huge count":      func(b []byte) { b[8] = 0xff },
		"bad offerer":     func(b []byte) { b[12] = 7 },
		"from after to":   func(b []byte) { b[12+1+8+8+32+4+7] = 0xff },
		"open not at end": func(b []byte) { b[7] ^= 1 },
	} {
		b := append([]byte(nil), enc...)
		bad(b)
		d := &decoder{b: b}
		decodeHistory(d)
		require.Error(t, d.end(), name)
	}
}
