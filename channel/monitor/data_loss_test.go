package monitor_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/persist"
)

// theirPoint is the per-commitment point B sends in channel_reestablish
// when it is at commitment n.
func theirPoint(t testing.TB, ch *testChannel, n uint64) *btcec.PublicKey {
	t.Helper()
	p, err := ch.b.signer.PerCommitmentPoint(n)
	require.NoError(t, err)
	return p
}

// requireBehind checks that m refuses to hand out its holder commitment and
// to take a new commitment of either side, and keeps point.
func requireBehind(t *testing.T, ch *testChannel, m *monitor.ChannelMonitor, point *btcec.PublicKey) {
	t.Helper()
	_, err := m.LatestHolderCommitmentTx(ch.a.signer)
	require.ErrorIs(t, err, monitor.ErrBehind)
	_, err = m.HolderCommitmentClaim(ch.a.signer)
	require.ErrorIs(t, err, monitor.ErrBehind)
	require.True(t, m.Info().Behind)
	require.Equal(t, point, m.TheirCurrentPoint())
	before := encoded(t, m)
	next := m.LatestUpdateID() + 1
	for _, s := range []monitor.Step{
		holderStep(t, ch.a, ch.b, 9, aBalance),
		&monitor.NewCounterpartyCommitment{State: state(t, 9, ch.b.signer, aBalance)},
	} {
		err := m.Apply(&monitor.Update{ID: next, Steps: []monitor.Step{s}})
		require.ErrorIs(t, err, monitor.ErrInvalidUpdate, "%T", s)
		require.ErrorIs(t, err, monitor.ErrBehind, "%T", s)
	}
	require.Equal(t, before, encoded(t, m), "refused updates leave the monitor unchanged")
}

// TestDataLossDetectedStep: after DataLossDetected the monitor refuses to
// hand out our holder commitment (ErrBehind) and takes no new commitment,
// still takes the counterparty's secrets and a shutdown script; re-applying
// is a no-op, a later step without a point keeps the point; the state
// survives a restart with the step stored as an increment or compacted
// into the full monitor.
func TestDataLossDetectedStep(t *testing.T) {
	for _, tc := range []struct {
		name  string
		every uint64
		// stored are the increments in the store at the end.
		stored []string
	}{
		{"increment", 1000, []string{"00000000000000000001", "00000000000000000002", "00000000000000000003", "00000000000000000004"}},
		{"compacted", 2, nil}, // updates 2 and 4 compact into the full monitor
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
			store, cm, id := watchStored(t, ch.a, tc.every)
			require.Equal(t, monitor.Completed, cm.UpdateChannel(id, update(t, ch, 1)))
			_, err := cm.HolderCommitmentClaim(id, ch.a.signer)
			require.NoError(t, err)

			point := theirPoint(t, ch, 5)
			loss := &monitor.Update{ID: 2, Steps: []monitor.Step{&monitor.DataLossDetected{TheirCurrentPoint: point}}}
			require.Equal(t, monitor.Completed, cm.UpdateChannel(id, loss))
			_, err = cm.LatestHolderCommitmentTx(id, ch.a.signer)
			require.ErrorIs(t, err, monitor.ErrBehind)
			_, err = cm.HolderCommitmentClaim(id, ch.a.signer)
			require.ErrorIs(t, err, monitor.ErrBehind)
			requireBehind(t, ch, ch.a.mon, point)
			require.Equal(t, monitor.Failed, cm.UpdateChannel(id, &monitor.Update{ID: 3, Steps: []monitor.Step{holderStep(t, ch.a, ch.b, 2, aBalance)}}))

			before := encoded(t, ch.a.mon)
			require.NoError(t, ch.a.mon.Apply(loss), "applying twice is a no-op")
			require.Equal(t, before, encoded(t, ch.a.mon))

			require.Equal(t, monitor.Completed, cm.UpdateChannel(id, &monitor.Update{ID: 3, Steps: []monitor.Step{
				&monitor.CommitmentSecret{Number: 1, Secret: secret(t, ch.b.signer, 1)},
				&monitor.ShutdownScript{Script: []byte{0x51}},
			}}), "a late revoke_and_ack is still recorded")
			require.Equal(t, monitor.Completed, cm.UpdateChannel(id, &monitor.Update{ID: 4, Steps: []monitor.Step{&monitor.DataLossDetected{}}}),
				"a second channel_reestablish without a point")
			requireBehind(t, ch, ch.a.mon, point)
			require.Equal(t, []monitor.MonitorInfo{ch.a.mon.Info()}, cm.Monitors())

			keys, err := store.List(context.Background(), persist.Namespace{Primary: monitor.MonitorUpdatesNamespace, Secondary: id.String()})
			require.NoError(t, err)
			require.ElementsMatch(t, tc.stored, keys)
			want := encoded(t, ch.a.mon)
			_, ms := reload(t, store)
			require.Len(t, ms, 1)
			require.EqualValues(t, 4, ms[0].LatestUpdateID())
			require.Equal(t, want, encoded(t, ms[0]))
			requireBehind(t, ch, ms[0], point)
		})
	}
}

