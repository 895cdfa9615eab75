package monitor_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
	lnwire "github.com/lnkit/lnkit/wire"
)

// nextUpdate is update 1 of A's monitor: A's commitment 1 (signed by B),
// B's commitment 1 (signed by A), and B's revealed secret of commitment 0.
func nextUpdate(t testing.TB, ch *testChannel, id uint64) *monitor.Update {
	t.Helper()
	return &monitor.Update{ID: id, Steps: []monitor.Step{
		holderStep(t, ch.a, ch.b, 1, aBalance-10_000_000),
		&monitor.NewCounterpartyCommitment{State: state(t, 1, ch.b.signer, aBalance-10_000_000)},
		&monitor.CommitmentSecret{Number: 0, Secret: secret(t, ch.b.signer, 0)},
		&monitor.ShutdownScript{Script: []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}},
	}}
}

func encoded(t testing.TB, m *monitor.ChannelMonitor) []byte {
	t.Helper()
	b, err := m.Encode()
	require.NoError(t, err)
	return b
}

func TestApplyIdempotentAndGap(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	m := ch.a.mon
	u := nextUpdate(t, ch, 1)
	require.NoError(t, m.Apply(u))
	require.EqualValues(t, 1, m.LatestUpdateID())
	require.EqualValues(t, 1, m.HolderCommitmentNumber())
	before := encoded(t, m)

	require.NoError(t, m.Apply(u), "applying twice is a no-op")
	require.Equal(t, before, encoded(t, m))

	err := m.Apply(&monitor.Update{ID: 3, Steps: []monitor.Step{&monitor.ChannelForceClosed{}}})
	require.ErrorIs(t, err, monitor.ErrUpdateGap)
	var gap *monitor.GapError
	require.ErrorAs(t, err, &gap)
	require.Equal(t, monitor.GapError{Latest: 1, Got: 3}, *gap)
	require.Equal(t, before, encoded(t, m))
}

func TestApplyRefusesInvalid(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	badSig := holderStep(t, ch.a, ch.b, 1, aBalance)
	badSig.CounterpartySig[10] ^= 1
	wrongSecret := secret(t, ch.b.signer, 0)
	wrongSecret[0] ^= 1
	tests := []struct {
		name string
		step monitor.Step
		is   error // an error the refusal also matches, if any
	}{
		{"bad signature", badSig, nil},
		{"holder number not increasing", holderStep(t, ch.a, ch.b, 0, aBalance), nil},
		{"counterparty number not increasing", &monitor.NewCounterpartyCommitment{State: state(t, 0, ch.b.signer, aBalance)}, nil},
		{"wrong secret", &monitor.CommitmentSecret{Number: 0, Secret: wrongSecret}, nil},
		{"secret number 2^48", &monitor.CommitmentSecret{Number: keys.MaxCommitmentNumber + 1}, keys.ErrCommitmentNumberTooLarge},
		{"secret number max uint64", &monitor.CommitmentSecret{Number: math.MaxUint64}, keys.ErrCommitmentNumberTooLarge},
		{"no state", &monitor.NewHolderCommitment{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := encoded(t, ch.a.mon)
			// A valid step first: the update applies whole or not at all.
			err := ch.a.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{&monitor.ShutdownScript{Script: []byte{0x51}}, tc.step}})
			require.ErrorIs(t, err, monitor.ErrInvalidUpdate)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			require.Equal(t, before, encoded(t, ch.a.mon))
		})
	}
	require.NoError(t, ch.a.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{&monitor.ChannelForceClosed{}}}))
	err := ch.a.mon.Apply(&monitor.Update{ID: 2, Steps: []monitor.Step{holderStep(t, ch.a, ch.b, 1, aBalance)}})
	require.ErrorIs(t, err, monitor.ErrInvalidUpdate, "no commitment after a force close")
}

// requireUpdateRoundTrip checks that u decodes from its encoding as u,
// and that every truncation of it fails.
func requireUpdateRoundTrip(t *testing.T, u *monitor.Update) {
	t.Helper()
	b, err := u.Encode()
	require.NoError(t, err)
	got, err := monitor.DecodeUpdate(b)
	require.NoError(t, err)
	require.Equal(t, u, got)
	for i := range b {
		_, err := monitor.DecodeUpdate(b[:i])
		require.Error(t, err, "truncated at %d", i)
	}
}

