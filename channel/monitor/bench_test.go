package monitor_test

import (
	"encoding/binary"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	lnwire "github.com/lnkit/lnkit/wire"
)

// BenchmarkApply applies one commitment update (both commitments, a
// secret): the monitor's share of every payment.
func BenchmarkApply(b *testing.B) {
	const perChannel = 100
	var (
		ch *testChannel
		us []*monitor.Update
	)
	for i := 0; i < b.N; i++ {
		if i%perChannel == 0 {
			b.StopTimer()
			ch, us = newTestChannel(b, commit.AnchorsZeroFeeHTLC), us[:0]
			for n := uint64(1); n <= perChannel; n++ {
				us = append(us, update(b, ch, n))
			}
			b.StartTimer()
		}
		require.NoError(b, ch.a.mon.Apply(us[i%perChannel]))
	}
}

// BenchmarkUpdateEncode and BenchmarkUpdateDecode: what a persister does
// per update.
func BenchmarkUpdateEncode(b *testing.B) {
	u := update(b, newTestChannel(b, commit.AnchorsZeroFeeHTLC), 1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, err := u.Encode()
		require.NoError(b, err)
	}
}

func BenchmarkUpdateDecode(b *testing.B) {
	raw, err := update(b, newTestChannel(b, commit.AnchorsZeroFeeHTLC), 1).Encode()
	require.NoError(b, err)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, err := monitor.DecodeUpdate(raw)
		require.NoError(b, err)
	}
}

// BenchmarkMonitorDecode: loading one monitor at start (verifies the
// holder commitment's signature again).
func BenchmarkMonitorDecode(b *testing.B) {
	raw := encoded(b, newTestChannel(b, commit.AnchorsZeroFeeHTLC).a.mon)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, err := monitor.Decode(raw)
		require.NoError(b, err)
	}
}

// BenchmarkBlockConnected: a block of 2,000 one-input transactions, none
// spending the funding output.
func BenchmarkBlockConnected(b *testing.B) {
	m := newTestChannel(b, commit.StaticRemoteKey).a.mon
	block := &btcwire.MsgBlock{}
	for i := 0; i < 2000; i++ {
		tx := btcwire.NewMsgTx(2)
		tx.AddTxIn(btcwire.NewTxIn(&btcwire.OutPoint{Index: uint32(i)}, nil, nil))
		block.Transactions = append(block.Transactions, tx)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.BlockConnected(block, int32(1000+i))
	}
}

// BenchmarkHolderCommitmentClaim: a force close's claim (our signature of
// the commitment, the anchor descriptor), once per fee bump.
func BenchmarkHolderCommitmentClaim(b *testing.B) {
	ch := newTestChannel(b, commit.AnchorsZeroFeeHTLC)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ch.a.mon.HolderCommitmentClaim(ch.a.signer); err != nil {
			b.Fatal(err)
		}
	}
}

// monitorWithPreimages is a monitor holding n preimages.
func monitorWithPreimages(b *testing.B, n int) *monitor.ChannelMonitor {
	b.Helper()
	m := newTestChannel(b, commit.AnchorsZeroFeeHTLC).a.mon
	u := &monitor.Update{ID: 1}
	for i := 0; i < n; i++ {
		var p lnwire.Preimage
		binary.BigEndian.PutUint64(p[:], uint64(i))
		u.Steps = append(u.Steps, &monitor.PaymentPreimage{Preimage: p})
	}
	require.NoError(b, m.Apply(u))
	return m
}

// BenchmarkMonitorPreimages: the full write and the load of a monitor
// holding 10,000 preimages (kept for ever: the encoding grows 32 bytes a
// fulfilled HTLC), and applying one more preimage to it.
func BenchmarkMonitorPreimages(b *testing.B) {
	const n = 10_000
	b.Run("encode", func(b *testing.B) {
		m := monitorWithPreimages(b, n)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			encoded(b, m)
		}
	})
	b.Run("decode", func(b *testing.B) {
		raw := encoded(b, monitorWithPreimages(b, n))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, err := monitor.Decode(raw)
			require.NoError(b, err)
		}
	})
	b.Run("apply", func(b *testing.B) {
		m := monitorWithPreimages(b, n)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var p lnwire.Preimage
			binary.BigEndian.PutUint64(p[8:], uint64(i))
			require.NoError(b, m.Apply(&monitor.Update{ID: m.LatestUpdateID() + 1, Steps: []monitor.Step{&monitor.PaymentPreimage{Preimage: p}}}))
		}
	})
}
