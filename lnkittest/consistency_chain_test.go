package lnkittest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// The consistency fuzzer's on-chain actions (the escape op byte opChain
// and a sub-op byte): a node force-closes a channel; a node broadcasts one
// of its revoked commitments (a cheater); blocks are mined; the last
// blocks are reorganised away. The cheater's ChainMonitor runs as any
// node's does (it is not Node.WithholdClaims): it takes its revoked
// commitment for a commitment of its own and claims what it believes is
// its, racing the honest side's justice, as a node restored from an old
// backup would. Only its application differs: its sweeps of outputs the
// justice transactions took fail (Node.SweepFailures), which honest nodes
// must never see.

// The sub-ops of opChain, by the sub-op byte modulo consChainOps.
const (
	chainForceClose = iota
	chainCheat
	chainMine
	chainReorg
	consChainOps
)

const (
	// consMaxChainBlocks bounds the blocks the on-chain actions mine
	// (besides consMaxBlocks of opMine).
	consMaxChainBlocks = 60
	// consMaxMine is the most blocks one chainMine mines.
	consMaxMine = 8
	// consMaxReorg is the deepest reorganisation (the new branch is one
	// block longer). It never reaches the blocks of the setup, which
	// confirmed the funding transactions.
	consMaxReorg = 3
	// consToSelfDelay is the to_self_delay of every channel: short, so
	// that the settle's on-chain resolution is quick.
	consToSelfDelay = 12
	// consMaxSettleBlocks bounds the blocks the settle mines for the
	// on-chain resolutions to end: past every HTLC's expiry (the
	// invoices' final CLTV and the keysends' are under 100 blocks), a
	// second-stage delay and AntiReorgDelay, with room.
	consMaxSettleBlocks = 300
)

// consCheat is a revoked commitment a node broadcast (the mempool took
// it).
type consCheat struct {
	node int
	ch   int
	h    *lnkittest.HolderCommitment
}

// chainStep runs the on-chain action sub picks.
func (c *consistency) chainStep(sub byte) {
	switch int(sub) % consChainOps {
	case chainForceClose:
		c.forceClose(c.arg())
	case chainCheat:
		c.cheat(c.arg(), c.arg())
	case chainMine:
		n := 1 + int(c.arg())%consMaxMine
		n = min(n, consMaxChainBlocks-c.chainBlocks)
		if n > 0 {
			c.chainBlocks += n
			c.logf("mine %d blocks (height %d)", n, c.net.Chain.Tip().Height+int32(n))
			c.net.Mine(n)
		}
	case chainReorg:
		depth := 1 + int(c.arg())%consMaxReorg
		above := int(c.net.Chain.Tip().Height - c.setupHeight)
		depth = min(depth, above)
		if depth > 0 && c.chainBlocks+depth+1 <= consMaxChainBlocks {
			c.chainBlocks += depth + 1
			c.logf("reorg %d blocks, %d new (height %d)", depth, depth+1, c.net.Chain.Tip().Height+1)
			c.net.Reorg(depth, depth+1)
		}
	}
}

// forceClose has one end of the channel x picks force-close it.
func (c *consistency) forceClose(x byte) {
	i, node, peer := c.ends(x)
	ch := c.chans[i]
	if !node.Running() {
		return
	}
	if _, ok := details(node, ch.id); !ok {
		return
	}
	err := node.Channels.ForceCloseChannel(ch.id, peer.ID(), "consistency fuzzer")
	c.logf("node %d force-closes %x: %v", node.Index, ch.id[:2], err)
	if err != nil {
		c.t.Fatalf("force close: %v", err)
	}
	c.closing[i] = true
	c.process(node)
}

// cheat has one end of the channel x picks broadcast its revoked
// commitment y picks, if it has one.
func (c *consistency) cheat(x, y byte) {
	i, node, _ := c.ends(x)
	hs := node.HolderCommitments(c.chans[i].id)
	if len(hs) < 2 {
		return
	}
	h := hs[int(y)%(len(hs)-1)]
	err := c.net.Chain.BroadcastTransactions(context.Background(), h.Tx)
	c.logf("node %d broadcasts its revoked commitment %d (of %d) of %x: %v", node.Index, h.Number, len(hs), c.chans[i].id[:2], err)
	if err == nil {
		c.closing[i] = true
		c.cheats = append(c.cheats, consCheat{node: node.Index, ch: i, h: h})
	}
}

