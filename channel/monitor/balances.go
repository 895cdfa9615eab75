package monitor

import (
	"bytes"
	"fmt"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// BalanceKind says how sure and how soon a Balance is ours.
type BalanceKind uint8

// The kinds of balance.
const (
	// BalanceOnChannelClose is our balance in our latest commitment while
	// the channel is open: what a close would give us, HTLCs aside
	// (listed on their own), before the closing's fees.
	BalanceOnChannelClose BalanceKind = iota + 1
	// BalanceAwaitingConfirmations is an output that is ours, spendable
	// (or final) from Height: a closing output, a to_local behind its
	// delay, an HTLC transaction's output.
	BalanceAwaitingConfirmations
	// BalanceContentious is an HTLC we can claim with the preimage we
	// hold, racing the counterparty, who can time it out from Height.
	BalanceContentious
	// BalanceMaybeTimeout is an HTLC we offered: ours from Height (its
	// cltv_expiry) unless the counterparty claims it with the preimage.
	BalanceMaybeTimeout
	// BalanceMaybePreimage is an HTLC we received without its preimage:
	// ours only if we learn it before Height (its cltv_expiry).
	BalanceMaybePreimage
	// BalanceRevokedOutput is an output of the counterparty's revoked
	// commitment (or of its HTLC transactions) we are taking with the
	// revocation key, before the cheater can from Height.
	BalanceRevokedOutput
)

// String names the kind.
func (k BalanceKind) String() string {
	switch k {
	case BalanceOnChannelClose:
		return "claimable-on-channel-close"
	case BalanceAwaitingConfirmations:
		return "awaiting-confirmations"
	case BalanceContentious:
		return "contentious"
	case BalanceMaybeTimeout:
		return "maybe-timeout"
	case BalanceMaybePreimage:
		return "maybe-preimage"
	case BalanceRevokedOutput:
		return "revoked-output"
	default:
		return fmt.Sprintf("balance(%d)", uint8(k))
	}
}

// Balance is an amount a channel's monitor expects may end in our control,
// as LDK's ClaimableBalances: what is claimable now, after how many blocks,
// and what is at stake in HTLCs. Amounts are the outputs' values, before
// the fees of the transactions that claim them.
type Balance struct {
	// ChannelID is the channel.
	ChannelID lnwire.ChannelID
	// Kind says how and when it is ours.
	Kind BalanceKind
	// Amount is the value at stake.
	Amount lnwire.Satoshi
	// Height is the height the Kind speaks of (0 for
	// BalanceOnChannelClose).
	Height int32
	// PaymentHash is the HTLC's (HTLC kinds).
	PaymentHash lnwire.PaymentHash
}

// ClaimableBalances returns what the channel may still give us, by kind:
// while open, our commitment's balance and its HTLCs; once closed, every
// output of ours not yet spent and AntiReorgDelay deep, every HTLC not yet
// resolved, and a breach's revoked outputs not yet taken. A channel fully
// resolved has none.
func (m *ChannelMonitor) ClaimableBalances() []Balance {
	id := m.ChannelID()
	var out []Balance
	add := func(k BalanceKind, amount lnwire.Satoshi, height int32, hash lnwire.PaymentHash) {
		if amount > 0 {
			out = append(out, Balance{ChannelID: id, Kind: k, Amount: amount, Height: height, PaymentHash: hash})
		}
	}
	s := m.chain.spend
	if s == nil {
		cm := m.holder.cm
		if i := cm.OutputIndex(commit.ToLocalOutput); i >= 0 {
			add(BalanceOnChannelClose, cm.Outputs[i].Amount, 0, lnwire.PaymentHash{})
		}
		m.htlcBalances(cm, add)
		return out
	}
	// Claims of ours (to_local, to_remote, second-stage outputs) until
	// emitted; the cooperative close's output until final.
	for _, c := range m.chain.claims {
		if !c.emitted && m.spentBy(c.out.OutPoint) == nil {
			add(BalanceAwaitingConfirmations, c.out.Value, c.emitAt+1, lnwire.PaymentHash{})
		}
	}
	outs, at := m.secondStageOutputs()
	for k, o := range outs {
		if !m.emittedSecond[o.OutPoint] {
			add(BalanceAwaitingConfirmations, o.Value, at[k]+1, lnwire.PaymentHash{})
		}
	}
	if s.Kind == CooperativeClose && m.chain.best < s.Height+AntiReorgDelay-1 && len(m.shutdownScript) > 0 {
		for _, o := range s.Tx.TxOut {
			if bytes.Equal(o.PkScript, m.shutdownScript) {
				add(BalanceAwaitingConfirmations, lnwire.Satoshi(o.Value), s.Height+AntiReorgDelay, lnwire.PaymentHash{})
			}
		}
	}
	switch {
	case m.chain.ours != nil:
		m.htlcBalances(m.chain.ours.cm, add)
	case m.chain.theirs != nil:
		m.htlcBalances(m.chain.theirs, add)
	}
	if b := m.chain.breach; b != nil {
		revoked, deadlines := m.unclaimed()
		for k, o := range revoked {
			add(BalanceRevokedOutput, o.Value, deadlines[k]+1, lnwire.PaymentHash{})
		}
	}
	return out
}

// htlcBalances adds the HTLC outputs of cm not spent yet.
func (m *ChannelMonitor) htlcBalances(cm *commit.Commitment, add func(BalanceKind, lnwire.Satoshi, int32, lnwire.PaymentHash)) {
	for i := range cm.Outputs {
		o := &cm.Outputs[i]
		if !o.Kind.IsHTLC() {
			continue
		}
		if m.chain.spend != nil && m.spentBy(btcwire.OutPoint{Hash: cm.TxID(), Index: uint32(i)}) != nil {
			continue
		}
		h := o.HTLC
		switch _, known := m.preimages[h.PaymentHash]; {
		case h.Offerer == commit.Local:
			add(BalanceMaybeTimeout, o.Amount, int32(h.CLTVExpiry), h.PaymentHash)
		case known:
			add(BalanceContentious, o.Amount, int32(h.CLTVExpiry), h.PaymentHash)
		default:
			add(BalanceMaybePreimage, o.Amount, int32(h.CLTVExpiry), h.PaymentHash)
		}
	}
}

// ClaimableBalances returns every channel's ClaimableBalances, in channel
// id order.
func (c *ChainMonitor) ClaimableBalances() []Balance {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Balance
	for _, w := range c.sorted() {
		out = append(out, w.m.ClaimableBalances()...)
	}
	return out
}
