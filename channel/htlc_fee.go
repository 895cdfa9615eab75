package channel

import (
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// FeeUpdateDivisor sets when we, as a channel's opener, send update_fee:
// once our estimator's commitment rate differs from the channel's by more
// than 1/FeeUpdateDivisor of it (checked at every TimerTick).
const FeeUpdateDivisor = 5

// updateFees sends update_fee on the usable channels we opened whose
// commitment fee rate drifted from our estimate (BOLT 2: only the opener
// does), as far as the opener's balance pays for it.
func (m *Manager) updateFees() {
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range p.entries {
			d := e.data()
			if d == nil || !usable(p, e, d) || d.params.Opener != commit.Local {
				continue
			}
			m.check(p, e, m.maybeUpdateFee(p, e, d))
		}
		p.mu.Unlock()
	}
	m.flush()
}

// maybeUpdateFee sends update_fee on d when the estimate moved enough.
func (m *Manager) maybeUpdateFee(p *peerState, e *entry, d *chanData) error {
	rate, err := m.cfg.Fees.FeeRate(m.cfg.Context, openerTarget(d.params.Type))
	if err != nil {
		return nil // no estimate now: try again at the next tick
	}
	rate = max(rate, wire.FeeRateFloor)
	cur := d.log.latestFeeRate()
	diff := rate - cur
	if rate < cur {
		diff = cur - rate
	}
	if diff <= cur/FeeUpdateDivisor {
		return nil
	}
	if err := d.log.sendFee(rate); err != nil {
		m.cfg.Logger.Debug("channel: update_fee not affordable", "channel_id", d.id, "feerate", rate, "err", err)
		return nil
	}
	m.cfg.Logger.Info("channel: update_fee sent", "node_id", p.id, "channel_id", d.id, "from", cur, "to", rate)
	e.out.send(&wire.UpdateFee{ChannelID: d.id, FeeRate: rate})
	return m.maybeSignCommitment(p, e, d)
}