// TestDataLossDetectedWithoutPoint: the point is optional; a later step
// with one sets it, a later one with another replaces it.
func TestDataLossDetectedWithoutPoint(t *testing.T) {
	ch := newTestChannel(t, commit.StaticRemoteKey)
	m := ch.a.mon
	require.NoError(t, m.Apply(&monitor.Update{ID: 1, Steps: []monitor.Step{&monitor.DataLossDetected{}}}))
	requireBehind(t, ch, m, nil)
	got, err := monitor.Decode(encoded(t, m))
	require.NoError(t, err)
	requireBehind(t, ch, got, nil)

	for i, n := range []uint64{3, 4} {
		p := theirPoint(t, ch, n)
		require.NoError(t, m.Apply(&monitor.Update{ID: uint64(i) + 2, Steps: []monitor.Step{&monitor.DataLossDetected{TheirCurrentPoint: p}}}))
		requireBehind(t, ch, m, p)
	}
}

// TestDataLossDetectedEncoding: the step round-trips with and without a
// point; a presence byte other than 0 or 1, or a bad point, is corrupt.
func TestDataLossDetectedEncoding(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	for _, s := range []*monitor.DataLossDetected{{}, {TheirCurrentPoint: theirPoint(t, ch, 7)}} {
		requireUpdateRoundTrip(t, &monitor.Update{ID: 3, Steps: []monitor.Step{s}})
	}
	b, err := (&monitor.Update{ID: 3, Steps: []monitor.Step{&monitor.DataLossDetected{TheirCurrentPoint: theirPoint(t, ch, 7)}}}).Encode()
	require.NoError(t, err)
	presence := len(b) - 34 // presence byte, then the 33-byte point
	for _, tc := range []struct {
		name string
		at   int
		val  byte
	}{{"presence byte 2", presence, 2}, {"not a point", presence + 1, 0x05}} {
		bad := append([]byte(nil), b...)
		bad[tc.at] = tc.val
		_, err := monitor.DecodeUpdate(bad)
		require.ErrorIs(t, err, monitor.ErrCorrupt, tc.name)
	}
}

// TestMonitorRecordVersions: a monitor record of version 1.0 (before the
// counterparty point's odd record) still decodes; a 1.0 reader, which
// skips the odd record, still reads the behind flag.
func TestMonitorRecordVersions(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	require.NoError(t, ch.a.mon.Apply(nextUpdate(t, ch, 1)))
	old := encoded(t, ch.a.mon)
	require.Equal(t, []byte{0x4e, 1, 3}, old[:3])
	old[2] = 0
	m, err := monitor.Decode(old)
	require.NoError(t, err)
	require.False(t, m.Info().Behind)

	u, err := (&monitor.Update{ID: 1}).Encode()
	require.NoError(t, err)
	u[2] = 0
	_, err = monitor.DecodeUpdate(u)
	require.NoError(t, err, "an update record 1.0")

	point := theirPoint(t, ch, 2)
	require.NoError(t, ch.a.mon.Apply(&monitor.Update{ID: 2, Steps: []monitor.Step{&monitor.DataLossDetected{TheirCurrentPoint: point}}}))
	b := encoded(t, ch.a.mon)
	m, err = monitor.Decode(b)
	require.NoError(t, err)
	requireBehind(t, ch, m, point)
	// Without the odd record (what a 1.0 reader keeps), still behind.
	// (type 19, length 33, the point; only the odd HTLC history follows)
	last := bytes.Index(b, append([]byte{19, 33}, point.SerializeCompressed()...))
	require.Positive(t, last)
	stripped := b[:last]
	stripped[2] = 0
	m, err = monitor.Decode(stripped)
	require.NoError(t, err)
	requireBehind(t, ch, m, nil)
}
