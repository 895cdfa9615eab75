package lnkittest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

const (
	cheatCapacity btcutil.Amount    = 1_000_000
	cheatPush     wire.MilliSatoshi = 200_000_000
)

// cheat is a channel from a (the cheater, recording its commitments) to b
// after a history of payments both ways.
type cheat struct {
	net  *lnkittest.Network
	a, b *lnkittest.Node
	id   wire.ChannelID
	// received is the preimage of the payment b made to a that a held
	// while commitments were signed, then claimed.
	received wire.Preimage
}

// cheatHistory opens a channel from a to b and moves money both ways so
// that a holds commitments of every shape: the first one (no HTLC), ones
// with an HTLC it offered, one it received, a trimmed one, several at once,
// each signed while the payee's application held the payment, and then
// their removals. It stops once a holds more than until commitments (all
// of them for a negative until), the network at rest: every commitment of
// a but its last is revoked. The same options give the same history.
func cheatHistory(t *testing.T, opts lnkittest.Options, ct lnkittest.ChannelType, until int) *cheat {
	t.Helper()
	net := lnkittest.NewNetwork(t, opts)
	a, b := net.Node(0), net.Node(1)
	a.RecordHolderCommitments = true
	// The cheater's own node runs the cheater's code: its monitor claims
	// nothing; the tests race b's justice with a's transactions
	// themselves (Chain.MineTx).
	a.WithholdClaims = true
	c := &cheat{net: net, a: a, b: b}
	c.id = net.OpenChannel(a, b, cheatCapacity, ct, lnkittest.OpenOptions{Push: cheatPush})
	net.Settle()
	pay := func(from, to *lnkittest.Node, amount wire.MilliSatoshi) {
		t.Helper()
		_, err := net.Pay(from, to, amount)
		require.NoError(t, err)
	}
	steps := []func(){
		func() {
			b.Claims, a.Claims = lnkittest.HoldPayments, lnkittest.HoldPayments
			pay(a, b, 40_000_000) // a offers it, b holds it
		},
		func() { pay(b, a, 30_000_000) }, // a receives it and holds it
		func() {
			held := a.Claimable()
			require.Len(t, held, 1)
			pre, ok := held[0].Purpose.Preimage.Get()
			require.True(t, ok)
			c.received = pre
			pay(a, b, 300_000) // below the dust limits: trimmed
		},
		func() { require.NoError(t, net.Claim(a, c.received)) },
		func() {
			for _, p := range b.Claimable() {
				pre, ok := p.Purpose.Preimage.Get()
				require.True(t, ok)
				require.NoError(t, net.Claim(b, pre))
			}
			b.Claims, a.Claims = lnkittest.ClaimPayments, lnkittest.ClaimPayments
		},
		func() { pay(b, a, 10_000_000) },
	}
	for _, step := range steps {
		if until >= 0 && len(a.HolderCommitments(c.id)) > until {
			break
		}
		step()
		net.Settle()
	}
	return c
}

// commitments returns a's recorded commitments, checking there is one per
// number from 0.
func (c *cheat) commitments(t *testing.T) []*lnkittest.HolderCommitment {
	t.Helper()
	hs := c.a.HolderCommitments(c.id)
	for i, h := range hs {
		require.Equal(t, uint64(i), h.Number)
	}
	return hs
}

// wallets is what the two wallets hold, confirmed.
type wallets struct{ a, b btcutil.Amount }

func (c *cheat) wallets() wallets {
	return wallets{c.a.Wallet.Balance().Confirmed, c.b.Wallet.Balance().Confirmed}
}

// broadcast has a broadcast its commitment h: to the mempool.
func (c *cheat) broadcast(t *testing.T, h *lnkittest.HolderCommitment) {
	t.Helper()
	require.NoError(t, c.net.Chain.BroadcastTransactions(context.Background(), h.Tx))
}

// process has node's application handle its events, failing the test on
// an error.
func (c *cheat) process(t *testing.T, node *lnkittest.Node) {
	t.Helper()
	_, err := c.net.ProcessEvents(node)
	require.NoError(t, err)
}

