package onion

import (
	"encoding/binary"
	"fmt"
	"log/slog"

	"github.com/lnkit/lnkit/wire"
)

// TLV types of the hop payload (BOLT 4 "payload format"), plus the keysend
// preimage record used by spontaneous payments.
const (
	// TypeAmountToForward is the type of amt_to_forward.
	TypeAmountToForward uint64 = 2
	// TypeOutgoingCLTV is the type of outgoing_cltv_value.
	TypeOutgoingCLTV uint64 = 4
	// TypeShortChannelID is the type of short_channel_id.
	TypeShortChannelID uint64 = 6
	// TypePaymentData is the type of payment_data.
	TypePaymentData uint64 = 8
	// TypeEncryptedRecipientData is the type of encrypted_recipient_data.
	TypeEncryptedRecipientData uint64 = 10
	// TypeCurrentPathKey is the type of current_path_key.
	TypeCurrentPathKey uint64 = 12
	// TypePaymentMetadata is the type of payment_metadata.
	TypePaymentMetadata uint64 = 16
	// TypeTotalAmountMsat is the type of total_amount_msat.
	TypeTotalAmountMsat uint64 = 18
	// TypeKeysendPreimage is the type of keysend_preimage (spontaneous payments).
	TypeKeysendPreimage uint64 = 5482373484
	// MinCustomType is the first type of the custom record range; records
	// from it on are kept in HopPayload.Custom.
	MinCustomType uint64 = 65536
)

// PaymentData is the payment_data record: the invoice's payment secret and
// the total amount of the (possibly multi-part) payment.
type PaymentData struct {
	// PaymentSecret is the recipient's payment_secret.
	PaymentSecret wire.PaymentSecret
	// TotalMsat is the total amount of all parts of the payment.
	TotalMsat wire.MilliSatoshi
}

// HopPayload is the typed TLV payload of one hop. Every record is optional
// (wire.Option); Decode leaves byte slices aliasing its input.
//
// Route blinding records (EncryptedRecipientData, CurrentPathKey,
// TotalAmountMsat) are carried but not interpreted here: decrypting
// encrypted_recipient_data is the business of the route blinding code.
type HopPayload struct {
	// AmountToForward is amt_to_forward (type 2, tu64).
	AmountToForward wire.Option[wire.MilliSatoshi]
	// OutgoingCLTV is outgoing_cltv_value (type 4, tu32).
	OutgoingCLTV wire.Option[uint32]
	// ShortChannelID is the outgoing channel (type 6).
	ShortChannelID wire.Option[wire.ShortChannelID]
	// PaymentData is payment_data (type 8).
	PaymentData wire.Option[PaymentData]
	// EncryptedRecipientData is encrypted_recipient_data (type 10).
	EncryptedRecipientData wire.Option[[]byte]
	// CurrentPathKey is current_path_key (type 12), the path key of a
	// blinded route's introduction node.
	CurrentPathKey wire.Option[wire.Point]
	// PaymentMetadata is payment_metadata (type 16).
	PaymentMetadata wire.Option[[]byte]
	// TotalAmountMsat is total_amount_msat (type 18, tu64), used in blinded
	// routes.
	TotalAmountMsat wire.Option[wire.MilliSatoshi]
	// KeysendPreimage is the keysend record (type 5482373484).
	KeysendPreimage wire.Option[wire.Preimage]
	// Custom holds the other records of type >= 65536, in increasing type
	// order. BOLT 1 makes the even ones mandatory: a receiver that does not
	// understand one must fail the HTLC with invalid_onion_payload. Decode
	// keeps them all; the Processor refuses the even types its
	// ProcessorConfig.KnownCustomTypes does not list.
	Custom wire.TLVRecords
}

// LogValue implements slog.LogValuer. The payment secret and keysend
// preimage are not logged.
func (p *HopPayload) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 6)
	if v, ok := p.AmountToForward.Get(); ok {
		attrs = append(attrs, slog.Uint64("amt_to_forward", uint64(v)))
	}
	if v, ok := p.OutgoingCLTV.Get(); ok {
		attrs = append(attrs, slog.Uint64("outgoing_cltv_value", uint64(v)))
	}
	if v, ok := p.ShortChannelID.Get(); ok {
		attrs = append(attrs, slog.String("short_channel_id", v.String()))
	}
	if v, ok := p.PaymentData.Get(); ok {
		attrs = append(attrs, slog.Uint64("total_msat", uint64(v.TotalMsat)))
	}
	if v, ok := p.EncryptedRecipientData.Get(); ok {
		attrs = append(attrs, slog.Int("encrypted_recipient_data_len", len(v)))
	}
	if len(p.Custom) > 0 {
		attrs = append(attrs, slog.Int("custom_records", len(p.Custom)))
	}
	return slog.GroupValue(attrs...)
}

