package channel

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// forwardCases are a forward in each state.
func forwardCases() []*forward {
	pre := wire.Preimage{7, 7, 7}
	base := forward{
		in: htlcRef{wire.ChannelID{1, 2, 3}, 9}, inAmount: 1_001_000, inCLTV: 800_100,
		hash: pre.Hash(), secret: onion.SharedSecret{4, 5, 6},
		outSCID: wire.ShortChannelID{BlockHeight: 700_000, TxIndex: 12, OutputIndex: 1}, outAmount: 1_000_000, outCLTV: 800_028,
		inReceivedAt: 1_780_000_000_123,
	}
	attr := func(b byte) *wire.AttributionData {
		a := new(wire.AttributionData)
		for i := range a {
			a[i] = b + byte(i)
		}
		return a
	}
	pending := base
	pending.state, pending.next = fwdPending, bytes.Repeat([]byte{0xab}, onion.PacketSize)
	added := base
	added.state, added.out = fwdAdded, htlcRef{wire.ChannelID{9, 9}, 3}
	fulfilled := added
	fulfilled.state, fulfilled.preimage, fulfilled.onChain, fulfilled.attr = fwdFulfilled, pre, true, attr(3)
	failed := added
	failed.state, failed.failure = fwdFailed, htlcOutcome{kind: htlcFailed, reason: bytes.Repeat([]byte{1}, 292), attr: attr(5)}
	malformed := added
	malformed.state, malformed.failure = fwdFailed, htlcOutcome{kind: htlcFailedMalformed, failureCode: 0x8000 | 0x4000 | 5, onionHash: [32]byte{8}}
	intercepted := pending
	intercepted.state = fwdIntercepted
	targeted := pending
	targeted.target = wire.ChannelID{5, 5}
	announced := fulfilled
	announced.onChain, announced.announced = false, true
	return []*forward{&pending, &added, &fulfilled, &failed, &malformed, &intercepted, &targeted, &announced}
}

func TestForwardRecordRoundTrip(t *testing.T) {
	for _, f := range forwardCases() {
		b, err := encodeForward(f)
		require.NoError(t, err)
		got, err := decodeForward(b)
		require.NoError(t, err)
		require.Equal(t, f, got)
	}
}

func TestForwardRecordRefusesImpossibleStates(t *testing.T) {
	cs := forwardCases()
	bad := []func(f *forward){
		func(f *forward) { f.state = 0 },
		func(f *forward) { f.state = fwdIntercepted + 1 },
		func(f *forward) {
			f.state, f.next, f.target = fwdIntercepted, make([]byte, onion.PacketSize), wire.ChannelID{1}
		},
		func(f *forward) { f.state, f.next = fwdPending, []byte{1} },
		func(f *forward) { f.state, f.preimage = fwdFulfilled, wire.Preimage{1} },
		func(f *forward) { f.state, f.failure = fwdFailed, htlcOutcome{kind: htlcFulfilled} },
		func(f *forward) { f.state, f.failure = fwdAdded, htlcOutcome{kind: htlcFailed} },
		func(f *forward) { f.announced = true },
	}
	for i, spoil := range bad {
		f := *cs[1]
		spoil(&f)
		b, err := encodeForward(&f)
		require.NoError(t, err)
		_, err = decodeForward(b)
		require.ErrorIs(t, err, ErrCorruptRecord, "case %d", i)
	}
	b, err := encodeForward(cs[0])
	require.NoError(t, err)
	for n := range len(b) {
		_, err := decodeForward(b[:n])
		require.ErrorIs(t, err, ErrCorruptRecord, "truncated to %d", n)
	}
	_, err = decodeForward(append(b, 0))
	require.ErrorIs(t, err, ErrCorruptRecord, "trailing byte")
	b[0] = forwardRecordVersion + 1
	_, err = decodeForward(b)
	require.ErrorIs(t, err, ErrCorruptRecord, "unknown version")
	f := *cs[1]
	f.attr = &wire.AttributionData{}
	b, err = encodeForward(&f)
	require.NoError(t, err)
	_, err = decodeForward(b)
	require.ErrorIs(t, err, ErrCorruptRecord, "fulfill attribution data while added")
	b, err = encodeForward(cs[3])
	require.NoError(t, err)
	b[len(b)-1-wire.AttributionDataSize-1] = 2
	_, err = decodeForward(b)
	require.ErrorIs(t, err, ErrCorruptRecord, "bad attribution presence byte")
}

// forwardRecordV1 is f's record as version 1 wrote it (before the arrival
// time and attribution data): f must have no attribution data.
func forwardRecordV1(t testing.TB, f *forward) []byte {
	t.Helper()
	b, err := encodeForward(f)
	require.NoError(t, err)
	v1 := append([]byte{forwardRecordVersionV1}, b[1:len(b)-8-1-1]...)
	return v1
}

// A record of version 1 still reads: the arrival is unknown (hold time 0)
// and there is no attribution data.
func TestForwardRecordV1(t *testing.T) {
	for _, f := range forwardCases() {
		old := *f
		old.attr, old.failure.attr = nil, nil
		got, err := decodeForward(forwardRecordV1(t, &old))
		require.NoError(t, err)
		old.inReceivedAt = 0
		require.Equal(t, &old, got)
	}
}

// FuzzDecodeForward: decoding any bytes as a forward's record never
// panics and fails only with ErrCorruptRecord; what it accepts encodes to
// the same bytes. The seeds are a forward in each state.
func FuzzDecodeForward(f *testing.F) {
	for _, c := range forwardCases() {
		b, err := encodeForward(c)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, c := range forwardCases()[:2] {
		old := *c
		old.attr, old.failure.attr = nil, nil
		f.Add(forwardRecordV1(f, &old))
	}
	f.Add([]byte{forwardRecordVersion})
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := decodeForward(data)
		if err != nil {
			require.True(t, errors.Is(err, ErrCorruptRecord), "%v", err)
			return
		}
		b, err := encodeForward(fw)
		require.NoError(t, err)
		if data[0] == forwardRecordVersionV1 {
			// Rewritten as the current version, to the same forward.
			again, err := decodeForward(b)
			require.NoError(t, err)
			require.Equal(t, fw, again)
			return
		}
		require.Equal(t, data, b)
	})
}

func TestFeeSufficient(t *testing.T) {
	max := wire.MilliSatoshi(^uint64(0))
	cases := []struct {
		in, out    wire.MilliSatoshi
		base, prop uint32
		ok         bool
	}{
		{1_001_000, 1_000_000, 1000, 0, true},
		{1_000_999, 1_000_000, 1000, 0, false},
		{1_001_100, 1_000_000, 1000, 100, true}, // 1000 + 100
		{1_001_099, 1_000_000, 1000, 100, false},
		{1_000_000, 1_000_001, 0, 0, false},  // less in than out
		{max, max / 2, 0, ^uint32(0), false}, // the proportional fee overflows
		{max, max - 5, 10, 0, false},
		{max, 0, ^uint32(0), ^uint32(0), true},
		{1_000_000, 1_000_000, 0, 0, true},
	}
	for _, c := range cases {
		require.Equal(t, c.ok, feeSufficient(c.in, c.out, c.base, c.prop), "%+v", c)
	}
}