// finish mines until b's monitor gave it its to_remote output (six
// blocks deep) and its wallet swept it, and until that sweep confirmed.
func (c *cheat) finish(t *testing.T) {
	t.Helper()
	c.net.DeliverAll()
	c.net.Mine(6)
	c.net.DeliverAll()
	c.process(t, c.b)
	c.processCheater(t)
	c.net.Mine(1)
	c.process(t, c.b)
}

// processCheater has a's application handle its events. The sweep of
// its revoked commitment's to_local fails (recorded in a.SweepFailures,
// not an error): a's monitor takes its last revoked commitment for its
// own (it keeps the previous holder commitment, not knowing it is
// revoked) and hands out the to_local after a's to_self_delay, when b's
// justice transaction took it long before.
func (c *cheat) processCheater(t *testing.T) {
	t.Helper()
	_, err := c.net.ProcessEvents(c.a)
	require.NoError(t, err)
}

// resolved is how the outputs of a revoked commitment (anchors aside)
// ended on chain.
type resolved struct {
	// in is what the commitment's outputs held.
	in btcutil.Amount
	// fees were paid by the confirmed transactions spending them, and
	// those spending their outputs, and so on.
	fees btcutil.Amount
	// txs are those transactions, in chain order.
	txs []*btcwire.MsgTx
	// leaves are the unspent outputs at the end.
	leaves []*btcwire.TxOut
}

// resolution follows the outputs of h's transaction but its anchors down
// the chain: every spend must be confirmed and spend only outputs of the
// tree.
func resolution(t *testing.T, net *lnkittest.Network, h *lnkittest.HolderCommitment) resolved {
	t.Helper()
	var r resolved
	values := map[btcwire.OutPoint]btcutil.Amount{}
	var frontier []btcwire.OutPoint
	add := func(tx *btcwire.MsgTx, skip func(int) bool) {
		txid := tx.TxHash()
		for i, o := range tx.TxOut {
			if skip(i) {
				continue
			}
			op := btcwire.OutPoint{Hash: txid, Index: uint32(i)}
			values[op] = btcutil.Amount(o.Value)
			frontier = append(frontier, op)
		}
	}
	add(h.Tx, h.Anchor)
	for _, v := range values {
		r.in += v
	}
	seen := map[chainhash.Hash]bool{}
	for len(frontier) > 0 {
		op := frontier[0]
		frontier = frontier[1:]
		s, ok := net.Chain.Spender(op)
		if !ok {
			txid := op.Hash
			tx := confirmedTx(t, net, txid)
			r.leaves = append(r.leaves, tx.TxOut[op.Index])
			continue
		}
		require.Positive(t, s.Height, "the spend of %v is confirmed", op)
		if seen[s.TxID] {
			continue
		}
		seen[s.TxID] = true
		tx := confirmedTx(t, net, s.TxID)
		fee := btcutil.Amount(0)
		for _, in := range tx.TxIn {
			v, ok := values[in.PreviousOutPoint]
			require.True(t, ok, "%v spends %v, not an output of the resolution", s.TxID, in.PreviousOutPoint)
			fee += v
		}
		for _, o := range tx.TxOut {
			fee -= btcutil.Amount(o.Value)
		}
		require.GreaterOrEqual(t, fee, btcutil.Amount(0))
		r.fees += fee
		r.txs = append(r.txs, tx)
		add(tx, func(int) bool { return false })
	}
	return r
}

// confirmedTx returns the confirmed transaction txid.
func confirmedTx(t testing.TB, net *lnkittest.Network, txid chainhash.Hash) *btcwire.MsgTx {
	t.Helper()
	conf := net.Chain.Confirmations(txid)
	require.Positive(t, conf, "%v is confirmed", txid)
	block, ok := net.Chain.BlockAt(net.Chain.Tip().Height - conf + 1)
	require.True(t, ok)
	for _, tx := range block.Transactions {
		if tx.TxHash() == txid {
			return tx
		}
	}
	t.Fatalf("%v is not in its block", txid)
	return nil
}