// Encode appends the payload's TLV stream (without the BigSize length that
// frames it in the packet) to b. It fails with a *PayloadError when a custom
// record is out of range or out of order.
func (p *HopPayload) Encode(b []byte) ([]byte, error) {
	for i, r := range p.Custom {
		if r.Type < MinCustomType || r.Type == TypeKeysendPreimage {
			return b, &PayloadError{Type: r.Type, Err: fmt.Errorf("custom record type out of range: %w", ErrInvalidPayload)}
		}
		if i > 0 && r.Type <= p.Custom[i-1].Type {
			return b, &PayloadError{Type: r.Type, Err: wire.ErrTLVOrder}
		}
	}
	if v, ok := p.AmountToForward.Get(); ok {
		b = appendRecordHeader(b, TypeAmountToForward, wire.TU64Len(uint64(v)))
		b = wire.AppendTU64(b, uint64(v))
	}
	if v, ok := p.OutgoingCLTV.Get(); ok {
		b = appendRecordHeader(b, TypeOutgoingCLTV, wire.TU64Len(uint64(v)))
		b = wire.AppendTU32(b, v)
	}
	if v, ok := p.ShortChannelID.Get(); ok {
		b = appendRecordHeader(b, TypeShortChannelID, 8)
		b = binary.BigEndian.AppendUint64(b, v.ToUint64())
	}
	if v, ok := p.PaymentData.Get(); ok {
		b = appendRecordHeader(b, TypePaymentData, 32+wire.TU64Len(uint64(v.TotalMsat)))
		b = append(b, v.PaymentSecret[:]...)
		b = wire.AppendTU64(b, uint64(v.TotalMsat))
	}
	if v, ok := p.EncryptedRecipientData.Get(); ok {
		b = appendRecordHeader(b, TypeEncryptedRecipientData, len(v))
		b = append(b, v...)
	}
	if v, ok := p.CurrentPathKey.Get(); ok {
		b = appendRecordHeader(b, TypeCurrentPathKey, 33)
		b = append(b, v[:]...)
	}
	if v, ok := p.PaymentMetadata.Get(); ok {
		b = appendRecordHeader(b, TypePaymentMetadata, len(v))
		b = append(b, v...)
	}
	if v, ok := p.TotalAmountMsat.Get(); ok {
		b = appendRecordHeader(b, TypeTotalAmountMsat, wire.TU64Len(uint64(v)))
		b = wire.AppendTU64(b, uint64(v))
	}
	preimage, keysend := p.KeysendPreimage.Get()
	for _, r := range p.Custom {
		if keysend && r.Type > TypeKeysendPreimage {
			b = appendRecordHeader(b, TypeKeysendPreimage, 32)
			b = append(b, preimage[:]...)
			keysend = false
		}
		b = appendRecordHeader(b, r.Type, len(r.Value))
		b = append(b, r.Value...)
	}
	if keysend {
		b = appendRecordHeader(b, TypeKeysendPreimage, 32)
		b = append(b, preimage[:]...)
	}
	return b, nil
}

// Decode parses a hop payload TLV stream into p, replacing its contents.
// Unknown odd types below MinCustomType are skipped; unknown even ones fail
// (BOLT 1). Errors are *PayloadError, giving the type and offset for the
// invalid_onion_payload failure. Byte-slice fields alias b.
func (p *HopPayload) Decode(b []byte) error {
	*p = HopPayload{}
	r := tlvReader{b: b}
	customs := 0
	for {
		typ, val, start, ok, err := r.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := p.decodeRecord(typ, val); err != nil {
			return &PayloadError{Type: typ, Offset: start, Err: err}
		}
		if typ >= MinCustomType && typ != TypeKeysendPreimage {
			customs++
		}
	}
	if customs == 0 {
		return nil
	}
	// Second pass for the custom records, so the slice is allocated once.
	p.Custom = make(wire.TLVRecords, 0, customs)
	r = tlvReader{b: b}
	for {
		typ, val, _, ok, _ := r.next()
		if !ok {
			return nil
		}
		if typ >= MinCustomType && typ != TypeKeysendPreimage {
			p.Custom = append(p.Custom, wire.TLVRecord{Type: typ, Value: val})
		}
	}
}

