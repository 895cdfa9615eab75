package channel

import (
	"errors"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/router/onion"
)

// HTLCsResolvedOnChain ends the payments whose HTLC the chain decided
// after a commitment confirmed: give it what the ChainMonitor's
// ReleaseHTLCResolutions returns, after each block. An HTLC we offered
// that the counterparty claimed with its preimage makes its payment
// succeed (PaymentSent, with the preimage) at once; one whose timeout is
// AntiReorgDelay deep fails its payment (PaymentFailed). Each is written
// before the call returns; a resolution given twice (after a restart)
// changes nothing. An HTLC paid to us that our monitor claimed on chain
// raises the PaymentClaimed its off-chain removal would have
// (onchain_claims.go).
//
// An HTLC we offered for a forward resolves its incoming HTLC the same
// way: a preimage claims it upstream at once (PaymentForwarded, with
// ClaimedOnChain), a deep timeout fails it back with
// permanent_channel_failure.
func (m *Manager) HTLCsResolvedOnChain(rs []monitor.HTLCResolution) error {
	err := m.htlcsResolvedOnChain(rs)
	m.processForwards()
	m.flush()
	return err
}

func (m *Manager) htlcsResolvedOnChain(rs []monitor.HTLCResolution) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for _, r := range rs {
		if !r.Outgoing {
			errs = append(errs, m.claimedOnChain(r))
			continue
		}
		ref := htlcRef{r.ChannelID, r.HTLCID}
		if r.Preimage != nil {
			if r.Preimage.Hash() != r.PaymentHash {
				continue
			}
			m.cfg.Logger.Info("channel: htlc claimed on chain", "channel_id", r.ChannelID, "htlc_id", r.HTLCID, "height", r.Height)
			errs = append(errs, m.attemptSucceeded(ref, r.PaymentHash, *r.Preimage, nil, false),
				m.forwardPreimage(ref, *r.Preimage, nil, true))
			continue
		}
		m.cfg.Logger.Info("channel: htlc timed out on chain", "channel_id", r.ChannelID, "htlc_id", r.HTLCID, "height", r.Height)
		errs = append(errs, m.dropAttempt(r.ChannelID, &htlcEntry{id: r.HTLCID, paymentHash: r.PaymentHash}),
			m.forwardDropped(ref, &onion.PermanentChannelFailure{}))
	}
	return errors.Join(errs...)
}
