package channel

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// FuzzUpdateLog drives update logs from the input. The first byte picks
// the mode: even, two honest logs against each other (every property of
// TestUpdateLogPropertyTwoSides must hold); odd, one log fed hostile peer
// messages and our own calls with arbitrary fields (it must never panic,
// fail only with a *RuleError or a documented sentinel, and keep its
// commitments conserved and its persisted form exact).
func FuzzUpdateLog(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 5, 0, 5, 0, 5, 1, 5})
	f.Add([]byte{1, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add([]byte{2, 0, 200, 1, 2, 3, 4, 5, 6, 7, 8, 4, 0, 5, 0, 5, 1, 4, 1, 5, 1, 5, 0, 1, 1, 5, 1, 4, 1, 5})
	f.Add([]byte{3, 3, 9, 4, 0, 0, 0, 0, 0, 0, 0, 0, 5, 6, 1, 2, 3, 4, 5, 6, 7, 8, 7, 7, 7, 7})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		typ := commit.StaticRemoteKey
		if in[0]&2 != 0 {
			typ = commit.AnchorsZeroFeeHTLC
		}
		if in[0]&1 == 0 {
			fuzzHonestPair(t, typ, in[1:])
			return
		}
		fuzzHostileLog(t, typ, in[1:])
	})
}

// fuzzArg reads a step's argument: up to 8 bytes.
func fuzzArg(in []byte) (uint64, []byte) {
	var b [8]byte
	n := copy(b[:], in)
	return binary.BigEndian.Uint64(b[:]), in[n:]
}

func fuzzHonestPair(t *testing.T, typ commit.ChannelType, in []byte) {
	d := newLogDriver(typ, 300_000_000)
	for len(in) >= 2 && len(in) < 1<<16 {
		s, op := int(in[0]&1), in[1]
		var arg uint64
		arg, in = fuzzArg(in[2:])
		require.NoError(t, d.step(s, op, arg))
		require.NoError(t, d.conserved())
	}
	require.NoError(t, d.quiesce())
}

func fuzzHostileLog(t *testing.T, typ commit.ChannelType, in []byte) {
	a, b := testLogPair(typ, 300_000_000)
	l := a
	if len(in) > 0 && in[0]&1 == 1 {
		l = b
	}
	bounds := FeeBounds{MinStaticRemoteKey: wire.FeeRateFloor, MinAnchors: wire.FeeRateFloor, Max: 50_000}
	for len(in) >= 1 {
		op := in[0]
		var arg uint64
		arg, in = fuzzArg(in[1:])
		var err error
		switch op % 14 {
		case 0:
			_, err = l.addHTLC(htlcAdd{amount: wire.MilliSatoshi(arg >> 20), cltvExpiry: uint32(arg), paymentHash: testPreimage(arg % 8).Hash()})
		case 1:
			_, err = l.receiveAdd(htlcAdd{id: arg % 4, amount: wire.MilliSatoshi(arg >> 16), cltvExpiry: uint32(arg >> 3), paymentHash: testPreimage(arg % 8).Hash()})
		case 2:
			err = l.fulfill(arg%4, testPreimage(arg>>8%8), nil)
		case 3:
			err = l.fail(arg%4, htlcOutcome{kind: htlcOutcomeKind(arg >> 8 % 4), reason: []byte{byte(arg)}})
		case 4:
			_, err = l.receiveFulfill(arg%4, testPreimage(arg>>8%8), nil)
		case 5:
			err = l.receiveFail(arg%4, []byte{byte(arg)}, nil)
		case 6:
			err = l.receiveFailMalformed(arg%4, [32]byte{}, uint16(arg>>8))
		case 7:
			err = l.sendFee(wire.FeeRate(arg))
		case 8:
			err = l.receiveFee(wire.FeeRate(arg), bounds)
		case 9:
			_, err = l.sendingCommitment()
		case 10:
			_, err = l.receivedCommitment()
		case 11:
			err = l.sentRevoke()
		case 12:
			_, err = l.receivedRevoke()
		case 13:
			l.disconnected()
		}
		if err != nil {
			require.True(t, isLogError(err), "undocumented error %v", err)
		}
		requireLogConserved(t, l)
	}
}

// FuzzUpdateLogRecord decodes arbitrary bytes as a persisted update log:
// it never panics, fails only with ErrCorruptRecord or a newer version,
// and what it accepts encodes back to a log that decodes the same.
func FuzzUpdateLogRecord(f *testing.F) {
	d := newLogDriver(commit.AnchorsZeroFeeHTLC, 300_000_000)
	for i, op := range []byte{0, 0, 4, 5, 0, 4, 5, 1, 5, 3, 4, 5} {
		_ = d.step(i%2, op, uint64(i)*7919+5)
		b, err := encodeUpdateLog(d.logs[i%2])
		require.NoError(f, err)
		f.Add(b)
	}
	for _, l := range d.logs {
		// With arrival times and attribution data (record 5, 1.1).
		recordHoldTimes(l)
		b, err := encodeUpdateLog(l)
		require.NoError(f, err)
		f.Add(b)
	}
	p := testLogParams(commit.Local, commit.AnchorsZeroFeeHTLC)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, params := range []updateLogParams{p, testLogParams(commit.Remote, commit.AnchorsZeroFeeHTLC)} {
			l, err := decodeUpdateLog(b, params)
			if err != nil {
				if !errors.Is(err, persist.ErrNewerVersion) {
					require.ErrorIs(t, err, ErrCorruptRecord)
				}
				continue
			}
			b2, err := encodeUpdateLog(l)
			require.NoError(t, err)
			l2, err := decodeUpdateLog(b2, params)
			require.NoError(t, err)
			require.Equal(t, normalizeLog(l), normalizeLog(l2))
		}
	})
}
