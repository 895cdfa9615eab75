package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// TestRevokedCommitmentCallback: every counterparty commitment an update
// revokes reaches the RevokedCommitment callback as a Breach whose Tx has
// the txid of the commitment the counterparty holds, with its to_local and
// HTLC outputs; a justice transaction signed from it before anything
// happens on chain (what a watchtower holds) is valid once the cheater
// broadcasts that commitment.
func TestRevokedCommitmentCallback(t *testing.T) {
	for _, tc := range channelTypes {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, tc.typ)
			var got []*monitor.Breach
			cm, err := monitor.NewChainMonitor(monitor.ChainMonitorConfig{
				Persister:         newKV(t, persisttest.NewCrashStore(), 100),
				RevokedCommitment: func(b *monitor.Breach) { got = append(got, b) },
			})
			require.NoError(t, err)
			id := ch.b.mon.ChannelID()
			require.Equal(t, monitor.Completed, cm.WatchChannel(id, ch.b.mon))
			hs := breachHTLCs()
			states := map[uint64]*commit.State{}
			for n := uint64(1); n <= 3; n++ {
				st := htlcStateA(t, n, ch.a, aBalance-100_000_000, hs[:n%2+1])
				states[n] = st
				require.Equal(t, monitor.Completed, cm.UpdateChannel(id, &monitor.Update{ID: ch.b.mon.LatestUpdateID() + 1, Steps: []monitor.Step{
					&monitor.NewCounterpartyCommitment{State: flipped(st)},
					&monitor.CommitmentSecret{Number: n - 1, Secret: secret(t, ch.a.signer, n-1)},
				}}))
			}
			// Commitment 0 (from the channel's start) and 1, 2.
			require.Len(t, got, 3)
			for i, b := range got {
				require.Equal(t, uint64(i), b.Number)
			}
			b := got[2]
			rc := signedCommitmentA(t, ch, states[2])
			require.Equal(t, rc.tx.TxHash(), b.Tx.TxHash())
			require.Len(t, b.Outputs, 1+len(states[2].HTLCs))
			dest := commit.P2WPKH(ch.b.signer.Basepoints().PaymentBasepoint)
			justice, err := b.JusticeTx(b.Outputs, dest, 1500, ch.b.signer)
			require.NoError(t, err)

			c := ch.chain
			_, err = c.MineTx(rc.tx)
			require.NoError(t, err)
			require.NoError(t, c.Broadcast(justice), "the tower's transaction")
			c.Mine(1)
			require.Positive(t, c.Confirmations(justice.TxHash()))
		})
	}
}
