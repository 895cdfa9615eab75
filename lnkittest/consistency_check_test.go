package lnkittest_test

import (
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/wire"
)

// The consistency fuzzer's settle phase and invariants.

// checkOpen fails the run when a channel no on-chain action closed is not
// open and ready on a running node, a node's application saw it close, or,
// before any closing, a transaction is waiting in the mempool (a
// force-close).
func (c *consistency) checkOpen() {
	c.markSpent()
	for _, node := range c.nodes {
		for _, e := range lnkittest.Logged[*events.ChannelClosed](node) {
			if i := c.chanIndex(e.ChannelID); i < 0 || !c.closing[i] {
				c.t.Fatalf("node %d: unexpected ChannelClosed: %v", node.Index, e)
			}
		}
		if !node.Running() {
			continue
		}
		for i, ch := range c.chans {
			if ch.a != node.Index && ch.b != node.Index || c.closing[i] {
				continue
			}
			if d, ok := details(node, ch.id); !ok || d.State != channel.StateReady {
				c.t.Fatalf("node %d: channel %x is %v (listed %v), not ready", node.Index, ch.id[:4], d.State, ok)
			}
		}
	}
	if mp := c.net.Chain.Mempool(); len(mp) > 0 && len(c.closing) == 0 {
		c.t.Fatalf("unexpected broadcast: %v", mp[0].TxHash())
	}
}

// details returns node's channel id.
func details(node *lnkittest.Node, id wire.ChannelID) (channel.ChannelDetails, bool) {
	for _, d := range node.Channels.ListChannels() {
		if d.ChannelID == id {
			return d, true
		}
	}
	return channel.ChannelDetails{}, false
}

// settle brings the network to rest: every node up with every channel
// connected, every monitor update completed, every message delivered,
// every event handled, every held payment claimed.
func (c *consistency) settle() {
	c.logf("settle")
	for _, node := range c.nodes {
		node.AsyncMonitorUpdates = false
	}
	for range consSettleRounds {
		if !c.settleRound() {
			return
		}
	}
	c.t.Fatalf("settle: still moving after %d rounds", consSettleRounds)
}

// settleRound is one round of the settle; it reports whether anything
// moved.
func (c *consistency) settleRound() bool {
	progress := false
	for i, ch := range c.chans {
		a, b := c.nodes[ch.a], c.nodes[ch.b]
		if !c.closing[i] && !c.net.Connected(a, b) {
			c.net.Disconnect(a, b) // a half-open link
			c.net.Connect(a, b)
			progress = true
		}
	}
	for _, node := range c.nodes {
		if len(node.HeldMonitorUpdates()) > 0 {
			c.net.CompleteMonitorUpdates(node)
			progress = true
		}
	}
	c.net.DeliverAll()
	for _, node := range c.nodes {
		if c.process(node) > 0 {
			progress = true
		}
		for _, e := range node.Claimable() {
			c.claim(node, e)
			progress = true
		}
	}
	c.checkOpen()
	return progress
}

// checkQuiescent checks the rested network: balances conserved to the
// msat on both sides of each channel, every payment ended exactly once,
// every claim's preimage reached its payer and nothing else succeeded.
func (c *consistency) checkQuiescent() {
	t := c.t
	ended := map[channel.PaymentID]int{}
	sent := map[channel.PaymentID]*events.PaymentSent{}
	for _, node := range c.nodes {
		for _, e := range lnkittest.Logged[*events.PaymentSent](node) {
			ended[e.PaymentID]++
			sent[e.PaymentID] = e
		}
		for _, e := range lnkittest.Logged[*events.PaymentFailed](node) {
			ended[e.PaymentID]++
		}
	}
	known := map[channel.PaymentID]bool{}
	delta := make([]wire.MilliSatoshi, len(c.chans)) // a's balance change
	for _, p := range c.payments {
		known[p.id] = true
		if ended[p.id] != 1 {
			for _, d := range c.nodes[p.from].Channels.ListPayments() {
				if d.ID == p.id {
					t.Logf("payer's ListPayments: %+v", d)
				}
			}
			t.Errorf("payment %x (%d→%d, %v) ended %d times", p.hash[:4], p.from, p.to, p.amount, ended[p.id])
		}
		pre, claimed := c.claimed[p.hash]
		s, ok := sent[p.id]
		switch {
		case claimed && !ok && c.lostOnChain(p):
		case claimed && !ok:
			t.Errorf("payment %x claimed by node %d but failed at node %d", p.hash[:4], p.to, p.from)
		case ok && !claimed:
			t.Errorf("payment %x succeeded at node %d without a claim", p.hash[:4], p.from)
		case ok && s.Preimage != pre:
			t.Errorf("payment %x: PaymentSent's preimage is not the claim's", p.hash[:4])
		case ok && p.from == c.chans[p.ch].a:
			delta[p.ch] -= p.amount
		case ok:
			delta[p.ch] += p.amount
		}
		if ok {
			if n := claimedEvents(c.nodes[p.to], p.hash); n != 1 && !(n == 0 && c.payeeCheated(p)) {
				t.Errorf("payment %x: %d PaymentClaimed at node %d", p.hash[:4], n, p.to)
			}
		}
	}
	for id := range ended {
		if !known[id] {
			t.Errorf("an outcome for payment id %x never sent", id[:4])
		}
	}
	for i, ch := range c.chans {
		if c.closing[i] {
			continue
		}
		a, b := c.nodes[ch.a], c.nodes[ch.b]
		da, _ := details(a, ch.id)
		db, _ := details(b, ch.id)
		total := wire.MilliSatoshi(consCapacity) * 1000
		want := ch.start + delta[i]
		if da.OurBalance != want || da.TheirBalance != total-want || db.OurBalance != total-want || db.TheirBalance != want {
			t.Errorf("channel %d: balances a %v/%v, b %v/%v; want a %v, b %v", i,
				da.OurBalance, da.TheirBalance, db.OurBalance, db.TheirBalance, want, total-want)
		}
	}
}

// claimedEvents counts node's PaymentClaimed for hash.
func claimedEvents(node *lnkittest.Node, hash wire.PaymentHash) int {
	n := 0
	for _, e := range lnkittest.Logged[*events.PaymentClaimed](node) {
		if e.PaymentHash == hash {
			n++
		}
	}
	return n
}

// payeeCheated reports whether p's channel closed by a revoked
// commitment of its payee: a claim not yet irrevocable off chain is then
// lost with everything else (no PaymentClaimed).
func (c *consistency) payeeCheated(p *consPayment) bool {
	cl, ok := c.closings[p.ch]
	return ok && (cl.revoked || cl.maybe) && cl.b == p.to
}

// lostOnChain reports whether the payee of p, which claimed it, may have
// lost it on chain: its channel closed by a commitment without an output
// for it (trimmed, or not in that commitment), or by a revoked one (the
// payee took everything).
func (c *consistency) lostOnChain(p *consPayment) bool {
	cl, ok := c.closings[p.ch]
	if !ok {
		return false
	}
	if cl.revoked || cl.maybe {
		return true
	}
	for _, o := range cl.h.Outputs {
		if (o.Kind == commit.OfferedHTLCOutput || o.Kind == commit.ReceivedHTLCOutput) && o.HTLC.PaymentHash == p.hash {
			return false
		}
	}
	return true
}
