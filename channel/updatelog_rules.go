package channel

import (
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// The rules of normal operation (BOLT 2, "Normal Operation"), checked on
// the peer's updates and, with the same names, on ours before they leave.
const (
	// RuleUpdateAddHTLCID: update_add_htlc's id is not the previous one
	// plus 1 (0 first), and not an ignored retransmission.
	RuleUpdateAddHTLCID Rule = "update_add_htlc.id"
	// RuleUpdateAddHTLCAmount: amount_msat is 0 or below the receiver's
	// htlc_minimum_msat.
	RuleUpdateAddHTLCAmount Rule = "update_add_htlc.amount_msat"
	// RuleUpdateAddHTLCReserve: the offerer cannot pay the HTLC (and, as
	// opener, the receiver's commitment fee at the current feerate) while
	// keeping its channel reserve.
	RuleUpdateAddHTLCReserve Rule = "update_add_htlc.channel_reserve"
	// RuleUpdateAddHTLCFeeSpike: the opener could not pay its commitment
	// fee at twice the feerate with one more HTLC (BOLT 2's fee spike
	// buffer), or, when we add as the acceptor, the opener could not pay
	// the fee of the HTLC we add. Ours only: a peer's add that breaks it is
	// failed back, not the channel.
	RuleUpdateAddHTLCFeeSpike Rule = "update_add_htlc.fee_spike_buffer"
	// RuleUpdateAddHTLCMaxAccepted: the offerer has more HTLCs in the
	// channel than the receiver's max_accepted_htlcs (or 483).
	RuleUpdateAddHTLCMaxAccepted Rule = "update_add_htlc.max_accepted_htlcs"
	// RuleUpdateAddHTLCInFlight: the offerer's HTLCs add up to more than the
	// receiver's max_htlc_value_in_flight_msat.
	RuleUpdateAddHTLCInFlight Rule = "update_add_htlc.max_htlc_value_in_flight_msat"
	// RuleUpdateAddHTLCCLTVExpiry: cltv_expiry is 500000000 or more.
	RuleUpdateAddHTLCCLTVExpiry Rule = "update_add_htlc.cltv_expiry"
	// RuleUpdateAddHTLCAfterShutdown: update_add_htlc after the sender's
	// shutdown.
	RuleUpdateAddHTLCAfterShutdown Rule = "update_add_htlc.after_shutdown"
	// RuleUpdateAddHTLCDustExposure: the trimmed HTLCs of either commitment
	// would add up to more than ChannelConfig.MaxDustHTLCExposure. Ours
	// only: a peer's add that breaks it is failed back.
	RuleUpdateAddHTLCDustExposure Rule = "update_add_htlc.max_dust_htlc_exposure_msat"
	// RuleUpdateFulfillHTLCID: update_fulfill_htlc names no committed HTLC
	// of ours.
	RuleUpdateFulfillHTLCID Rule = "update_fulfill_htlc.id"
	// RuleUpdateFulfillHTLCPreimage: payment_preimage does not hash to the
	// HTLC's payment_hash.
	RuleUpdateFulfillHTLCPreimage Rule = "update_fulfill_htlc.payment_preimage"
	// RuleUpdateFailHTLCID: update_fail_htlc names no committed HTLC of
	// ours.
	RuleUpdateFailHTLCID Rule = "update_fail_htlc.id"
	// RuleUpdateFailMalformedHTLCID: update_fail_malformed_htlc names no
	// committed HTLC of ours.
	RuleUpdateFailMalformedHTLCID Rule = "update_fail_malformed_htlc.id"
	// RuleUpdateFailMalformedHTLCFailureCode: failure_code lacks the
	// BADONION bit.
	RuleUpdateFailMalformedHTLCFailureCode Rule = "update_fail_malformed_htlc.failure_code"
	// RuleUpdateFeeSender: update_fee from the side that did not open the
	// channel.
	RuleUpdateFeeSender Rule = "update_fee.sender"
	// RuleUpdateFeeRate: feerate_per_kw outside our [FeeBounds].
	RuleUpdateFeeRate Rule = "update_fee.feerate_per_kw"
	// RuleUpdateFeeAfford: the opener cannot pay the commitment fee at the
	// new rate while keeping its channel reserve.
	RuleUpdateFeeAfford Rule = "update_fee.opener_balance"
	// RuleCommitmentSignedUnexpected: commitment_signed before we revoked
	// the commitment of the previous one.
	RuleCommitmentSignedUnexpected Rule = "commitment_signed.unexpected"
	// (RuleRevokeAndAckUnexpected, a revoke_and_ack with no
	// commitment_signed of ours to answer, is commitments_rules.go's.)
)

// maxCLTVExpiry bounds cltv_expiry: at 500000000 it would be a timestamp.
const maxCLTVExpiry = 500_000_000

// feeSpikeMultiple is BOLT 2's fee spike buffer: the opener keeps enough
// for twice the feerate.
const feeSpikeMultiple = 2

// htlcView is the HTLCs a limit check of an add (or update_fee) by
// sender counts, with the balances the check may spend. A removal is
// credited only once it is out of both next commitments, so that no
// commitment ever holds a negative balance; until then its HTLC still
// counts. When we send, every HTLC we know counts; when the peer sends,
// our adds it has not seen (LocalAnnounced) do not, so that our view of
// what the sender can do is never stricter than the sender's own. (This
// holds when each side sends revoke_and_ack before any update that
// follows the commitment_signed it answers, as LDK and lnd do.)
type htlcView struct {
	htlcs   []commit.HTLC
	balance [2]wire.MilliSatoshi
	// count and value are the sender's HTLCs still in the log.
	count int
	value uint64
}

func (l *updateLog) view(sender commit.Side) htlcView {
	v := htlcView{balance: l.balance}
	for i := range l.htlcs {
		h := &l.htlcs[i]
		off := h.offerer()
		if off == sender {
			v.count++
			v.value += uint64(h.amount)
		}
		if placeIn(h, commit.Local) == htlcOut && placeIn(h, commit.Remote) == htlcOut {
			to := off
			if h.outcome.kind == htlcFulfilled {
				to = to.Other()
			}
			v.balance[to] += h.amount
			continue
		}
		if sender == commit.Remote && h.state == htlcLocalAnnounced {
			v.balance[off] += h.amount
			continue
		}
		v.htlcs = append(v.htlcs, commit.HTLC{ID: h.id, Offerer: off, Amount: h.amount, PaymentHash: h.paymentHash, CLTVExpiry: h.cltvExpiry})
	}
	return v
}

// commitFee is the fee and anchors (msat) of owner's commitment holding
// htlcs, at rate.
func (l *updateLog) commitFee(owner commit.Side, htlcs []commit.HTLC, rate wire.FeeRate, extra int) uint64 {
	dust := l.p.limitsOf(owner).dustLimit
	n := extra
	for i := range htlcs {
		if !commit.IsTrimmed(l.p.chanType, rate, dust, htlcs[i].Amount, htlcs[i].Offerer == owner) {
			n++
		}
	}
	fee := uint64(commit.CommitmentFee(l.p.chanType, rate, n)) * 1000
	if l.p.chanType.HasAnchors() {
		fee += 2 * uint64(commit.AnchorAmount) * 1000
	}
	return fee
}

// dustExposure is the value of owner's commitment's trimmed HTLCs.
func (l *updateLog) dustExposure(owner commit.Side, htlcs []commit.HTLC, rate wire.FeeRate) uint64 {
	dust := l.p.limitsOf(owner).dustLimit
	var sum uint64
	for i := range htlcs {
		if commit.IsTrimmed(l.p.chanType, rate, dust, htlcs[i].Amount, htlcs[i].Offerer == owner) {
			sum += uint64(htlcs[i].Amount)
		}
	}
	return sum
}

// reserveOf is the reserve side s must keep (set by the other side), msat.
func (l *updateLog) reserveOf(s commit.Side) uint64 {
	return uint64(l.p.limitsOf(s.Other()).reserve) * 1000
}

// checkAdd checks an add by sender against every limit that fails the
// channel (or refuses our own add).
func (l *updateLog) checkAdd(sender commit.Side, a *htlcAdd) error {
	recv := l.p.limitsOf(sender.Other())
	switch {
	case a.amount == 0:
		return ruleErr(RuleUpdateAddHTLCAmount, "amount_msat is 0")
	case a.amount < recv.htlcMinimum:
		return ruleErr(RuleUpdateAddHTLCAmount, "amount_msat %d below htlc_minimum_msat %d", a.amount, recv.htlcMinimum)
	case a.cltvExpiry >= maxCLTVExpiry:
		return ruleErr(RuleUpdateAddHTLCCLTVExpiry, "cltv_expiry %d is 500000000 or more", a.cltvExpiry)
	case uint64(a.amount) > uint64(l.p.capacity)*1000:
		return ruleErr(RuleUpdateAddHTLCAmount, "amount_msat %d above the capacity", a.amount)
	}
	v := l.view(sender)
	maxHTLCs := min(int(recv.maxAcceptedHTLCs), commit.MaxHTLCsPerDirection)
	if v.count+1 > maxHTLCs {
		return ruleErr(RuleUpdateAddHTLCMaxAccepted, "%d htlcs above max_accepted_htlcs %d", v.count+1, maxHTLCs)
	}
	if v.value+uint64(a.amount) > uint64(recv.maxInFlight) {
		return ruleErr(RuleUpdateAddHTLCInFlight, "%d msat in flight above max_htlc_value_in_flight_msat %d", v.value+uint64(a.amount), recv.maxInFlight)
	}
	v.htlcs = append(v.htlcs, commit.HTLC{ID: a.id, Offerer: sender, Amount: a.amount, PaymentHash: a.paymentHash, CLTVExpiry: a.cltvExpiry})
	rate := l.latestFeeRate()
	need := uint64(a.amount) + l.reserveOf(sender)
	if sender == l.p.opener {
		fee := l.commitFee(sender.Other(), v.htlcs, rate, 0)
		if sender == commit.Local {
			fee = max(fee, l.commitFee(commit.Local, v.htlcs, rate, 0))
		}
		need += fee
	}
	// v.balance counts the new HTLC in its sender's balance still.
	if have := uint64(v.balance[sender]); have < need {
		return ruleErr(RuleUpdateAddHTLCReserve, "balance %d msat cannot pay %d msat and keep the reserve", have, need)
	}
	if sender == commit.Local {
		return l.checkOwnAdd(&v, rate, uint64(a.amount))
	}
	return nil
}

// checkOwnAdd is what we keep to ourselves beyond the peer's limits: the
// fee spike buffer and the dust exposure.
func (l *updateLog) checkOwnAdd(v *htlcView, rate wire.FeeRate, amount uint64) error {
	if err := l.checkSpike(v, commit.Local, rate, amount); err != nil {
		return err
	}
	for _, owner := range []commit.Side{commit.Local, commit.Remote} {
		if d := l.dustExposure(owner, v.htlcs, rate); d > uint64(l.p.maxDustExposure) {
			return ruleErr(RuleUpdateAddHTLCDustExposure, "%s commitment's trimmed htlcs %d msat above %d", owner, d, l.p.maxDustExposure)
		}
	}
	return nil
}

// checkSpike checks, once sender's HTLC of amount is in v, that the
// opener keeps its reserve and the fee of both commitments: when it sends,
// at twice the rate with one more HTLC (the fee spike buffer); when the
// acceptor sends, at the rate (BOLT 2: the acceptor SHOULD NOT offer an
// HTLC whose fee the opener cannot pay).
func (l *updateLog) checkSpike(v *htlcView, sender commit.Side, rate wire.FeeRate, amount uint64) error {
	opener := l.p.opener
	spike, extra := rate, 0
	if opener == sender {
		spike, extra = rate*feeSpikeMultiple, 1
		if spike < rate {
			spike = rate
		}
	}
	fee := max(l.commitFee(commit.Local, v.htlcs, spike, extra), l.commitFee(commit.Remote, v.htlcs, spike, extra))
	have := uint64(v.balance[opener])
	if opener == sender {
		have -= min(have, amount)
	}
	if need := fee + l.reserveOf(opener); have < need {
		return ruleErr(RuleUpdateAddHTLCFeeSpike, "opener's balance %d msat below the fee spike buffer and reserve %d", have, need)
	}
	return nil
}

// checkInboundSoft checks a peer's add against the limits BOLT 2 answers
// by failing the HTLC back once committed: it returns the rule broken, or
// "".
func (l *updateLog) checkInboundSoft(a *htlcAdd) Rule {
	v := l.view(commit.Remote)
	v.htlcs = append(v.htlcs, commit.HTLC{ID: a.id, Offerer: commit.Remote, Amount: a.amount, PaymentHash: a.paymentHash, CLTVExpiry: a.cltvExpiry})
	rate := l.latestFeeRate()
	for _, owner := range []commit.Side{commit.Local, commit.Remote} {
		if l.dustExposure(owner, v.htlcs, rate) > uint64(l.p.maxDustExposure) {
			return RuleUpdateAddHTLCDustExposure
		}
	}
	if l.p.opener == commit.Remote && l.checkSpike(&v, commit.Remote, rate, uint64(a.amount)) != nil {
		return RuleUpdateAddHTLCFeeSpike
	}
	return ""
}

// checkFeeAfford checks the opener can pay the commitment fee at rate
// with every HTLC it knows of (ours: both commitments; theirs: ours) while
// keeping its reserve.
func (l *updateLog) checkFeeAfford(rate wire.FeeRate) error {
	opener := l.p.opener
	v := l.view(opener)
	fee := l.commitFee(commit.Local, v.htlcs, rate, 0)
	if opener == commit.Local {
		fee = max(fee, l.commitFee(commit.Remote, v.htlcs, rate, 0))
	}
	need := fee + l.reserveOf(opener)
	if have := uint64(v.balance[opener]); have < need {
		return ruleErr(RuleUpdateFeeAfford, "opener's balance %d msat cannot pay fee and reserve %d msat at %d sat/kw", have, need, rate)
	}
	return nil
}
