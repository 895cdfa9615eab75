package outbound

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// PaymentFormat is the persisted form of a Payment (type 0x50, "P"). Its
// body is a TLV stream of fixed-layout big-endian values; every type is
// even (a reader must understand it), the header and attempts records are
// required, the others present when the field is.
var PaymentFormat = persist.RecordFormat{Type: 0x50, Major: 1, Minor: 0}

// TLV types of a payment record.
const (
	recHeader   = 0 // id, hash, amount, status, flags, failure reason, fee limit, fee paid, height
	recSecret   = 2 // payment secret
	recMetadata = 4 // payment metadata
	recPreimage = 6 // preimage
	recAttempts = 8 // attempts
)

// Encoded lengths.
const (
	headerLen     = 32 + 32 + 8 + 1 + 1 + 1 + 8 + 8 + 4
	attemptFixLen = 32 + 8 + 1 + 1 + 32 + 33 + 8 + 8 + 4 + 1
	hopLen        = 33 + 8 + 8 + 4 + 8 + 2
)

// flagKeysend and flagProbe are the header flags of a keysend payment and
// a probe; flagAdded the attempt flag of an added HTLC.
const (
	flagKeysend = 1 << 0
	flagProbe   = 1 << 1
	flagAdded   = 1 << 0
)

// Encode returns p's record (PaymentFormat). p must pass Validate (the
// error then matches ErrInvalidPayment): a record the decoder would refuse
// is never written. Equal payments give equal bytes.
func (p *Payment) Encode() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPayment, err)
	}
	recs := wire.TLVRecords{{Type: recHeader, Value: headerBytes(p)}}
	if s, ok := p.Secret.Get(); ok {
		recs = append(recs, wire.TLVRecord{Type: recSecret, Value: s[:]})
	}
	if p.Metadata != nil {
		recs = append(recs, wire.TLVRecord{Type: recMetadata, Value: p.Metadata})
	}
	if pre, ok := p.Preimage.Get(); ok {
		recs = append(recs, wire.TLVRecord{Type: recPreimage, Value: pre[:]})
	}
	recs = append(recs, wire.TLVRecord{Type: recAttempts, Value: appendAttempts(nil, p.Attempts)})
	return PaymentFormat.Append(nil, recs)
}

func headerBytes(p *Payment) []byte {
	var flags byte
	if p.Keysend {
		flags |= flagKeysend
	}
	if p.Probe {
		flags |= flagProbe
	}
	h := make([]byte, 0, headerLen)
	h = append(h, p.ID[:]...)
	h = append(h, p.Hash[:]...)
	h = binary.BigEndian.AppendUint64(h, uint64(p.Amount))
	h = append(h, byte(p.Status), flags, byte(p.FailureReason))
	h = binary.BigEndian.AppendUint64(h, uint64(p.MaxFee))
	h = binary.BigEndian.AppendUint64(h, uint64(p.FeePaid))
	return binary.BigEndian.AppendUint32(h, p.CreatedHeight)
}

func appendAttempts(b []byte, as []Attempt) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(as)))
	for i := range as {
		a := &as[i]
		var flags byte
		if a.Added {
			flags |= flagAdded
		}
		b = append(b, a.ChannelID[:]...)
		b = binary.BigEndian.AppendUint64(b, a.HTLCID)
		b = append(b, flags, byte(a.Status))
		b = append(b, a.SessionKey[:]...)
		r := &a.Route
		b = append(b, r.Payer[:]...)
		b = binary.BigEndian.AppendUint64(b, uint64(r.TotalAmount))
		b = binary.BigEndian.AppendUint64(b, uint64(r.TotalFee))
		b = binary.BigEndian.AppendUint32(b, r.TotalCLTV)
		b = append(b, byte(len(r.Hops)))
		for _, h := range r.Hops {
			b = append(b, h.NodeID[:]...)
			b = binary.BigEndian.AppendUint64(b, h.ShortChannelID.ToUint64())
			b = binary.BigEndian.AppendUint64(b, uint64(h.AmountToForward))
			b = binary.BigEndian.AppendUint32(b, h.OutgoingCLTV)
			b = binary.BigEndian.AppendUint64(b, uint64(h.Fee))
			b = binary.BigEndian.AppendUint16(b, h.CLTVExpiryDelta)
		}
	}
	return b
}

