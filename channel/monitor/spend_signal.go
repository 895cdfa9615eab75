package monitor

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	lnwire "github.com/lnkit/lnkit/wire"
)

// FundingSpendInfo tells the channel Manager that a channel's funding
// output was spent by a confirmed transaction: whatever its kind
// (cooperative close, our commitment, the counterparty's), the channel is
// closed and takes no new state.
//
// Delivery (ReleaseFundingSpends) is at least once, from the block that
// confirms the spend (one confirmation, not AntiReorgDelay: the channel
// cannot go on once its funding output is spent):
//
//   - after a restart, a reloaded monitor that knows a funding spend
//     reports it again (Load, Restore, then ReleaseFundingSpends). Until
//     the chain is synced that is the spend known at shutdown; a spend
//     confirmed while the node was down is reported as the sync delivers
//     its block. A spend whose recognition was not yet durable when the
//     process died (the write after the block failed) is recognised again
//     when the chain source delivers its block again, as for the claims;
//   - a reorganisation that takes the spend out of the chain drops its
//     report if it was not yet released; when a spend (the same or another
//     one, possibly of another kind) confirms again, it is reported again.
//
// The Manager handles a report for a channel it already marked closed as a
// no-op.
type FundingSpendInfo struct {
	// ChannelID is the channel.
	ChannelID lnwire.ChannelID
	// Kind is what spent the funding output.
	Kind SpendKind
	// Txid is the spending transaction.
	Txid chainhash.Hash
	// Height is the block it confirmed in.
	Height int32
	// CommitmentNumber is its commitment number (commitments only).
	CommitmentNumber uint64
}

// spendInfo describes the spend s of the monitor's funding output.
func (m *ChannelMonitor) spendInfo(s *FundingSpend) FundingSpendInfo {
	return FundingSpendInfo{
		ChannelID: m.ChannelID(), Kind: s.Kind, Txid: s.Tx.TxHash(), Height: s.Height,
		CommitmentNumber: s.CommitmentNumber,
	}
}

// ReleaseFundingSpends returns the funding spends recognised since the
// last call (see FundingSpendInfo for the delivery guarantees) and forgets
// them.
func (m *ChannelMonitor) ReleaseFundingSpends() []FundingSpendInfo {
	out := m.spendReports
	m.spendReports = nil
	return out
}

// ReleaseFundingSpends returns the funding spends the monitors recognised
// since the last call, by channel id then in the order they were
// recognised (see FundingSpendInfo for the delivery guarantees).
func (c *ChainMonitor) ReleaseFundingSpends() []FundingSpendInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []FundingSpendInfo
	for _, w := range c.sorted() {
		out = append(out, w.m.ReleaseFundingSpends()...)
	}
	return out
}
