package channel

import (
	"fmt"
	"time"

	"github.com/lnkit/lnkit/wire"
)

// Changing a channel's forwarding policy: UpdateChannelConfig writes the
// new ChannelConfig into the channel's record, and a public channel's
// channel_update is signed again, with a timestamp above the last one, for
// the gossip side to broadcast (ChannelAnnouncements). Payers route with
// the channel_update they have: for PolicyGrace after a change, a forward
// paying the previous fee or cltv_expiry_delta is still accepted (BOLT 7:
// "SHOULD accept HTLCs that pay the previous fee for some reasonable time
// after sending channel_update").

// PolicyGrace is how long the previous forwarding policy of a channel is
// still honoured after UpdateChannelConfig changed it (Manager time,
// TimerTick).
const PolicyGrace = 10 * time.Minute

// policyChange is a replaced forwarding policy and until when it holds,
// and the state of our next channel_update.
type policyChange struct {
	prev  ChannelConfig
	until time.Time
	// stamp is the least timestamp of our next channel_update: above the
	// one the old policy was announced with.
	stamp uint32
	// disabled: our channel_update says the channel is disabled (its
	// peer is away: refreshUpdate).
	disabled bool
}

// honours reports whether the replaced policy still holds at now.
func (c *policyChange) honours(now time.Time) bool {
	return !c.until.IsZero() && now.Before(c.until)
}

// UpdateChannelConfig replaces the ChannelConfig of channel id with
// counterparty (its forwarding fee and cltv_expiry_delta, the dust
// exposure cap, the close fee tolerance), durably before it returns. A
// public channel's channel_update is signed again with the new policy
// (ChannelAnnouncements returns it, stamped later than the previous one);
// forwards paying the previous policy are accepted for PolicyGrace. The
// config must pass the same checks as UserConfig.Channel (ErrInvalidConfig
// otherwise); an unknown or closing channel gives ErrUnknownChannel.
func (m *Manager) UpdateChannelConfig(id wire.ChannelID, counterparty wire.NodeID, cfg ChannelConfig) error {
	if cfg.CLTVExpiryDelta < MinCLTVExpiryDelta {
		return invalid("ChannelConfig.CLTVExpiryDelta", "must be at least 34 (BOLT 2), got "+u64s(uint64(cfg.CLTVExpiryDelta)))
	}
	p := m.lockPeer(counterparty, false)
	if p == nil {
		return fmt.Errorf("%w: %v with %v", ErrUnknownChannel, id, counterparty)
	}
	defer p.mu.Unlock()
	e := p.byID[id]
	if e == nil {
		return fmt.Errorf("%w: %v with %v", ErrUnknownChannel, id, counterparty)
	}
	fu, ok := e.phase.(*funded)
	if !ok {
		return fmt.Errorf("%w: %v is not open", ErrUnknownChannel, id)
	}
	d := fu.d
	old, oldPolicy := d.config, d.policy
	d.config = cfg
	d.log.p.maxDustExposure = cfg.MaxDustHTLCExposure
	now := m.timeNow()
	if old.ForwardingFeeBaseMsat != cfg.ForwardingFeeBaseMsat ||
		old.ForwardingFeeProportionalMillionths != cfg.ForwardingFeeProportionalMillionths ||
		old.CLTVExpiryDelta != cfg.CLTVExpiryDelta {
		d.policy.prev, d.policy.until = old, now.Add(PolicyGrace)
	}
	if err := m.saveWith(d, nil); err != nil {
		d.config, d.policy = old, oldPolicy
		d.log.p.maxDustExposure = old.MaxDustHTLCExposure
		return err
	}
	if fu.ann != nil && fu.ann.ChannelUpdate != nil {
		// Signed again with the new policy, stamped above the old one.
		d.policy.stamp = fu.ann.ChannelUpdate.Timestamp + 1
		fu.ann.ChannelUpdate = nil
		m.addUpdate(d, fu.ann)
	}
	m.cfg.Logger.Info("channel: channel config updated", "channel_id", id, "fee_base_msat", cfg.ForwardingFeeBaseMsat,
		"fee_proportional_millionths", cfg.ForwardingFeeProportionalMillionths, "cltv_expiry_delta", cfg.CLTVExpiryDelta)
	return nil
}