// markSpent adds to c.closing the channels whose funding output a
// transaction spends (in the chain or the mempool): a node closed it on
// its own (an HTLC's deadline).
func (c *consistency) markSpent() {
	for i, ch := range c.chans {
		if _, ok := c.net.Chain.Spender(ch.funding); ok && !c.closing[i] {
			c.logf("channel %x: funding spent", ch.id[:2])
			c.closing[i] = true
			c.spentByNode[i] = true
		}
	}
}

// settleChain mines, block by block, until every on-chain resolution has
// ended (resolvedOnChain), each block followed by a settle round: the
// applications sweep, bump and claim as they go. The fee rate drops to
// the floor first, so that the sweeps an application kept for a lower rate
// go through; what is still not worth the wallet's fee cap stays with it
// (keeperOf).
func (c *consistency) settleChain() {
	if len(c.closing) == 0 {
		return
	}
	c.logf("settle on chain from height %d", c.net.Chain.Tip().Height)
	// Fees calm down: the sweeps the applications kept for a lower rate
	// go through.
	c.net.Fees.Set(wire.FeeRateFloor)
	for range consMaxSettleBlocks {
		moved := c.settleRound()
		if !moved && c.resolvedOnChain() == "" {
			return
		}
		c.net.Mine(1)
	}
	c.t.Fatalf("settle: on-chain resolution stuck after %d blocks: %s", consMaxSettleBlocks, c.resolvedOnChain())
}

// resolvedOnChain returns why the on-chain resolution has not ended yet,
// "" when it has: the mempool is empty; every closed channel's funding
// output is spent AntiReorgDelay deep; every output of the closing
// transactions (anchors aside) went, through confirmed transactions, to a
// node's wallet; every payment has ended; and no honest node's ChainMonitor still lists a balance
// of a closed channel.
func (c *consistency) resolvedOnChain() string {
	if mp := c.net.Chain.Mempool(); len(mp) > 0 {
		return "mempool holds " + mp[0].TxHash().String()
	}
	for i := range c.chans {
		if !c.closing[i] {
			continue
		}
		s, ok := c.net.Chain.Spender(c.chans[i].funding)
		if !ok || s.Height == 0 || c.net.Chain.Tip().Height-s.Height+1 < monitor.AntiReorgDelay {
			return fmt.Sprintf("channel %x: funding spend not %d deep", c.chans[i].id[:2], monitor.AntiReorgDelay)
		}
		tx := confirmedTx(c.t, c.net, s.TxID)
		for j := range tx.TxOut {
			op := btcwire.OutPoint{Hash: s.TxID, Index: uint32(j)}
			if o := c.owner(op); o == ownerNone {
				var kind any = "?"
				by := "neither side's commitment"
				if cl, ok := c.closingOf(i); ok {
					if cl.h.Outputs != nil {
						kind = cl.h.Outputs[j].Kind
					}
					by = fmt.Sprintf("node %d's commitment %d", cl.b, cl.h.Number)
				}
				_, spent := c.net.Chain.Spender(op)
				return fmt.Sprintf("output %v (%v, %d sat, spent %v) of channel %x's closing (%s) unresolved", op, kind, tx.TxOut[j].Value, spent, c.chans[i].id[:2], by)
			}
		}
	}
	ended := map[channel.PaymentID]bool{}
	for _, node := range c.nodes {
		for _, e := range lnkittest.Logged[*events.PaymentSent](node) {
			ended[e.PaymentID] = true
		}
		for _, e := range lnkittest.Logged[*events.PaymentFailed](node) {
			ended[e.PaymentID] = true
		}
	}
	var pending []string
	for _, p := range c.payments {
		if !ended[p.id] {
			pending = append(pending, fmt.Sprintf("%x (%d→%d, %v, channel %d)", p.hash[:4], p.from, p.to, p.amount, p.ch))
		}
	}
	if len(pending) > 0 {
		return fmt.Sprintf("payments not ended: %v", pending)
	}
	for _, node := range c.nodes {
		if c.cheater(node.Index) || !node.Running() {
			continue
		}
		for _, b := range node.ChainMonitor.ClaimableBalances() {
			if i := c.chanIndex(b.ChannelID); i >= 0 && c.closing[i] {
				return fmt.Sprintf("node %d still lists %v %v of channel %x", node.Index, b.Kind, b.Amount, b.ChannelID[:2])
			}
		}
	}
	return ""
}

// cheater reports whether node i broadcast a revoked commitment.
func (c *consistency) cheater(i int) bool {
	for _, ch := range c.cheats {
		if ch.node == i {
			return true
		}
	}
	return false
}