func TestUpdateEncoding(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	u := nextUpdate(t, ch, 7)
	u.Steps = append(u.Steps, &monitor.ChannelForceClosed{})
	requireUpdateRoundTrip(t, u)
	_, err := (&monitor.Update{ID: 1, Steps: []monitor.Step{nil}}).Encode()
	require.ErrorIs(t, err, monitor.ErrInvalidUpdate)
}

func TestMonitorEncoding(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, tc.typ)
			m := ch.a.mon
			b := encoded(t, m)
			got, err := monitor.Decode(b)
			require.NoError(t, err)
			require.Equal(t, b, encoded(t, got))

			require.NoError(t, m.Apply(nextUpdate(t, ch, 1)))
			ch.chain.Connect(m)
			tx, err := m.LatestHolderCommitmentTx(ch.a.signer)
			require.NoError(t, err)
			require.NoError(t, ch.chain.Broadcast(tx))
			ch.chain.Mine(monitor.AntiReorgDelay)
			b = encoded(t, m)
			got, err = monitor.Decode(b)
			require.NoError(t, err)
			require.Equal(t, b, encoded(t, got))
			require.Equal(t, m.Spend().Tx.TxHash(), got.Spend().Tx.TxHash())
			require.Equal(t, m.Spend().Kind, got.Spend().Kind)
			require.Equal(t, m.Spend().Height, got.Spend().Height)
			require.Equal(t, m.ShutdownScript(), got.ShutdownScript())
			// Cut anywhere, the record is corrupt, except right before
			// its last record, the odd HTLC history of the revoked
			// commitments, which a reader of format 1.2 skips: that cut
			// reads as a monitor without it.
			cuts := 0
			for i := range b {
				short, err := monitor.Decode(b[:i])
				if err == nil {
					cuts++
					require.Equal(t, b[:i], encoded(t, short), "truncated at %d", i)
				}
			}
			require.LessOrEqual(t, cuts, 1)
		})
	}
}

// TestRevokedAndBehind: B broadcasts its revoked commitment 0: A's monitor
// reports the breach (a Breach, see justice_test.go) and still claims to_remote. Then
// a commitment newer than A knows: A learns it is behind and refuses to
// broadcast its own.
func TestRevokedAndBehind(t *testing.T) {
	t.Run("revoked", func(t *testing.T) {
		ch := newTestChannel(t, commit.StaticRemoteKey)
		require.NoError(t, ch.a.mon.Apply(nextUpdate(t, ch, 1)))
		ch.chain.Connect(ch.a.mon)
		old, err := ch.b.mon.LatestHolderCommitmentTx(ch.b.signer)
		require.NoError(t, err)
		require.NoError(t, ch.chain.Broadcast(old))
		ch.chain.Mine(monitor.AntiReorgDelay)
		require.Equal(t, monitor.RevokedCounterpartyCommitment, ch.a.mon.Spend().Kind)
		outs, closed := spendables(t, ch.a.mon)
		require.True(t, closed)
		require.Len(t, outs, 1)
		require.NoError(t, ch.chain.Broadcast(sweep(t, ch.a, outs[0], 500)))
	})
	t.Run("behind", func(t *testing.T) {
		ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
		require.NoError(t, ch.b.mon.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{
			holderStep(t, ch.b, ch.a, 1, capacity*1000-aBalance+10_000_000),
		}}))
		ch.chain.Connect(ch.a.mon)
		newer, err := ch.b.mon.LatestHolderCommitmentTx(ch.b.signer)
		require.NoError(t, err)
		require.NoError(t, ch.chain.Broadcast(newer))
		ch.chain.Mine(1)
		require.Equal(t, monitor.CounterpartyCommitment, ch.a.mon.Spend().Kind)
		require.EqualValues(t, 1, ch.a.mon.Spend().CommitmentNumber)
		_, err = ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
		require.ErrorIs(t, err, monitor.ErrBehind)
		ch.chain.Mine(monitor.AntiReorgDelay)
		outs, _ := spendables(t, ch.a.mon)
		require.Len(t, outs, 1)
		// A opened: its balance pays the fee and both anchors.
		fee := commit.CommitmentFee(commit.AnchorsZeroFeeHTLC, lnwire.FeeRateFloor, 0)
		require.EqualValues(t, aBalance/1000-10_000-fee-2*330, outs[0].Value)
	})
}
