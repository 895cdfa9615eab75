package channel

import (
	"errors"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// The update log of BOLT 2 normal operation: the HTLCs and fee updates of
// both sides, each in an explicit state, from this node's point of view.
// It is a deterministic value driven by the Manager (not yet wired in):
// every call either applies fully or returns an error and changes nothing.
//
// An outbound HTLC (we offered it) passes through
//
//	state                          | event                  | new state                      | outputs
//	-------------------------------+------------------------+--------------------------------+-------------------------------
//	(none)                         | addHTLC                | LocalAnnounced (unsigned)      | the HTLC id (send update_add_htlc)
//	LocalAnnounced (unsigned)      | sendingCommitment      | LocalAnnounced (signed)        | in their next commitment
//	LocalAnnounced (signed)        | receivedRevoke         | Committed                      | -
//	LocalAnnounced (unsigned)      | disconnected           | (dropped)                      | returned as unsent
//	Committed                      | receiveFulfill / Fail  | RemoteRemoved(outcome)         | the outcome (a preimage: PaymentSent)
//	RemoteRemoved                  | receivedCommitment     | AwaitingRemoteRevokeToRemove   | out of our next commitment
//	RemoteRemoved                  | disconnected           | Committed                      | - (the peer retransmits)
//	AwaitingRemoteRevokeToRemove   | sendingCommitment      | AwaitingRemovedRemoteRevoke    | out of their next commitment
//	AwaitingRemovedRemoteRevoke    | receivedRevoke         | forgotten                      | resolved: the outcome, the balance moves
//
// and an inbound HTLC (they offered it) through
//
//	state                          | event                  | new state                      | outputs
//	-------------------------------+------------------------+--------------------------------+-------------------------------
//	(none)                         | receiveAdd             | RemoteAnnounced                | -
//	(none), id already received    | receiveAdd after a     | unchanged                      | ignored (retransmission)
//	                               | reconnection           |                                |
//	RemoteAnnounced                | receivedCommitment     | AwaitingRemoteRevokeToAnnounce | in our next commitment
//	RemoteAnnounced                | disconnected           | (dropped, id rewound)          | -
//	AwaitingRemoteRevokeToAnnounce | sendingCommitment      | AwaitingAnnouncedRemoteRevoke  | in their next commitment
//	AwaitingAnnouncedRemoteRevoke  | receivedRevoke         | Committed                      | locked in: forward or claim it
//	Committed                      | fulfill / fail         | LocalRemoved(outcome, unsigned)| send update_fulfill/fail_htlc
//	LocalRemoved (unsigned)        | sendingCommitment      | LocalRemoved (signed)          | out of their next commitment
//	LocalRemoved (unsigned)        | disconnected           | LocalRemoved (unsigned)        | sent again after reestablish
//	LocalRemoved (signed)          | receivedRevoke         | forgotten                      | the balance moves
//
// Our own updates carry a "signed" mark: a commitment_signed we sent covers
// them. Only signed updates advance on receivedRevoke, so updates may be
// added while a revocation is awaited (no holding cell). update_fee (opener
// only) is an update like an add: ours LocalAnnounced → (signed, revoked)
// applied; theirs RemoteAnnounced → AwaitingRemoteRevokeToAnnounce →
// AwaitingAnnouncedRemoteRevoke → applied. The newest fee update included
// in a commitment sets its feerate_per_kw.
//
// Which commitment holds what (their next commitment is computed as
// sendingCommitment will leave the states, ours as receivedCommitment
// will):
//
//	outbound state                 | our next | their next
//	LocalAnnounced                 | no (owed to us: not yet added) | yes
//	Committed                      | yes      | yes
//	RemoteRemoved                  | no (removed)  | yes
//	AwaitingRemoteRevokeToRemove   | no (removed)  | no (removed)
//	AwaitingRemovedRemoteRevoke    | no (removed)  | no (removed)
//	inbound state                  | our next | their next
//	RemoteAnnounced                | yes      | no (not yet added)
//	AwaitingRemoteRevokeToAnnounce | yes      | yes
//	AwaitingAnnouncedRemoteRevoke  | yes      | yes
//	Committed                      | yes      | yes
//	LocalRemoved                   | yes      | no (removed)
//
// The log relies on BOLT 2's ordering: a peer sends revoke_and_ack before
// a commitment_signed that depends on it.

// htlcState is the state of an HTLC in the update log.
type htlcState uint8

// The states of CHANNELS.md §5.
const (
	htlcLocalAnnounced htlcState = iota + 1
	htlcOutCommitted
	htlcRemoteRemoved
	htlcAwaitingRemoteRevokeToRemove
	htlcAwaitingRemovedRemoteRevoke
	htlcRemoteAnnounced
	htlcAwaitingRemoteRevokeToAnnounce
	htlcAwaitingAnnouncedRemoteRevoke
	htlcInCommitted
	htlcLocalRemoved
	htlcStateEnd
)

// String names the state as CHANNELS.md does.
func (s htlcState) String() string {
	switch s {
	case htlcLocalAnnounced:
		return "LocalAnnounced"
	case htlcOutCommitted, htlcInCommitted:
		return "Committed"
	case htlcRemoteRemoved:
		return "RemoteRemoved"
	case htlcAwaitingRemoteRevokeToRemove:
		return "AwaitingRemoteRevokeToRemove"
	case htlcAwaitingRemovedRemoteRevoke:
		return "AwaitingRemovedRemoteRevoke"
	case htlcRemoteAnnounced:
		return "RemoteAnnounced"
	case htlcAwaitingRemoteRevokeToAnnounce:
		return "AwaitingRemoteRevokeToAnnounce"
	case htlcAwaitingAnnouncedRemoteRevoke:
		return "AwaitingAnnouncedRemoteRevoke"
	case htlcLocalRemoved:
		return "LocalRemoved"
	}
	return "invalid"
}

// outbound reports whether s is a state of an HTLC we offered.
func (s htlcState) outbound() bool {
	return s >= htlcLocalAnnounced && s <= htlcAwaitingRemovedRemoteRevoke
}

// removed reports whether the HTLC's removal has been sent or received.
func (s htlcState) removed() bool {
	switch s {
	case htlcRemoteRemoved, htlcAwaitingRemoteRevokeToRemove, htlcAwaitingRemovedRemoteRevoke, htlcLocalRemoved:
		return true
	}
	return false
}

// htlcOutcomeKind is how an HTLC was removed.
type htlcOutcomeKind uint8

const (
	htlcFulfilled htlcOutcomeKind = iota + 1
	htlcFailed
	htlcFailedMalformed
)

// htlcOutcome is the removal of an HTLC: update_fulfill_htlc,
// update_fail_htlc or update_fail_malformed_htlc.
type htlcOutcome struct {
	kind     htlcOutcomeKind
	preimage wire.Preimage
	// reason is update_fail_htlc's encrypted reason.
	reason []byte
	// failureCode and onionHash are update_fail_malformed_htlc's.
	failureCode uint16
	onionHash   [32]byte
	// attr is the attribution_data (BOLT 4 attributable failures, hold
	// times) of update_fulfill_htlc or update_fail_htlc, as sent or
	// received; nil when there was none. Never changed in place: it is
	// shared by copies of the outcome.
	attr *wire.AttributionData
}

// htlcEntry is one HTLC in the log.
type htlcEntry struct {
	id          uint64
	amount      wire.MilliSatoshi
	paymentHash wire.PaymentHash
	cltvExpiry  uint32
	// onion is the onion_routing_packet, opaque here.
	onion   []byte
	state   htlcState
	outcome htlcOutcome
	// signed: our own update of this HTLC (its add when LocalAnnounced,
	// its removal when LocalRemoved) is covered by a commitment_signed we
	// sent.
	signed bool
	// epoch is the log's connection epoch when an inbound add was
	// received, to recognise a retransmission after a reconnection.
	epoch uint32
	// failBack, for an inbound HTLC, names the limit it broke that BOLT 2
	// says to answer by failing the HTLC once committed, not the channel
	// (dust exposure, the opener's fee spike buffer); empty otherwise.
	failBack Rule
	// receivedAt, for an inbound HTLC, is when its update_add_htlc
	// arrived (the Manager's injected clock, unix milliseconds; 0 when
	// unknown): the start of the hold time BOLT 4's attribution data
	// reports.
	receivedAt uint64
}

// offerer is the side that offered the HTLC.
func (h *htlcEntry) offerer() commit.Side {
	if h.state.outbound() {
		return commit.Local
	}
	return commit.Remote
}

// htlcFeeUpdate is an update_fee in the log.
type htlcFeeUpdate struct {
	rate wire.FeeRate
	// state is htlcLocalAnnounced for ours, htlcRemoteAnnounced,
	// htlcAwaitingRemoteRevokeToAnnounce or
	// htlcAwaitingAnnouncedRemoteRevoke for theirs.
	state  htlcState
	signed bool
}

// updateLogParams is what the log needs of the channel.
type updateLogParams struct {
	chanType commit.ChannelType
	opener   commit.Side
	capacity wire.Satoshi
	// ours and theirs are the limits each side set (see sideLimits: each
	// binds the OTHER side's offers and balance).
	ours, theirs sideLimits
	// maxDustExposure is ChannelConfig.MaxDustHTLCExposure.
	maxDustExposure wire.MilliSatoshi
}

// limitsOf returns the limits side s set.
func (p *updateLogParams) limitsOf(s commit.Side) *sideLimits {
	if s == commit.Local {
		return &p.ours
	}
	return &p.theirs
}

// updateLog is the update log of a channel's both sides.
type updateLog struct {
	p updateLogParams
	// balance is what each side owns once every HTLC still in the log is
	// taken out of its offerer's balance (index commit.Local/Remote).
	balance [2]wire.MilliSatoshi
	// feeRate is the rate both sides have irrevocably agreed on.
	feeRate wire.FeeRate
	// htlcs in the order they were added (ours and theirs interleaved).
	htlcs []htlcEntry
	fees  []htlcFeeUpdate
	// nextID is the id of the next HTLC each side offers.
	nextID [2]uint64
	// localNumber and remoteNumber are the numbers of the latest
	// commitment of each side (ours signed by them, theirs signed by us).
	localNumber, remoteNumber uint64
	// awaitingRevoke: we sent commitment_signed and wait for their
	// revoke_and_ack. owingRevoke: we received commitment_signed and have
	// not sent revoke_and_ack.
	awaitingRevoke, owingRevoke bool
	// epoch counts disconnections.
	epoch uint32
}

// Sentinel errors of the update log, for calls of our own that cannot
// apply (a peer's message that breaks a rule gives a *RuleError).
var (
	// errHTLCUnknown: fulfill or fail of an id that is not a committed
	// HTLC of the peer.
	errHTLCUnknown = errors.New("channel: no committed htlc with that id")
	// errUpdateLogNothingToSign: sendingCommitment with no update to cover
	// (BOLT 2: MUST NOT send an empty commitment_signed).
	errUpdateLogNothingToSign = errors.New("channel: no update to sign")
	// errUpdateLogAwaitingRevoke: sendingCommitment before the peer revoked
	// the previous commitment we signed.
	errUpdateLogAwaitingRevoke = errors.New("channel: awaiting revoke_and_ack")
	// errUpdateLogNotOwingRevoke: sentRevoke with no commitment to revoke.
	errUpdateLogNotOwingRevoke = errors.New("channel: no commitment_signed to revoke")
	// errUpdateLogNotOpener: sendFee on a channel we did not open.
	errUpdateLogNotOpener = errors.New("channel: only the opener sends update_fee")
)

// maxFeeUpdates bounds the pending fee updates: one per state and side is
// all that can matter, older ones are superseded.
const maxFeeUpdates = 4

// newUpdateLog starts a log for a channel whose latest commitments carry
// the balances and rate given (as the Manager's commitments hold them)
// and no HTLC.
func newUpdateLog(p updateLogParams, local, remote wire.MilliSatoshi, rate wire.FeeRate, localNumber, remoteNumber uint64) *updateLog {
	return &updateLog{p: p, balance: [2]wire.MilliSatoshi{local, remote}, feeRate: rate, localNumber: localNumber, remoteNumber: remoteNumber}
}

// find returns the HTLC of offerer s with id, or nil.
func (l *updateLog) find(s commit.Side, id uint64) *htlcEntry {
	for i := range l.htlcs {
		h := &l.htlcs[i]
		if h.id == id && h.offerer() == s {
			return h
		}
	}
	return nil
}

// htlcAdd is an HTLC to add: ours (addHTLC) or theirs (receiveAdd).
type htlcAdd struct {
	id          uint64
	amount      wire.MilliSatoshi
	paymentHash wire.PaymentHash
	cltvExpiry  uint32
	onion       []byte
	// receivedAt is htlcEntry.receivedAt (receiveAdd only).
	receivedAt uint64
}

// addHTLC offers an HTLC to the peer: it checks every limit of BOLT 2 and
// of the peer's parameters (a *RuleError names the one broken) and returns
// the id to put in update_add_htlc. a.id is ignored.
func (l *updateLog) addHTLC(a htlcAdd) (uint64, error) {
	a.id = l.nextID[commit.Local]
	if err := l.checkAdd(commit.Local, &a); err != nil {
		return 0, err
	}
	l.insert(commit.Local, &a, htlcLocalAnnounced)
	return a.id, nil
}

// receiveAdd applies the peer's update_add_htlc. ignored is true for a
// retransmission of an HTLC already received before a reconnection, which
// BOLT 2 says to ignore.
func (l *updateLog) receiveAdd(a htlcAdd) (ignored bool, err error) {
	if a.id < l.nextID[commit.Remote] {
		if h := l.find(commit.Remote, a.id); h != nil && h.epoch < l.epoch && h.amount == a.amount &&
			h.paymentHash == a.paymentHash && h.cltvExpiry == a.cltvExpiry {
			return true, nil
		}
	}
	if a.id != l.nextID[commit.Remote] {
		return false, ruleErr(RuleUpdateAddHTLCID, "id %d, expected %d", a.id, l.nextID[commit.Remote])
	}
	if err := l.checkAdd(commit.Remote, &a); err != nil {
		return false, err
	}
	failBack := l.checkInboundSoft(&a)
	l.insert(commit.Remote, &a, htlcRemoteAnnounced)
	l.htlcs[len(l.htlcs)-1].failBack = failBack
	return false, nil
}

func (l *updateLog) insert(s commit.Side, a *htlcAdd, st htlcState) {
	l.htlcs = append(l.htlcs, htlcEntry{
		id: a.id, amount: a.amount, paymentHash: a.paymentHash, cltvExpiry: a.cltvExpiry,
		onion: append([]byte(nil), a.onion...), state: st, epoch: l.epoch, receivedAt: a.receivedAt,
	})
	l.balance[s] -= a.amount
	l.nextID[s]++
}

// fulfill removes the peer's committed HTLC id with preimage (we claim
// it) and attribution data attr (nil for none): send update_fulfill_htlc
// once the preimage is durable.
func (l *updateLog) fulfill(id uint64, preimage wire.Preimage, attr *wire.AttributionData) error {
	h := l.find(commit.Remote, id)
	if h == nil || h.state != htlcInCommitted {
		return errHTLCUnknown
	}
	if preimage.Hash() != h.paymentHash {
		return ruleErr(RuleUpdateFulfillHTLCPreimage, "preimage does not hash to htlc %d's payment hash", id)
	}
	h.state, h.signed, h.outcome = htlcLocalRemoved, false, htlcOutcome{kind: htlcFulfilled, preimage: preimage, attr: attr}
	return nil
}

// fail removes the peer's committed HTLC id with an update_fail_htlc
// reason, or with update_fail_malformed_htlc when malformed is true.
func (l *updateLog) fail(id uint64, o htlcOutcome) error {
	h := l.find(commit.Remote, id)
	if h == nil || h.state != htlcInCommitted {
		return errHTLCUnknown
	}
	if o.kind != htlcFailed && o.kind != htlcFailedMalformed {
		o.kind = htlcFailed
	}
	o.reason = append([]byte(nil), o.reason...)
	h.state, h.signed, h.outcome = htlcLocalRemoved, false, o
	return nil
}

// receiveFulfill applies update_fulfill_htlc (attr: its attribution_data,
// nil when none) and returns the HTLC it settles (its preimage proves our
// payment).
func (l *updateLog) receiveFulfill(id uint64, preimage wire.Preimage, attr *wire.AttributionData) (htlcEntry, error) {
	h := l.find(commit.Local, id)
	if h == nil || h.state != htlcOutCommitted {
		return htlcEntry{}, ruleErr(RuleUpdateFulfillHTLCID, "id %d is not a committed htlc of ours", id)
	}
	if preimage.Hash() != h.paymentHash {
		return htlcEntry{}, ruleErr(RuleUpdateFulfillHTLCPreimage, "preimage does not hash to htlc %d's payment hash", id)
	}
	h.state, h.outcome = htlcRemoteRemoved, htlcOutcome{kind: htlcFulfilled, preimage: preimage, attr: attr}
	return *h, nil
}

// receiveFail applies update_fail_htlc (attr: its attribution_data, nil
// when none).
func (l *updateLog) receiveFail(id uint64, reason []byte, attr *wire.AttributionData) error {
	h := l.find(commit.Local, id)
	if h == nil || h.state != htlcOutCommitted {
		return ruleErr(RuleUpdateFailHTLCID, "id %d is not a committed htlc of ours", id)
	}
	h.state, h.outcome = htlcRemoteRemoved, htlcOutcome{kind: htlcFailed, reason: append([]byte(nil), reason...), attr: attr}
	return nil
}

// badOnion is BOLT 4's BADONION bit of a failure code.
const badOnion = 0x8000

// receiveFailMalformed applies update_fail_malformed_htlc.
func (l *updateLog) receiveFailMalformed(id uint64, onionHash [32]byte, code uint16) error {
	h := l.find(commit.Local, id)
	if h == nil || h.state != htlcOutCommitted {
		return ruleErr(RuleUpdateFailMalformedHTLCID, "id %d is not a committed htlc of ours", id)
	}
	if code&badOnion == 0 {
		return ruleErr(RuleUpdateFailMalformedHTLCFailureCode, "failure code %#04x without BADONION", code)
	}
	h.state, h.outcome = htlcRemoteRemoved, htlcOutcome{kind: htlcFailedMalformed, failureCode: code, onionHash: onionHash}
	return nil
}

// sendFee adds our update_fee (we must be the opener, and able to pay it
// in both commitments while keeping our reserve).
func (l *updateLog) sendFee(rate wire.FeeRate) error {
	if l.p.opener != commit.Local {
		return errUpdateLogNotOpener
	}
	if err := l.checkFeeAfford(rate); err != nil {
		return err
	}
	l.pushFee(htlcFeeUpdate{rate: rate, state: htlcLocalAnnounced})
	return nil
}

// receiveFee applies the peer's update_fee, checked against bounds.
func (l *updateLog) receiveFee(rate wire.FeeRate, bounds FeeBounds) error {
	if l.p.opener != commit.Remote {
		return ruleErr(RuleUpdateFeeSender, "update_fee from the channel's acceptor")
	}
	if lo := bounds.Min(l.p.chanType); rate < lo || rate > bounds.Max {
		return ruleErr(RuleUpdateFeeRate, "feerate_per_kw %d outside [%d, %d]", rate, lo, bounds.Max)
	}
	if err := l.checkFeeAfford(rate); err != nil {
		return err
	}
	l.pushFee(htlcFeeUpdate{rate: rate, state: htlcRemoteAnnounced})
	return nil
}

// pushFee appends u, replacing a fee update it supersedes (one not yet
// in any commitment: unsigned ours, or theirs still RemoteAnnounced).
func (l *updateLog) pushFee(u htlcFeeUpdate) {
	for i := range l.fees {
		f := &l.fees[i]
		if (f.state == htlcLocalAnnounced && !f.signed) || f.state == htlcRemoteAnnounced {
			l.fees = append(l.fees[:i], l.fees[i+1:]...)
			break
		}
	}
	l.fees = append(l.fees, u)
}
