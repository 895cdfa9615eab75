package lnkittest_test

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
)

// The consistency fuzzer's on-chain invariants, checked once the settle
// has resolved everything on chain.
//
// Conservation, in satoshis, read from the chain itself (every block,
// every output):
//
//	Σ nodes' coins + Σ open channels' capacity + unspent anchors + fees
//	  == Σ nodes' coins + Σ channels' capacity, at the end of the setup
//
// where a node's coins are the unspent outputs its wallet owns (checked
// against the wallet's own books: Confirmed + Locked + Immature, nothing
// Unconfirmed) and those its application keeps to sweep when the fee rate
// allows (keeperOf), fees are those of every transaction confirmed since the
// setup, and no other output may be left unspent: every output of a
// closing transaction went, through confirmed transactions, to a wallet
// (anchors aside: 330 sat each, anyone's after 16 blocks, that nothing
// sweeps unless a wallet bumps with its own). An open channel counts at
// its capacity; its balances sum to it to the msat (checkQuiescent), as
// does each closed channel's history: trimmed HTLCs and the msat below a
// satoshi went to the closing transaction's fee.
//
// Who got a closed channel's outputs: the closing transaction is a
// commitment one of the two nodes recorded (Node.RecordHolderCommitments);
// each of its outputs (anchors aside) must end in the wallet of the side
// it pays: the broadcaster's to_local, the other side's to_remote, an HTLC
// to the payee when the payment succeeded and back to the payer when it
// failed. A revoked commitment (two or more behind the broadcaster's last:
// the honest side has surely received its revocation) must pay everything
// to the honest side: a revoked-state broadcaster never gains; one just
// behind the last may be either (the revocation may not have reached the
// honest side).

// coins returns, from the chain, the value of the unspent outputs each
// node's wallet owns, of open channels' funding outputs, and of unspent
// anchors, the fees of the transactions confirmed above height from, and
// the unspent outputs that are none of these.
func (c *consistency) coins(from int32) (nodes, kept []btcutil.Amount, funding, anchors, fees btcutil.Amount, stray []btcwire.OutPoint) {
	unspent := map[btcwire.OutPoint]*btcwire.TxOut{}
	var order []btcwire.OutPoint
	closings := map[chainhash.Hash]bool{}
	fundings := map[btcwire.OutPoint]int{}
	for i, ch := range c.chans {
		fundings[ch.funding] = i
	}
	for h := int32(1); h <= c.net.Chain.Tip().Height; h++ {
		block, _ := c.net.Chain.BlockAt(h)
		for _, tx := range block.Transactions[1:] {
			txid := tx.TxHash()
			var in btcutil.Amount
			for _, txIn := range tx.TxIn {
				if _, ok := fundings[txIn.PreviousOutPoint]; ok {
					closings[txid] = true
				}
				o, ok := unspent[txIn.PreviousOutPoint]
				if !ok {
					if h > from {
						c.t.Fatalf("height %d: %v spends %v, no output of the chain", h, txid, txIn.PreviousOutPoint)
					}
					continue // simchain.Fund's made-up input
				}
				in += btcutil.Amount(o.Value)
				delete(unspent, txIn.PreviousOutPoint)
			}
			var out btcutil.Amount
			for j, o := range tx.TxOut {
				out += btcutil.Amount(o.Value)
				op := btcwire.OutPoint{Hash: txid, Index: uint32(j)}
				unspent[op] = o
				order = append(order, op)
			}
			if h > from {
				fees += in - out
			}
		}
	}
	nodes, kept = make([]btcutil.Amount, len(c.nodes)), make([]btcutil.Amount, len(c.nodes))
	for _, op := range order {
		o, ok := unspent[op]
		if !ok {
			continue
		}
		v := btcutil.Amount(o.Value)
		if k := c.walletOf(o.PkScript); k >= 0 {
			nodes[k] += v
			continue
		}
		if k := c.keeperOf(op); k >= 0 {
			kept[k] += v
			continue
		}
		if i, ok := fundings[op]; ok && !c.closing[i] {
			funding += v
			continue
		}
		if closings[op.Hash] && o.Value == anchorValue {
			anchors += v
			continue
		}
		stray = append(stray, op)
	}
	return nodes, kept, funding, anchors, fees, stray
}

// recordStart records the chain's state at the end of the setup.
func (c *consistency) recordStart() {
	c.setupHeight = c.net.Chain.Tip().Height
	nodes, _, funding, _, _, stray := c.coins(c.setupHeight)
	if len(stray) > 0 {
		c.t.Fatalf("setup: stray output %v", stray[0])
	}
	c.startFunds = funding
	for _, v := range nodes {
		c.startFunds += v
	}
}

// checkFunds checks conservation and the wallets' books.
func (c *consistency) checkFunds() {
	t := c.t
	nodes, kept, funding, anchors, fees, stray := c.coins(c.setupHeight)
	for _, op := range stray {
		t.Errorf("output %v is in no wallet: lost", op)
	}
	total := funding + anchors + fees
	for i, v := range nodes {
		total += v + kept[i]
		node := c.nodes[i]
		b := node.Wallet.Balance()
		if b.Confirmed+b.Locked+b.Immature != v || b.Unconfirmed != 0 {
			t.Errorf("node %d: wallet books %+v, the chain gives it %v", i, b, v)
		}
		if len(node.SweepFailures) > 0 && !c.cheater(i) {
			t.Errorf("node %d (honest): a sweep of outputs spent already: %v", i, node.SweepFailures[0])
		}
	}
	if total != c.startFunds {
		t.Errorf("funds not conserved: %v at the start, now %v (wallets %v, kept %v, open channels %v, anchors %v, fees %v)",
			c.startFunds, total, nodes, kept, funding, anchors, fees)
	}
}