// decodeRecord sets the field of one known record.
func (p *HopPayload) decodeRecord(typ uint64, val []byte) error {
	switch typ {
	case TypeAmountToForward:
		v, err := wire.ReadTU64(val)
		if err != nil {
			return err
		}
		p.AmountToForward = wire.Some(wire.MilliSatoshi(v))
	case TypeOutgoingCLTV:
		v, err := wire.ReadTU32(val)
		if err != nil {
			return err
		}
		p.OutgoingCLTV = wire.Some(v)
	case TypeShortChannelID:
		if len(val) != 8 {
			return wire.ErrTLVLength
		}
		p.ShortChannelID = wire.Some(wire.NewShortChannelID(binary.BigEndian.Uint64(val)))
	case TypePaymentData:
		if len(val) < 32 {
			return wire.ErrTLVLength
		}
		v, err := wire.ReadTU64(val[32:])
		if err != nil {
			return err
		}
		pd := PaymentData{TotalMsat: wire.MilliSatoshi(v)}
		copy(pd.PaymentSecret[:], val[:32])
		p.PaymentData = wire.Some(pd)
	case TypeEncryptedRecipientData:
		p.EncryptedRecipientData = wire.Some(val)
	case TypeCurrentPathKey:
		if len(val) != 33 {
			return wire.ErrTLVLength
		}
		key := wire.Point(val)
		if !key.IsValid() {
			return wire.ErrInvalidPoint
		}
		p.CurrentPathKey = wire.Some(key)
	case TypePaymentMetadata:
		p.PaymentMetadata = wire.Some(val)
	case TypeTotalAmountMsat:
		v, err := wire.ReadTU64(val)
		if err != nil {
			return err
		}
		p.TotalAmountMsat = wire.Some(wire.MilliSatoshi(v))
	case TypeKeysendPreimage:
		if len(val) != 32 {
			return wire.ErrTLVLength
		}
		p.KeysendPreimage = wire.Some(wire.Preimage(val))
	default:
		if typ < MinCustomType && typ%2 == 0 {
			return wire.ErrUnknownEvenType
		}
	}
	return nil
}

// Validate checks the reader requirements of BOLT 4 that depend only on
// the payload: final is whether this hop is the final one (its next HMAC
// was all zero) and blinded whether update_add_htlc carried a path_key.
// It does not check amounts or expiries against the HTLC, nor decrypt
// encrypted_recipient_data. Errors are *PayloadError.
func (p *HopPayload) Validate(final, blinded bool) error {
	bad := func(typ uint64, what string) error {
		return &PayloadError{Type: typ, Err: fmt.Errorf("%s: %w", what, ErrInvalidPayload)}
	}
	if p.EncryptedRecipientData.Present {
		if blinded && p.CurrentPathKey.Present {
			return bad(TypeCurrentPathKey, "current_path_key with a path_key in update_add_htlc")
		}
		if !blinded && !p.CurrentPathKey.Present {
			return bad(TypeCurrentPathKey, "blinded hop without a path key")
		}
		// Inside a blinded route only these records may appear: 10 and 12,
		// and at the final hop 2, 4 and 18 (which it must have).
		switch {
		case p.ShortChannelID.Present:
			return bad(TypeShortChannelID, "short_channel_id in a blinded hop")
		case p.PaymentData.Present:
			return bad(TypePaymentData, "payment_data in a blinded hop")
		case p.PaymentMetadata.Present:
			return bad(TypePaymentMetadata, "payment_metadata in a blinded hop")
		case p.KeysendPreimage.Present:
			return bad(TypeKeysendPreimage, "keysend record in a blinded hop")
		case len(p.Custom) > 0:
			return bad(p.Custom[0].Type, "custom record in a blinded hop")
		case !final && p.AmountToForward.Present:
			return bad(TypeAmountToForward, "amt_to_forward in a blinded intermediate hop")
		case !final && p.OutgoingCLTV.Present:
			return bad(TypeOutgoingCLTV, "outgoing_cltv_value in a blinded intermediate hop")
		case !final && p.TotalAmountMsat.Present:
			return bad(TypeTotalAmountMsat, "total_amount_msat in a blinded intermediate hop")
		case final && !p.AmountToForward.Present:
			return bad(TypeAmountToForward, "missing amt_to_forward")
		case final && !p.OutgoingCLTV.Present:
			return bad(TypeOutgoingCLTV, "missing outgoing_cltv_value")
		case final && !p.TotalAmountMsat.Present:
			return bad(TypeTotalAmountMsat, "missing total_amount_msat")
		}
		return nil
	}
	switch {
	case blinded:
		return bad(TypeEncryptedRecipientData, "path_key in update_add_htlc without encrypted_recipient_data")
	case p.CurrentPathKey.Present:
		return bad(TypeCurrentPathKey, "current_path_key without encrypted_recipient_data")
	case !p.AmountToForward.Present:
		return bad(TypeAmountToForward, "missing amt_to_forward")
	case !p.OutgoingCLTV.Present:
		return bad(TypeOutgoingCLTV, "missing outgoing_cltv_value")
	case !final && !p.ShortChannelID.Present:
		return bad(TypeShortChannelID, "missing short_channel_id")
	case !final && p.PaymentData.Present:
		return bad(TypePaymentData, "payment_data at an intermediate hop")
	}
	return nil
}