// chanIndex returns the index of channel id, or -1.
func (c *consistency) chanIndex(id wire.ChannelID) int {
	for i, ch := range c.chans {
		if ch.id == id {
			return i
		}
	}
	return -1
}

// What owner returns besides a node's index.
const (
	// ownerNone: the output (or one it went to) is unspent and in no
	// wallet, or spent in the mempool only: not resolved.
	ownerNone = -1 - iota
	// ownerAnchor: an anchor output, unspent.
	ownerAnchor
	// ownerMixed: a transaction on the way pays several nodes' wallets.
	ownerMixed
)

// owner follows op down the chain to the node whose wallet it ended in:
// an output of a node's wallet is the node's; a spent output is the
// owner of the output of its spending transaction at the same index when
// that one is in no wallet (a second-stage HTLC transaction, with
// anchors paired by SIGHASH_SINGLE with a wallet's input and change), else
// of the wallets its spending transaction pays (one node: a sweep, a
// claim, a justice transaction).
func (c *consistency) owner(op btcwire.OutPoint) int {
	if o, ok := c.net.Chain.Unspent(op); ok {
		if k := c.walletOf(o.PkScript); k >= 0 {
			return k
		}
		if k := c.keeperOf(op); k >= 0 {
			return k
		}
		if o.Value == anchorValue {
			return ownerAnchor
		}
		return ownerNone
	}
	s, ok := c.net.Chain.Spender(op)
	if !ok || s.Height == 0 {
		return ownerNone
	}
	tx := confirmedTx(c.t, c.net, s.TxID)
	in := -1
	for j, txIn := range tx.TxIn {
		if txIn.PreviousOutPoint == op {
			in = j
		}
	}
	if in < len(tx.TxOut) && c.walletOf(tx.TxOut[in].PkScript) < 0 {
		return c.owner(btcwire.OutPoint{Hash: s.TxID, Index: uint32(in)})
	}
	who := ownerNone
	for _, o := range tx.TxOut {
		switch k := c.walletOf(o.PkScript); {
		case k < 0:
		case who == ownerNone:
			who = k
		case who != k:
			return ownerMixed
		}
	}
	return who
}

// anchorValue is an anchor output's value.
const anchorValue = 330

// keeperOf returns the node whose application keeps op to sweep once the
// fee rate allows (lnkittest.Node.PendingSweeps: not worth the wallet's
// fee cap, e.g. a 1,000 sat HTLC's second-stage output), or -1.
func (c *consistency) keeperOf(op btcwire.OutPoint) int {
	for _, node := range c.nodes {
		for _, e := range node.PendingSweeps() {
			for _, o := range e.Outputs {
				if o.OutPoint == op {
					return node.Index
				}
			}
		}
	}
	return -1
}

// walletOf returns the node whose wallet pkScript pays, or -1.
func (c *consistency) walletOf(pkScript []byte) int {
	for _, node := range c.nodes {
		if node.Wallet.IsMine(pkScript) {
			return node.Index
		}
	}
	return -1
}

// consChainSeed is the input of seed i of
// TestChannelConsistencyChainSeeds: consSeed's bytes with an on-chain
// action (opChain and its sub-op) inserted about every consChainEvery
// bytes.
func consChainSeed(i uint64, n int) []byte {
	r := rand.New(rand.NewPCG(i, 0x636861696e))
	b := consSeed(i, n)
	out := make([]byte, 0, len(b)+len(b)/consChainEvery*2+2)
	out = append(out, b[0])
	for _, x := range b[1:] {
		if r.IntN(consChainEvery) == 0 {
			out = append(out, opChain-1, byte(r.Uint32()))
		}
		out = append(out, x)
	}
	return out
}

// consChainEvery spaces the on-chain actions of consChainSeed; consChainSeeds
// (consShortChainSeeds with -short) sizes TestChannelConsistencyChainSeeds.
const (
	consChainEvery      = 24
	consChainSeeds      = 8
	consShortChainSeeds = 3
)

// TestChannelConsistencyChainSeeds runs the consistency fuzzer on fixed
// pseudo-random inputs rich in on-chain actions.
func TestChannelConsistencyChainSeeds(t *testing.T) {
	seeds := uint64(consChainSeeds)
	if testing.Short() {
		seeds = consShortChainSeeds
	}
	for i := range seeds {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			runConsistency(t, consChainSeed(i, 1+consActions*2))
		})
	}
}