// closing is how a closed channel closed on chain.
type closing struct {
	// h is the confirmed commitment; b broadcast it, o is the other side.
	h    *lnkittest.HolderCommitment
	b, o int
	// revoked: the honest side surely had its revocation; maybe: it may
	// have.
	revoked, maybe bool
}

// closingOf finds the confirmed commitment that closed channel i.
func (c *consistency) closingOf(i int) (closing, bool) {
	ch := c.chans[i]
	s, ok := c.net.Chain.Spender(ch.funding)
	if !ok || s.Height == 0 {
		return closing{}, false
	}
	for _, e := range [][2]int{{ch.a, ch.b}, {ch.b, ch.a}} {
		hs := c.nodes[e[0]].HolderCommitments(ch.id)
		for _, h := range hs {
			if h.Tx.TxHash() == s.TxID {
				last := hs[len(hs)-1].Number
				return closing{h: h, b: e[0], o: e[1], revoked: h.Number+2 <= last, maybe: h.Number+1 == last}, true
			}
		}
	}
	return closing{}, false
}

// checkClosed checks every closed channel: closed once on both sides,
// closed on chain by a commitment of one side, each output gone to whom
// it pays.
func (c *consistency) checkClosed() {
	t := c.t
	c.closings = map[int]closing{}
	for i, ch := range c.chans {
		if !c.closing[i] {
			continue
		}
		for _, k := range []int{ch.a, ch.b} {
			if _, ok := details(c.nodes[k], ch.id); ok {
				t.Errorf("node %d still lists closed channel %d", k, i)
			}
			n := 0
			for _, e := range lnkittest.Logged[*events.ChannelClosed](c.nodes[k]) {
				if e.ChannelID == ch.id {
					n++
				}
			}
			if n != 1 {
				t.Errorf("node %d: %d ChannelClosed for channel %d", k, n, i)
			}
		}
		cl, ok := c.closingOf(i)
		if !ok {
			t.Errorf("channel %d: not closed by a commitment of either side", i)
			continue
		}
		c.closings[i] = cl
		normal := c.misdirected(cl, false)
		justice := c.misdirected(cl, true)
		c.logf("channel %d closed by node %d's commitment %d (revoked %v, maybe %v): %d outputs",
			i, cl.b, cl.h.Number, cl.revoked, cl.maybe, len(cl.h.Tx.TxOut))
		switch {
		case cl.revoked && justice != "":
			t.Errorf("channel %d: revoked commitment %d of node %d: %s (the cheater gained)", i, cl.h.Number, cl.b, justice)
		case cl.maybe && normal != "" && justice != "":
			t.Errorf("channel %d: commitment %d of node %d (its last but one): %s; as a breach: %s", i, cl.h.Number, cl.b, normal, justice)
		case !cl.revoked && !cl.maybe && normal != "":
			t.Errorf("channel %d: commitment %d of node %d: %s", i, cl.h.Number, cl.b, normal)
		}
	}
}

// misdirected returns the first output of cl's commitment that did not end
// with the side it pays ("" when none): everything to the honest side for
// a breach.
func (c *consistency) misdirected(cl closing, breach bool) string {
	txid := cl.h.Tx.TxHash()
	for j := range cl.h.Tx.TxOut {
		if cl.h.Anchor(j) {
			continue
		}
		op := btcwire.OutPoint{Hash: txid, Index: uint32(j)}
		got := c.owner(op)
		want := cl.o
		switch {
		case breach:
		case cl.h.Outputs == nil:
			// The first commitment (no HTLC): to_local and to_remote
			// are not told apart.
			if got == cl.b {
				want = cl.b
			}
		default:
			want = c.payee(cl, cl.h.Outputs[j])
		}
		if got != want {
			return describeOutput(cl, j, got, want)
		}
	}
	return ""
}

// payee returns who output o of cl's commitment pays.
func (c *consistency) payee(cl closing, o commit.Output) int {
	switch o.Kind {
	case commit.ToLocalOutput:
		return cl.b
	case commit.ToRemoteOutput:
		return cl.o
	}
	payer, to := cl.b, cl.o // OfferedHTLCOutput: b offered it
	if o.Kind == commit.ReceivedHTLCOutput {
		payer, to = cl.o, cl.b
	}
	for _, e := range lnkittest.Logged[*events.PaymentSent](c.nodes[payer]) {
		if e.PaymentHash == o.HTLC.PaymentHash {
			return to
		}
	}
	return payer
}

// describeOutput says where output j of cl's commitment went.
func describeOutput(cl closing, j, got, want int) string {
	var kind any = "output"
	if cl.h.Outputs != nil {
		kind = cl.h.Outputs[j].Kind
	}
	return fmt.Sprintf("%v %d went to %s, not to node %d", kind, j, ownerName(got), want)
}

// ownerName names what owner returned.
func ownerName(o int) string {
	switch o {
	case ownerNone:
		return "no one (unresolved)"
	case ownerAnchor:
		return "an anchor"
	case ownerMixed:
		return "several wallets"
	}
	return fmt.Sprintf("node %d", o)
}
