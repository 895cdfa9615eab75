package channel

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// A forward is the durable link between an incoming HTLC whose onion
// names a next hop and the HTLC we offer for it downstream. It is written
// with the revocation that made the incoming HTLC irrevocable (pending),
// then with the downstream channel's record that holds the outgoing add
// (added), then when the downstream resolves it (fulfilled: at once with
// the preimage; failed: once the removal is irrevocable, the failure
// already wrapped for upstream), and removed with the upstream channel's
// record that holds the incoming HTLC's removal. So after a crash at any
// point each forwarded HTLC is exactly one of: still to add downstream,
// added downstream, or to resolve upstream; never both failed and
// forwarded, never lost.

// forwardState is where a forward stands.
type forwardState uint8

const (
	// fwdPending: the incoming HTLC is committed; the outgoing HTLC is
	// yet to be added.
	fwdPending forwardState = iota + 1
	// fwdAdded: the outgoing HTLC is in the downstream channel's log.
	fwdAdded
	// fwdFulfilled: the downstream revealed the preimage: claim upstream.
	fwdFulfilled
	// fwdFailed: the forward failed (here or downstream): fail upstream
	// with failure.
	fwdFailed
	// fwdIntercepted: held for the application (HTLCIntercepted): it
	// forwards it (back to pending, with a target) or fails it.
	fwdIntercepted
)

// forward is one forwarded HTLC.
type forward struct {
	state forwardState
	// in is the incoming HTLC (upstream channel and HTLC id).
	in       htlcRef
	inAmount wire.MilliSatoshi
	inCLTV   uint32
	hash     wire.PaymentHash
	// secret is the incoming onion's shared secret: it wraps failures
	// on their way upstream.
	secret onion.SharedSecret
	// outSCID, outAmount and outCLTV are the onion's instructions:
	// short_channel_id, amt_to_forward, outgoing_cltv_value.
	outSCID   wire.ShortChannelID
	outAmount wire.MilliSatoshi
	outCLTV   uint32
	// next is the onion for the next hop (pending only).
	next []byte
	// out is the outgoing HTLC (added, and kept after).
	out htlcRef
	// preimage (fulfilled).
	preimage wire.Preimage
	// failure is the removal to send upstream (failed).
	failure htlcOutcome
	// onChain: the preimage came from the chain.
	onChain bool
	// announced: PaymentForwarded was raised, with the upstream channel's
	// record holding the fulfill, but the upstream monitor refused the
	// preimage: the claim through the closed channel's monitor must not
	// raise it again.
	announced bool
	// target is the channel the application chose for an intercepted
	// HTLC (zero: the channel the onion names, with our policy checked).
	target wire.ChannelID
	// inReceivedAt is when the incoming HTLC's update_add_htlc arrived
	// (htlcEntry.receivedAt; 0 unknown): our hold time starts there.
	inReceivedAt uint64
	// attr is the attribution data of the fulfill to send upstream
	// (fulfilled: the downstream's with our hold time added; nil in a
	// record of version 1). A failure's is failure.attr.
	attr *wire.AttributionData
	// gate is the upstream channel's monitor update that must be durable
	// before the outgoing HTLC leaves (not persisted: a loaded forward's
	// revocation is durable).
	gate uint64
}

// forwardsNS holds the forwards, keyed by the incoming HTLC.
func forwardsNS() persist.Namespace {
	return persist.Namespace{Primary: "channel_manager", Secondary: "forwards"}
}

// forwardKey is the key of the forward of incoming HTLC in.
func forwardKey(in htlcRef) string {
	k := in.bytes()
	return hex.EncodeToString(k[:])
}

// bytes is the channel id, then the HTLC id big-endian.
func (r htlcRef) bytes() [40]byte {
	var k [40]byte
	copy(k[:], r.channel[:])
	binary.BigEndian.PutUint64(k[32:], r.id)
	return k
}

// forwardRecordVersion is the first byte of a forward's record. Version
// 2 appended the incoming HTLC's arrival time and the attribution data of
// the failure and of the fulfill; a record of version 1 is still read
// (arrival unknown, no attribution data).
const (
	forwardRecordVersion   = 2
	forwardRecordVersionV1 = 1
)

