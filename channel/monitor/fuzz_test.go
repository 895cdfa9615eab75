package monitor_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
)

// FuzzDecodeUpdate: any input decodes to an update or an error, never a
// panic; what decodes re-encodes to the same bytes.
func FuzzDecodeUpdate(f *testing.F) {
	ch := newTestChannel(f, commit.AnchorsZeroFeeHTLC)
	u := nextUpdate(f, ch, 3)
	u.Steps = append(u.Steps, &monitor.ChannelForceClosed{})
	b, err := u.Encode()
	require.NoError(f, err)
	f.Add(b)
	for _, s := range []*monitor.DataLossDetected{{}, {TheirCurrentPoint: theirPoint(f, ch, 4)}} {
		b, err = (&monitor.Update{ID: 2, Steps: []monitor.Step{s}}).Encode()
		require.NoError(f, err)
		f.Add(b)
	}
	for _, u := range []*monitor.Update{preimageUpdate(5, preimage(1)), preimageUpdate(6, preimage(2), preimage(3), preimage(2))} {
		b, err = u.Encode()
		require.NoError(f, err)
		f.Add(b)
	}
	b, err = (&monitor.Update{ID: 1}).Encode()
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte{0x4d, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := monitor.DecodeUpdate(data)
		if err != nil {
			return
		}
		again, err := u.Encode()
		if err != nil {
			return // decodable but not encodable: a missing point
		}
		u2, err := monitor.DecodeUpdate(again)
		require.NoError(t, err)
		require.Equal(t, u, u2)
	})
}

// FuzzDecodeMonitor: any input decodes to a monitor or an error, never a
// panic; a decoded monitor re-encodes to a stable form.
func FuzzDecodeMonitor(f *testing.F) {
	for _, typ := range []commit.ChannelType{commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC} {
		ch := newTestChannel(f, typ)
		f.Add(encoded(f, ch.a.mon))
		require.NoError(f, ch.a.mon.Apply(nextUpdate(f, ch, 1)))
		behind, err := monitor.Decode(encoded(f, ch.a.mon))
		require.NoError(f, err)
		require.NoError(f, behind.Apply(&monitor.Update{ID: 2, Steps: []monitor.Step{&monitor.DataLossDetected{TheirCurrentPoint: theirPoint(f, ch, 3)}}}))
		f.Add(encoded(f, behind))
		require.NoError(f, behind.Apply(preimageUpdate(3, preimage(1), preimage(2), preimage(3))))
		f.Add(encoded(f, behind))
		require.NoError(f, ch.a.mon.Apply(preimageUpdate(2, preimage(4))))
		ch.chain.Connect(ch.a.mon)
		tx, err := ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
		require.NoError(f, err)
		require.NoError(f, ch.chain.Broadcast(tx))
		ch.chain.Mine(monitor.AntiReorgDelay)
		f.Add(encoded(f, ch.a.mon))
	}
	f.Add(breachRecord(f))
	f.Add(claimsRecord(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := monitor.Decode(data)
		if err != nil {
			return
		}
		b := encoded(t, m)
		m2, err := monitor.Decode(b)
		require.NoError(t, err)
		require.Equal(t, b, encoded(t, m2))
	})
}

// FuzzApplyCommitmentSecret: a revealed secret with any commitment number
// is applied or refused with ErrInvalidUpdate, never a panic; numbers
// above keys.MaxCommitmentNumber are refused as such.
func FuzzApplyCommitmentSecret(f *testing.F) {
	ch := newTestChannel(f, commit.AnchorsZeroFeeHTLC)
	valid := secret(f, ch.b.signer, 0)
	f.Add(uint64(0), valid[:])
	f.Add(uint64(1), valid[:])
	f.Add(uint64(keys.MaxCommitmentNumber), []byte{1})
	f.Add(uint64(keys.MaxCommitmentNumber+1), valid[:])
	f.Add(uint64(math.MaxUint64), []byte{})
	m := ch.a.mon
	f.Fuzz(func(t *testing.T, number uint64, data []byte) {
		var s [32]byte
		copy(s[:], data)
		err := m.Apply(&monitor.Update{ID: m.LatestUpdateID() + 1, Steps: []monitor.Step{&monitor.CommitmentSecret{Number: number, Secret: s}}})
		if number > keys.MaxCommitmentNumber {
			require.ErrorIs(t, err, keys.ErrCommitmentNumberTooLarge)
		}
		if err != nil {
			require.ErrorIs(t, err, monitor.ErrInvalidUpdate)
		}
	})
}
