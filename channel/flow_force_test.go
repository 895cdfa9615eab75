package channel_test

import (
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
)

// spendables returns the outputs of the SpendableOutputs events node
// handled.
func spendables(n *lnkittest.Node) []spendable.Output {
	var out []spendable.Output
	for _, e := range n.EventLog {
		if s, ok := e.(*events.SpendableOutputs); ok {
			out = append(out, s.Outputs...)
		}
	}
	return out
}

// TestForceClose force-closes a channel from either side, for both types:
// the closer's commitment confirms (through its anchor with the wallet's
// CPFP for anchor channels), the other side sweeps its to_remote, and the
// closer sweeps its to_local after its to_self_delay; every sweep is
// valid under the script engine (simchain checks every input) and the
// amounts add up to the satoshi.
func TestForceClose(t *testing.T) {
	for _, tc := range []struct {
		name     string
		typ      lnkittest.ChannelType
		byOpener bool
	}{
		{"anchors/opener", lnkittest.Anchors, true},
		{"anchors/acceptor", lnkittest.Anchors, false},
		{"static_remotekey/opener", lnkittest.StaticRemoteKey, true},
		{"static_remotekey/acceptor", lnkittest.StaticRemoteKey, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := lnkittest.NewNetwork(t, lnkittest.Options{Seed: 9})
			a, b := net.Node(0), net.Node(1)
			const push = 300_000_000 // msat
			id := net.OpenChannel(a, b, 1_000_000, tc.typ, lnkittest.OpenOptions{Push: push})
			if tc.typ == lnkittest.Anchors {
				net.FundWallet(a, 100_000) // coins for the anchor bump
				net.FundWallet(b, 100_000)
			}
			// Fees rose since the commitment was signed.
			net.Fees.Set(5_000)
			closer, other := a, b
			if !tc.byOpener {
				closer, other = b, a
			}
			funding := net.Channel(a, id).FundingOutPoint
			require.NoError(t, closer.Channels.ForceCloseChannel(id, other.ID(), "test"))
			net.DeliverAll() // the error: the other side fails the channel too
			_, err := net.ProcessEvents(closer)
			require.NoError(t, err)
			_, err = net.ProcessEvents(other)
			require.NoError(t, err)

			cc, oc := closedEvents(closer), closedEvents(other)
			require.Len(t, cc, 1)
			require.Equal(t, events.ClosedHolderForceClosed, cc[0].Reason.Kind)
			require.True(t, cc[0].Reason.Broadcast)
			require.Len(t, oc, 1)
			require.Equal(t, events.ClosedCounterpartyError, oc[0].Reason.Kind)
			require.Empty(t, closer.Channels.ListChannels())
			require.Empty(t, other.Channels.ListChannels())

			if tc.typ == lnkittest.Anchors {
				// Our commitment's own rate is below today's sweep rate:
				// the closer asked its wallet for a CPFP through the anchor.
				var bumps int
				for _, e := range closer.EventLog {
					if _, ok := e.(*events.BumpTransaction); ok {
						bumps++
					}
				}
				require.Equal(t, 1, bumps)
				require.Empty(t, closer.BumpFailures)
				require.Len(t, net.Chain.Mempool(), 2, "commitment and its CPFP child")
			}
			net.Mine(1)
			spend, ok := net.Chain.Spender(funding)
			require.True(t, ok, "a commitment confirmed")
			require.Positive(t, spend.Height)
			block, ok := net.Chain.BlockAt(spend.Height)
			require.True(t, ok)
			var commitTx *btcwire.MsgTx
			for _, tx := range block.Transactions {
				if tx.TxHash() == spend.TxID {
					commitTx = tx
				}
			}
			require.NotNil(t, commitTx)

			net.Mine(6)
			_, err = net.ProcessEvents(other)
			require.NoError(t, err)
			_, err = net.ProcessEvents(closer)
			_ = err // to_local waits for its delay
			toSelf := int(channel.DefaultUserConfig().Handshake.ToSelfDelay)
			net.Mine(toSelf)
			_, err = net.ProcessEvents(closer)
			require.NoError(t, err)
			net.Mine(1)

			// Each side's claim is its commitment output, and every claim
			// was swept by a confirmed transaction.
			claimed := func(n *lnkittest.Node) btcutil.Amount {
				var sum btcutil.Amount
				for _, o := range spendables(n) {
					require.Equal(t, commitTx.TxHash(), o.OutPoint.Hash)
					sweep, ok := net.Chain.Spender(o.OutPoint)
					require.True(t, ok, "swept: %v", o.OutPoint)
					require.Positive(t, sweep.Height, "the sweep confirmed")
					sum += btcutil.Amount(o.Value)
				}
				return sum
			}
			openerOut, acceptorOut := claimed(a), claimed(b)
			// The acceptor owns the push, to the satoshi; the opener the rest
			// minus the commitment fee and the anchors.
			require.Equal(t, btcutil.Amount(push/1000), acceptorOut)
			var outs btcutil.Amount
			for _, o := range commitTx.TxOut {
				outs += btcutil.Amount(o.Value)
			}
			fee := btcutil.Amount(1_000_000) - outs
			anchors := btcutil.Amount(0)
			if tc.typ == lnkittest.Anchors {
				anchors = 660
			}
			require.Equal(t, btcutil.Amount(700_000)-fee-anchors, openerOut)
		})
	}
}