// encodeForward is f's record: a version byte, then fixed fields (big-
// endian), then the byte strings with 4-byte lengths.
func encodeForward(f *forward) ([]byte, error) {
	w := fieldWriter{buf: make([]byte, 0, 300+len(f.next)+2*wire.AttributionDataSize)}
	w.u8(forwardRecordVersion)
	w.u8(byte(f.state))
	w.fixed(f.in.channel[:])
	w.be64(f.in.id)
	w.be64(uint64(f.inAmount))
	w.be32(f.inCLTV)
	w.fixed(f.hash[:])
	w.fixed(f.secret[:])
	w.be64(f.outSCID.ToUint64())
	w.be64(uint64(f.outAmount))
	w.be32(f.outCLTV)
	w.blob(f.next)
	w.fixed(f.out.channel[:])
	w.be64(f.out.id)
	w.fixed(f.preimage[:])
	w.u8(byte(f.failure.kind))
	w.blob(f.failure.reason)
	w.be16(f.failure.failureCode)
	w.fixed(f.failure.onionHash[:])
	w.flags(f.onChain, f.announced)
	w.fixed(f.target[:])
	w.be64(f.inReceivedAt)
	w.attribution(f.failure.attr)
	w.attribution(f.attr)
	if w.err != nil {
		return nil, fmt.Errorf("channel: encode forward: %w", w.err)
	}
	return w.buf, nil
}

// decodeForward reads a forward's record; anything malformed is
// ErrCorruptRecord.
func decodeForward(b []byte) (*forward, error) {
	r := fieldReader{rest: b}
	v := r.u8()
	if r.err == nil && v != forwardRecordVersion && v != forwardRecordVersionV1 {
		return nil, fmt.Errorf("%w: forward record version %d", ErrCorruptRecord, v)
	}
	f := &forward{state: forwardState(r.u8())}
	r.fixed(f.in.channel[:])
	f.in.id = r.be64()
	f.inAmount = wire.MilliSatoshi(r.be64())
	f.inCLTV = r.be32()
	r.fixed(f.hash[:])
	r.fixed(f.secret[:])
	f.outSCID = wire.NewShortChannelID(r.be64())
	f.outAmount = wire.MilliSatoshi(r.be64())
	f.outCLTV = r.be32()
	if next := r.blob(); len(next) > 0 {
		f.next = append([]byte(nil), next...)
	}
	r.fixed(f.out.channel[:])
	f.out.id = r.be64()
	r.fixed(f.preimage[:])
	f.failure.kind = htlcOutcomeKind(r.u8())
	if reason := r.blob(); len(reason) > 0 {
		f.failure.reason = append([]byte(nil), reason...)
	}
	f.failure.failureCode = r.be16()
	r.fixed(f.failure.onionHash[:])
	r.flags(&f.onChain, &f.announced)
	r.fixed(f.target[:])
	if v == forwardRecordVersion {
		f.inReceivedAt = r.be64()
		f.failure.attr = r.attribution()
		f.attr = r.attribution()
	}
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("%w: forward record: %w", ErrCorruptRecord, err)
	}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("%w: forward record: %w", ErrCorruptRecord, err)
	}
	return f, nil
}

// check reports a forward no state can hold.
func (f *forward) check() error {
	switch f.state {
	case fwdPending, fwdIntercepted:
		if len(f.next) != onion.PacketSize {
			return fmt.Errorf("pending with an onion of %d bytes", len(f.next))
		}
	case fwdAdded:
	case fwdFulfilled:
		if f.preimage.Hash() != f.hash {
			return fmt.Errorf("preimage does not match the payment hash")
		}
	case fwdFailed:
		if f.failure.kind != htlcFailed && f.failure.kind != htlcFailedMalformed {
			return fmt.Errorf("failed without a failure (kind %d)", f.failure.kind)
		}
	default:
		return fmt.Errorf("state %d", f.state)
	}
	if f.state == fwdIntercepted && f.target != (wire.ChannelID{}) {
		return fmt.Errorf("intercepted with a target")
	}
	if f.state != fwdFailed && f.failure.kind != 0 {
		return fmt.Errorf("a failure in state %d", f.state)
	}
	if f.announced && f.state != fwdFulfilled {
		return fmt.Errorf("announced in state %d", f.state)
	}
	if f.attr != nil && f.state != fwdFulfilled {
		return fmt.Errorf("fulfill attribution data in state %d", f.state)
	}
	return nil
}

// forwardOp is the write of f's record.
func forwardOp(f *forward) (persist.Op, error) {
	rec, err := encodeForward(f)
	if err != nil {
		return persist.Op{}, err
	}
	return persist.WriteOp(forwardsNS(), forwardKey(f.in), rec), nil
}

// forwardRemoveOp removes the forward of incoming HTLC in.
func forwardRemoveOp(in htlcRef) persist.Op {
	return persist.RemoveOp(forwardsNS(), forwardKey(in))
}
