package channel

import (
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
)

// bumpEvent returns the BumpTransaction event that asks the application
// to get our broadcast commitment confirmed through our anchor (anchor
// channels), or nil when the commitment has no anchor of ours or already
// pays the target rate. The target is the estimator's urgent rate
// (chain.TargetUrgentSweep) when HTLCs race their timeouts, else the rate
// of our own sweeps (chain.TargetOutputSpending): nothing races, but the
// commitment's own rate, fixed when it was signed, may no longer relay.
func (m *Manager) bumpEvent(d *chanData, claim *monitor.HolderClaim) events.Event {
	if claim.Anchor == nil {
		return nil
	}
	target := chain.TargetOutputSpending
	if len(d.cc.holder.HTLCs) > 0 {
		target = chain.TargetUrgentSweep
	}
	rate, err := m.cfg.Fees.FeeRate(m.cfg.Context, target)
	if err != nil {
		m.cfg.Logger.Warn("channel: no fee estimate for the anchor bump", "channel_id", d.id, "err", err)
		return nil
	}
	if rate <= claim.FeeRate {
		return nil
	}
	return &events.BumpTransaction{
		ChannelID: d.id, CounterpartyNodeID: d.counterparty, ClaimID: claim.Txid,
		CommitmentTx: claim.Tx, CommitmentTxFee: claim.Fee, Anchor: *claim.Anchor, TargetFeeRate: rate,
	}
}
