package channel

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// Payments to us claimed on chain: when the Manager forgets a closed
// channel, each HTLC paid to us that a commitment on chain may still hold
// (committed, or removed but not irrevocably: a failure not committed
// does not stop the application's later claim on chain) is noted with
// what PaymentClaimed needs (amount, purpose); the channel's log is gone
// once the monitor claims it on chain, and the note turns into the
// PaymentClaimed the off-chain removal would have raised, once. A
// forward's incoming HTLC gets no note (its PaymentForwarded says it).

// onChainClaimsNS holds the notes, one per HTLC.
func onChainClaimsNS() persist.Namespace {
	return persist.Namespace{Primary: "channel_manager", Secondary: "onchain_claims"}
}

// onChainClaimKey names the note of HTLC id of channel ch.
func onChainClaimKey(ch wire.ChannelID, id uint64) string {
	return fmt.Sprintf("%s-%d", channelKey(ch), id)
}

// onChainClaimLen is a note's length: amount, purpose kind, secret.
const onChainClaimLen = 8 + 1 + 32

// onChainClaimOps are the notes of d's HTLCs paid to us, written when d
// is forgotten.
func (m *Manager) onChainClaimOps(d *chanData) []persist.Op {
	var ops []persist.Op
	for i := range d.log.htlcs {
		h := &d.log.htlcs[i]
		if h.offerer() != commit.Remote {
			continue
		}
		purpose, final := m.purposeOf(h)
		if !final {
			continue
		}
		v := make([]byte, onChainClaimLen)
		binary.BigEndian.PutUint64(v, uint64(h.amount))
		v[8] = byte(purpose.Kind)
		copy(v[9:], purpose.Secret[:])
		ops = append(ops, persist.WriteOp(onChainClaimsNS(), onChainClaimKey(d.id, h.id), v))
	}
	return ops
}

// claimedOnChain raises PaymentClaimed for r, an HTLC paid to us that our
// monitor claimed on chain with its preimage, once (the note is removed
// with it).
func (m *Manager) claimedOnChain(r monitor.HTLCResolution) error {
	if r.Preimage == nil || r.Preimage.Hash() != r.PaymentHash {
		return nil
	}
	key := onChainClaimKey(r.ChannelID, r.HTLCID)
	v, err := m.cfg.Store.Read(m.cfg.Context, onChainClaimsNS(), key)
	switch {
	case errors.Is(err, persist.ErrNotFound):
		return nil // no note: a forward's, or claimed already
	case err != nil:
		return fmt.Errorf("%w: on-chain claim note: %w", ErrPersistence, err)
	case len(v) != onChainClaimLen:
		return fmt.Errorf("%w: on-chain claim note of %d bytes", ErrCorruptRecord, len(v))
	}
	purpose := events.PaymentPurpose{Kind: events.PurposeKind(v[8]), Preimage: wire.Some(*r.Preimage)}
	copy(purpose.Secret[:], v[9:])
	m.cfg.Logger.Info("channel: payment claimed on chain", "channel_id", r.ChannelID, "htlc_id", r.HTLCID, "payment_hash", r.PaymentHash)
	return m.appendEventsWith([]persist.Op{persist.RemoveOp(onChainClaimsNS(), key)}, &events.PaymentClaimed{
		PaymentHash: r.PaymentHash, Amount: wire.MilliSatoshi(binary.BigEndian.Uint64(v)), ReceiverNodeID: m.ourID,
		HTLCCount: 1, Purpose: purpose,
	})
}