// requireJustice checks that everything h's outputs held (anchors aside)
// is in b's wallet but the fees of the transactions that moved it there,
// and that a's wallet got nothing: b's wallet grew by exactly that, a's
// not at all.
func (c *cheat) requireJustice(t *testing.T, h *lnkittest.HolderCommitment, before wallets) resolved {
	t.Helper()
	r := resolution(t, c.net, h)
	var got btcutil.Amount
	for _, l := range r.leaves {
		require.True(t, c.b.Wallet.IsMine(l.PkScript), "every output ends in b's wallet")
		got += btcutil.Amount(l.Value)
	}
	require.Equal(t, r.in-r.fees, got)
	after := c.wallets()
	require.Equal(t, before.b+got, after.b, "b's wallet: the commitment's outputs but the fees")
	require.Equal(t, before.a, after.a, "a's wallet: nothing from the channel")
	return r
}

// requireClosed checks that both nodes closed the channel and still run.
func (c *cheat) requireClosed(t *testing.T) {
	t.Helper()
	requireClosedOnce(t, c.id, c.a, c.b)
}

// requireClosedOnce checks that each node runs, no longer lists channel
// id and got exactly one ChannelClosed for it.
func requireClosedOnce(t *testing.T, id wire.ChannelID, nodes ...*lnkittest.Node) {
	t.Helper()
	for _, n := range nodes {
		require.True(t, n.Running())
		for _, d := range n.Channels.ListChannels() {
			require.NotEqual(t, id, d.ChannelID, "node %d still lists the channel", n.Index)
		}
		var closed int
		for _, e := range lnkittest.Logged[*events.ChannelClosed](n) {
			if e.ChannelID == id {
				closed++
			}
		}
		require.Equal(t, 1, closed, "node %d's ChannelClosed", n.Index)
	}
}

var cheatTypes = []struct {
	name string
	ct   lnkittest.ChannelType
}{{"anchors", lnkittest.Anchors}, {"static_remotekey", lnkittest.StaticRemoteKey}}

// TestCheaterLosesEverything: a broadcasts each of its revoked
// commitments in turn (a fresh network each time, with the same history),
// from the first to the last-but-one; b's ChainMonitor takes every output
// but the anchors with justice transactions (its own to_remote through its
// wallet's sweep), so that b's wallet ends with everything the commitment
// held minus the fees of those transactions, read from the chain, to the
// satoshi; a's wallet gets nothing; both nodes close the channel and keep
// running.
func TestCheaterLosesEverything(t *testing.T) {
	for _, typ := range cheatTypes {
		t.Run(typ.name, func(t *testing.T) {
			t.Parallel()
			n := len(cheatHistory(t, lnkittest.Options{Seed: 31}, typ.ct, -1).commitments(t))
			require.GreaterOrEqual(t, n, 8)
			for k := range n - 1 {
				t.Run(fmt.Sprint(k), func(t *testing.T) {
					t.Parallel()
					c := cheatHistory(t, lnkittest.Options{Seed: 31}, typ.ct, k+1)
					h := c.commitments(t)[k]
					before := c.wallets()
					c.broadcast(t, h)
					c.net.Mine(1) // the breach; b broadcasts its justice transaction
					c.net.Mine(1) // which confirms
					c.finish(t)
					r := c.requireJustice(t, h, before)
					t.Logf("commitment %d: %d outputs, %d sat, %d sat of fees in %d transactions", k, len(h.Tx.TxOut), r.in, r.fees, len(r.txs))
					c.requireClosed(t)
				})
			}
		})
	}
}

// htlcOutput returns the index of h's HTLC output of kind k (its first),
// or -1.
func htlcOutput(h *lnkittest.HolderCommitment, k commit.OutputKind) int {
	for i, o := range h.Outputs {
		if o.Kind == k {
			return i
		}
	}
	return -1
}

// bothUntil is the history (cheatHistory's until) that revokes a's
// commitments holding both an HTLC it offered and one it received.
const bothUntil = 4