// DecodePayment reads a record written by Encode. Counts are bounded
// before allocation and the payment must pass Validate. A malformed record
// gives a *RecordError matching ErrCorruptRecord (and, when the record
// framing is at fault, persist.ErrCorrupt); a record of a newer major
// version matches persist.ErrNewerVersion instead. It never panics; the
// result does not alias data. Node ids are not checked to be curve points
// (BuildOnion refuses a route with an invalid one).
func DecodePayment(data []byte) (*Payment, error) {
	p := new(Payment)
	var seenHeader, seenAttempts bool
	_, _, err := PaymentFormat.Decode(data, func(typ uint64, v []byte) (bool, error) {
		r := &fieldReader{rest: v}
		switch typ {
		case recHeader:
			seenHeader = true
			readHeader(r, p)
		case recSecret:
			var s wire.PaymentSecret
			r.fixed(s[:])
			p.Secret = wire.Some(s)
		case recMetadata:
			if len(v) > MaxMetadataLen {
				return true, fmt.Errorf("metadata of %d bytes", len(v))
			}
			p.Metadata = append([]byte{}, v...)
			r.rest = nil
		case recPreimage:
			var pre wire.Preimage
			r.fixed(pre[:])
			p.Preimage = wire.Some(pre)
		case recAttempts:
			seenAttempts = true
			readAttempts(r, p)
		default:
			return false, nil
		}
		return true, r.done()
	})
	if err != nil {
		if errors.Is(err, persist.ErrNewerVersion) {
			return nil, fmt.Errorf("outbound: payment record: %w", err)
		}
		return nil, &RecordError{Field: "record", Err: err}
	}
	switch {
	case !seenHeader:
		return nil, &RecordError{Field: "header", Err: errors.New("missing")}
	case !seenAttempts:
		return nil, &RecordError{Field: "attempts", Err: errors.New("missing")}
	}
	if err := p.Validate(); err != nil {
		return nil, &RecordError{Field: "payment", Err: err}
	}
	return p, nil
}

func readHeader(r *fieldReader, p *Payment) {
	r.fixed(p.ID[:])
	r.fixed(p.Hash[:])
	p.Amount = r.msat()
	p.Status = Status(r.u8())
	flags := r.u8()
	if flags&^(flagKeysend|flagProbe) != 0 && r.err == nil {
		r.err = fmt.Errorf("unknown header flags %#x", flags)
	}
	p.Keysend = flags&flagKeysend != 0
	p.Probe = flags&flagProbe != 0
	p.FailureReason = FailureReason(r.u8())
	p.MaxFee = r.msat()
	p.FeePaid = r.msat()
	p.CreatedHeight = r.be32()
}

func readAttempts(r *fieldReader, p *Payment) {
	n := int(r.be16())
	if n > MaxAttempts || n*attemptFixLen > len(r.rest) {
		if r.err == nil {
			r.err = fmt.Errorf("%d attempts in %d bytes", n, len(r.rest))
		}
		return
	}
	if n > 0 {
		p.Attempts = make([]Attempt, n)
	}
	for i := range p.Attempts {
		if r.err != nil {
			return
		}
		readAttempt(r, &p.Attempts[i])
	}
}

func readAttempt(r *fieldReader, a *Attempt) {
	r.fixed(a.ChannelID[:])
	a.HTLCID = r.be64()
	flags := r.u8()
	if flags&^flagAdded != 0 && r.err == nil {
		r.err = fmt.Errorf("unknown attempt flags %#x", flags)
	}
	a.Added = flags&flagAdded != 0
	a.Status = AttemptStatus(r.u8())
	r.fixed(a.SessionKey[:])
	rt := &a.Route
	r.fixed(rt.Payer[:])
	rt.TotalAmount = r.msat()
	rt.TotalFee = r.msat()
	rt.TotalCLTV = r.be32()
	n := int(r.u8())
	if n == 0 || n > MaxHops || n*hopLen > len(r.rest) {
		if r.err == nil {
			r.err = fmt.Errorf("route of %d hops in %d bytes", n, len(r.rest))
		}
		return
	}
	rt.Hops = make([]router.Hop, n)
	for i := range rt.Hops {
		h := &rt.Hops[i]
		r.fixed(h.NodeID[:])
		h.ShortChannelID = wire.NewShortChannelID(r.be64())
		h.AmountToForward = r.msat()
		h.OutgoingCLTV = r.be32()
		h.Fee = r.msat()
		h.CLTVExpiryDelta = r.be16()
	}
}