// revokedWithBoth returns a's last revoked commitment holding an HTLC it
// offered and the HTLC it received (whose preimage it learned).
func (c *cheat) revokedWithBoth(t *testing.T) *lnkittest.HolderCommitment {
	t.Helper()
	hs := c.commitments(t)
	for k := len(hs) - 2; k >= 0; k-- {
		h := hs[k]
		if i := htlcOutput(h, commit.ReceivedHTLCOutput); i >= 0 && h.Outputs[i].HTLC.PaymentHash == c.received.Hash() &&
			htlcOutput(h, commit.OfferedHTLCOutput) >= 0 {
			return h
		}
	}
	t.Fatalf("no revoked commitment of a holds both HTLCs")
	return nil
}

// mineTx mines a block of exactly txs (a's miner: not the mempool, where
// b's justice transaction waits).
func (c *cheat) mineTx(t *testing.T, txs ...*btcwire.MsgTx) {
	t.Helper()
	_, err := c.net.Chain.MineTx(txs...)
	require.NoError(t, err)
}

// requireSpentByB checks that out is spent by a confirmed transaction
// paying b's wallet only.
func (c *cheat) requireSpentByB(t *testing.T, out btcwire.OutPoint) {
	t.Helper()
	s, ok := c.net.Chain.Spender(out)
	require.True(t, ok, "%v is spent", out)
	require.Positive(t, s.Height, "%v's spend is confirmed", out)
	for _, o := range confirmedTx(t, c.net, s.TxID).TxOut {
		require.True(t, c.b.Wallet.IsMine(o.PkScript))
	}
}

// TestCheaterRacesSecondStage: a broadcasts a revoked commitment holding
// an HTLC it received, whose preimage it learned, and an HTLC it offered,
// and races b's justice transaction with its own HTLC transactions, mined
// by its miner (b's justice transaction waits in the mempool): the
// HTLC-success at once (in the commitment's block; in the next one with
// anchors, whose HTLC outputs wait a block), the HTLC-timeout at the
// offered HTLC's expiry, the miner leaving b's justice transaction out
// until then. b's monitor follows each second-stage output and takes it
// with the revocation key: b's wallet ends with everything but the fees,
// to the satoshi, a's with nothing.
func TestCheaterRacesSecondStage(t *testing.T) {
	for _, typ := range cheatTypes {
		t.Run(typ.name, func(t *testing.T) {
			t.Parallel()
			c := cheatHistory(t, lnkittest.Options{Seed: 32}, typ.ct, bothUntil)
			h := c.revokedWithBoth(t)
			success, err := h.HTLCTx(c.received.Hash(), &c.received)
			require.NoError(t, err)
			offered := h.Outputs[htlcOutput(h, commit.OfferedHTLCOutput)].HTLC
			timeout, err := h.HTLCTx(offered.PaymentHash, nil)
			require.NoError(t, err)
			before := c.wallets()

			if typ.ct == lnkittest.Anchors {
				c.mineTx(t, h.Tx)
				require.NotEmpty(t, c.net.Chain.Mempool(), "b's justice transaction")
				c.mineTx(t, success)
			} else {
				c.mineTx(t, h.Tx, success)
			}
			// Until the expiry, a's miner leaves b's justice transactions
			// (which b broadcasts again at every block) out: the shared
			// one (to_local and the HTLC a offered, and the HTLC-success
			// output when it confirmed with the commitment), and, with
			// anchors, the HTLC-success output's own (found after the
			// shared one was handed out).
			want := 1
			if typ.ct == lnkittest.Anchors {
				want = 2
			}
			for c.net.Chain.Tip().Height < int32(offered.CLTVExpiry) {
				require.Len(t, c.justiceInMempool(t), want, "b's justice transactions")
				c.mineTx(t)
			}
			c.mineTx(t, timeout)
			c.net.Mine(1) // b's justice transactions, without the HTLC outputs
			c.finish(t)

			c.requireSpentByB(t, btcwire.OutPoint{Hash: success.TxHash()})
			c.requireSpentByB(t, btcwire.OutPoint{Hash: timeout.TxHash()})
			r := c.requireJustice(t, h, before)
			t.Logf("commitment %d: %d outputs, %d sat, %d sat of fees in %d transactions", h.Number, len(h.Tx.TxOut), r.in, r.fees, len(r.txs))
			c.requireClosed(t)
		})
	}
}
