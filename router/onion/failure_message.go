package onion

import (
	"encoding/binary"
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// FailureMessage is a typed BOLT 4 failure message (failuremsg): its code
// and the data the code carries. The set is closed; codes this package does
// not know decode to *UnknownFailure.
type FailureMessage interface {
	// Code returns the failure code.
	Code() FailureCode
	// appendData appends the data after the code.
	appendData(b []byte) ([]byte, error)
	// decodeData parses the data after the code and returns the number of
	// bytes used.
	decodeData(b []byte) (int, error)
}

// MaxChannelUpdateLen is the largest channel_update a failure can embed
// (its length is a u16).
const MaxChannelUpdateLen = 0xffff

// Failures without data.
type (
	// TemporaryNodeFailure is temporary_node_failure (NODE|2).
	TemporaryNodeFailure struct{}
	// PermanentNodeFailure is permanent_node_failure (PERM|NODE|2).
	PermanentNodeFailure struct{}
	// RequiredNodeFeatureMissing is required_node_feature_missing (PERM|NODE|3).
	RequiredNodeFeatureMissing struct{}
	// PermanentChannelFailure is permanent_channel_failure (PERM|8).
	PermanentChannelFailure struct{}
	// RequiredChannelFeatureMissing is required_channel_feature_missing (PERM|9).
	RequiredChannelFeatureMissing struct{}
	// UnknownNextPeer is unknown_next_peer (PERM|10).
	UnknownNextPeer struct{}
	// ExpiryTooFar is expiry_too_far (21).
	ExpiryTooFar struct{}
	// MPPTimeout is mpp_timeout (23).
	MPPTimeout struct{}
)

// Failures carrying the SHA-256 of the onion.
type (
	// InvalidOnionVersion is invalid_onion_version (BADONION|PERM|4).
	InvalidOnionVersion struct {
		// OnionHash is sha256_of_onion.
		OnionHash [32]byte
	}
	// InvalidOnionHMAC is invalid_onion_hmac (BADONION|PERM|5).
	InvalidOnionHMAC struct {
		// OnionHash is sha256_of_onion.
		OnionHash [32]byte
	}
	// InvalidOnionKey is invalid_onion_key (BADONION|PERM|6).
	InvalidOnionKey struct {
		// OnionHash is sha256_of_onion.
		OnionHash [32]byte
	}
	// InvalidOnionBlinding is invalid_onion_blinding (BADONION|PERM|24).
	InvalidOnionBlinding struct {
		// OnionHash is sha256_of_onion.
		OnionHash [32]byte
	}
)

// Failures carrying a channel_update. ChannelUpdate holds the raw bytes of
// the embedded message as sent (BOLT 4 allows it to be empty; some
// implementations prefix it with the 2-byte message type 258). Origins must
// not apply it to their gossip graph.
type (
	// TemporaryChannelFailure is temporary_channel_failure (UPDATE|7).
	TemporaryChannelFailure struct {
		// ChannelUpdate is the raw channel_update, possibly empty.
		ChannelUpdate []byte
	}
	// AmountBelowMinimum is amount_below_minimum (UPDATE|11).
	AmountBelowMinimum struct {
		// HTLCMsat is the amount of the HTLC.
		HTLCMsat wire.MilliSatoshi
		// ChannelUpdate is the raw channel_update, possibly empty.
		ChannelUpdate []byte
	}
	// FeeInsufficient is fee_insufficient (UPDATE|12).
	FeeInsufficient struct {
		// HTLCMsat is the amount of the incoming HTLC.
		HTLCMsat wire.MilliSatoshi
		// ChannelUpdate is the raw channel_update, possibly empty.
		ChannelUpdate []byte
	}
	// IncorrectCLTVExpiry is incorrect_cltv_expiry (UPDATE|13).
	IncorrectCLTVExpiry struct {
		// CLTVExpiry is the cltv_expiry of the HTLC.
		CLTVExpiry uint32
		// ChannelUpdate is the raw channel_update, possibly empty.
		ChannelUpdate []byte
	}
	// ExpiryTooSoon is expiry_too_soon (UPDATE|14).
	ExpiryTooSoon struct {
		// ChannelUpdate is the raw channel_update, possibly empty.
		ChannelUpdate []byte
	}
	// ChannelDisabled is channel_disabled (UPDATE|20).
	ChannelDisabled struct {
		// DisabledFlags is disabled_flags; none are defined yet.
		DisabledFlags uint16
		// ChannelUpdate is the raw channel_update, possibly empty.
		ChannelUpdate []byte
	}
)

// IncorrectOrUnknownPaymentDetails is incorrect_or_unknown_payment_details
// (PERM|15).
type IncorrectOrUnknownPaymentDetails struct {
	// HTLCMsat is the amount of the HTLC.
	HTLCMsat wire.MilliSatoshi
	// Height is the final node's best block height.
	Height uint32
}

// FinalIncorrectCLTVExpiry is final_incorrect_cltv_expiry (18).
type FinalIncorrectCLTVExpiry struct {
	// CLTVExpiry is the cltv_expiry of the HTLC.
	CLTVExpiry uint32
}

// FinalIncorrectHTLCAmount is final_incorrect_htlc_amount (19).
type FinalIncorrectHTLCAmount struct {
	// IncomingHTLCAmount is the amount of the HTLC.
	IncomingHTLCAmount wire.MilliSatoshi
}

// InvalidOnionPayload is invalid_onion_payload (PERM|22): the TLV type at
// fault and the byte offset of its record in the decrypted payload.
type InvalidOnionPayload struct {
	// Type is the offending TLV type.
	Type uint64
	// Offset is the offending record's offset in the payload.
	Offset uint16
}

// UnknownFailure is a failure code this package does not know. Data is
// everything after the code (its data and any TLV stream).
type UnknownFailure struct {
	// FailureCode is the code.
	FailureCode FailureCode
	// Data is the rest of the message.
	Data []byte
}

// Code implements FailureMessage.
func (*TemporaryNodeFailure) Code() FailureCode { return CodeTemporaryNodeFailure }

// Code implements FailureMessage.
func (*PermanentNodeFailure) Code() FailureCode { return CodePermanentNodeFailure }

// Code implements FailureMessage.
func (*RequiredNodeFeatureMissing) Code() FailureCode { return CodeRequiredNodeFeatureMissing }

// Code implements FailureMessage.
func (*PermanentChannelFailure) Code() FailureCode { return CodePermanentChannelFailure }

// Code implements FailureMessage.
func (*RequiredChannelFeatureMissing) Code() FailureCode { return CodeRequiredChannelFeatureMissing }

// Code implements FailureMessage.
func (*UnknownNextPeer) Code() FailureCode { return CodeUnknownNextPeer }

// Code implements FailureMessage.
func (*ExpiryTooFar) Code() FailureCode { return CodeExpiryTooFar }

// Code implements FailureMessage.
func (*MPPTimeout) Code() FailureCode { return CodeMPPTimeout }

// Code implements FailureMessage.
func (*InvalidOnionVersion) Code() FailureCode { return CodeInvalidOnionVersion }

// Code implements FailureMessage.
func (*InvalidOnionHMAC) Code() FailureCode { return CodeInvalidOnionHMAC }

// Code implements FailureMessage.
func (*InvalidOnionKey) Code() FailureCode { return CodeInvalidOnionKey }

// Code implements FailureMessage.
func (*InvalidOnionBlinding) Code() FailureCode { return CodeInvalidOnionBlinding }

// Code implements FailureMessage.
func (*TemporaryChannelFailure) Code() FailureCode { return CodeTemporaryChannelFailure }

// Code implements FailureMessage.
func (*AmountBelowMinimum) Code() FailureCode { return CodeAmountBelowMinimum }

// Code implements FailureMessage.
func (*FeeInsufficient) Code() FailureCode { return CodeFeeInsufficient }

// Code implements FailureMessage.
func (*IncorrectCLTVExpiry) Code() FailureCode { return CodeIncorrectCLTVExpiry }

// Code implements FailureMessage.
func (*ExpiryTooSoon) Code() FailureCode { return CodeExpiryTooSoon }

// Code implements FailureMessage.
func (*ChannelDisabled) Code() FailureCode { return CodeChannelDisabled }

// Code implements FailureMessage.
func (*IncorrectOrUnknownPaymentDetails) Code() FailureCode {
	return CodeIncorrectOrUnknownPaymentDetails
}

// Code implements FailureMessage.
func (*FinalIncorrectCLTVExpiry) Code() FailureCode { return CodeFinalIncorrectCLTVExpiry }

// Code implements FailureMessage.
func (*FinalIncorrectHTLCAmount) Code() FailureCode { return CodeFinalIncorrectHTLCAmount }

// Code implements FailureMessage.
func (*InvalidOnionPayload) Code() FailureCode { return CodeInvalidOnionPayload }

// Code implements FailureMessage.
func (u *UnknownFailure) Code() FailureCode { return u.FailureCode }

func (*TemporaryNodeFailure) appendData(b []byte) ([]byte, error)          { return b, nil }
func (*PermanentNodeFailure) appendData(b []byte) ([]byte, error)          { return b, nil }
func (*RequiredNodeFeatureMissing) appendData(b []byte) ([]byte, error)    { return b, nil }
func (*PermanentChannelFailure) appendData(b []byte) ([]byte, error)       { return b, nil }
func (*RequiredChannelFeatureMissing) appendData(b []byte) ([]byte, error) { return b, nil }
func (*UnknownNextPeer) appendData(b []byte) ([]byte, error)               { return b, nil }
func (*ExpiryTooFar) appendData(b []byte) ([]byte, error)                  { return b, nil }
func (*MPPTimeout) appendData(b []byte) ([]byte, error)                    { return b, nil }
func (*TemporaryNodeFailure) decodeData([]byte) (int, error)               { return 0, nil }
func (*PermanentNodeFailure) decodeData([]byte) (int, error)               { return 0, nil }
func (*RequiredNodeFeatureMissing) decodeData([]byte) (int, error)         { return 0, nil }
func (*PermanentChannelFailure) decodeData([]byte) (int, error)            { return 0, nil }
func (*RequiredChannelFeatureMissing) decodeData([]byte) (int, error)      { return 0, nil }
func (*UnknownNextPeer) decodeData([]byte) (int, error)                    { return 0, nil }
func (*ExpiryTooFar) decodeData([]byte) (int, error)                       { return 0, nil }
func (*MPPTimeout) decodeData([]byte) (int, error)                         { return 0, nil }

func (m *InvalidOnionVersion) appendData(b []byte) ([]byte, error) {
	return append(b, m.OnionHash[:]...), nil
}
func (m *InvalidOnionHMAC) appendData(b []byte) ([]byte, error) {
	return append(b, m.OnionHash[:]...), nil
}
func (m *InvalidOnionKey) appendData(b []byte) ([]byte, error) {
	return append(b, m.OnionHash[:]...), nil
}
func (m *InvalidOnionBlinding) appendData(b []byte) ([]byte, error) {
	return append(b, m.OnionHash[:]...), nil
}
func (m *InvalidOnionVersion) decodeData(b []byte) (int, error)  { return readHash(b, &m.OnionHash) }
func (m *InvalidOnionHMAC) decodeData(b []byte) (int, error)     { return readHash(b, &m.OnionHash) }
func (m *InvalidOnionKey) decodeData(b []byte) (int, error)      { return readHash(b, &m.OnionHash) }
func (m *InvalidOnionBlinding) decodeData(b []byte) (int, error) { return readHash(b, &m.OnionHash) }

func (m *TemporaryChannelFailure) appendData(b []byte) ([]byte, error) {
	return appendUpdate(b, m.ChannelUpdate)
}

func (m *TemporaryChannelFailure) decodeData(b []byte) (int, error) {
	return readUpdate(b, &m.ChannelUpdate)
}

func (m *AmountBelowMinimum) appendData(b []byte) ([]byte, error) {
	return appendUpdate(binary.BigEndian.AppendUint64(b, uint64(m.HTLCMsat)), m.ChannelUpdate)
}

func (m *AmountBelowMinimum) decodeData(b []byte) (int, error) {
	v, err := readU64(b)
	if err != nil {
		return 0, err
	}
	m.HTLCMsat = wire.MilliSatoshi(v)
	n, err := readUpdate(b[8:], &m.ChannelUpdate)
	return 8 + n, err
}

func (m *FeeInsufficient) appendData(b []byte) ([]byte, error) {
	return appendUpdate(binary.BigEndian.AppendUint64(b, uint64(m.HTLCMsat)), m.ChannelUpdate)
}

func (m *FeeInsufficient) decodeData(b []byte) (int, error) {
	v, err := readU64(b)
	if err != nil {
		return 0, err
	}
	m.HTLCMsat = wire.MilliSatoshi(v)
	n, err := readUpdate(b[8:], &m.ChannelUpdate)
	return 8 + n, err
}

func (m *IncorrectCLTVExpiry) appendData(b []byte) ([]byte, error) {
	return appendUpdate(binary.BigEndian.AppendUint32(b, m.CLTVExpiry), m.ChannelUpdate)
}

func (m *IncorrectCLTVExpiry) decodeData(b []byte) (int, error) {
	v, err := readU32(b)
	if err != nil {
		return 0, err
	}
	m.CLTVExpiry = v
	n, err := readUpdate(b[4:], &m.ChannelUpdate)
	return 4 + n, err
}

func (m *ExpiryTooSoon) appendData(b []byte) ([]byte, error) {
	return appendUpdate(b, m.ChannelUpdate)
}

func (m *ExpiryTooSoon) decodeData(b []byte) (int, error) {
	return readUpdate(b, &m.ChannelUpdate)
}

func (m *ChannelDisabled) appendData(b []byte) ([]byte, error) {
	return appendUpdate(binary.BigEndian.AppendUint16(b, m.DisabledFlags), m.ChannelUpdate)
}

func (m *ChannelDisabled) decodeData(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, wire.ErrTruncated
	}
	m.DisabledFlags = binary.BigEndian.Uint16(b)
	n, err := readUpdate(b[2:], &m.ChannelUpdate)
	return 2 + n, err
}

func (m *IncorrectOrUnknownPaymentDetails) appendData(b []byte) ([]byte, error) {
	b = binary.BigEndian.AppendUint64(b, uint64(m.HTLCMsat))
	return binary.BigEndian.AppendUint32(b, m.Height), nil
}

func (m *IncorrectOrUnknownPaymentDetails) decodeData(b []byte) (int, error) {
	v, err := readU64(b)
	if err != nil {
		return 0, err
	}
	h, err := readU32(b[8:])
	if err != nil {
		return 0, err
	}
	m.HTLCMsat, m.Height = wire.MilliSatoshi(v), h
	return 12, nil
}

func (m *FinalIncorrectCLTVExpiry) appendData(b []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint32(b, m.CLTVExpiry), nil
}

func (m *FinalIncorrectCLTVExpiry) decodeData(b []byte) (int, error) {
	v, err := readU32(b)
	m.CLTVExpiry = v
	return 4, err
}

func (m *FinalIncorrectHTLCAmount) appendData(b []byte) ([]byte, error) {
	return binary.BigEndian.AppendUint64(b, uint64(m.IncomingHTLCAmount)), nil
}

func (m *FinalIncorrectHTLCAmount) decodeData(b []byte) (int, error) {
	v, err := readU64(b)
	m.IncomingHTLCAmount = wire.MilliSatoshi(v)
	return 8, err
}

func (m *InvalidOnionPayload) appendData(b []byte) ([]byte, error) {
	b = wire.AppendBigSize(b, m.Type)
	return binary.BigEndian.AppendUint16(b, m.Offset), nil
}

func (m *InvalidOnionPayload) decodeData(b []byte) (int, error) {
	t, n, err := wire.ReadBigSize(b)
	if err != nil {
		return 0, err
	}
	if len(b) < n+2 {
		return 0, wire.ErrTruncated
	}
	m.Type, m.Offset = t, binary.BigEndian.Uint16(b[n:])
	return n + 2, nil
}

func (u *UnknownFailure) appendData(b []byte) ([]byte, error) { return append(b, u.Data...), nil }

func (u *UnknownFailure) decodeData(b []byte) (int, error) {
	u.Data = append([]byte(nil), b...)
	return len(b), nil
}

func readHash(b []byte, h *[32]byte) (int, error) {
	if len(b) < 32 {
		return 0, wire.ErrTruncated
	}
	copy(h[:], b)
	return 32, nil
}

func readU64(b []byte) (uint64, error) {
	if len(b) < 8 {
		return 0, wire.ErrTruncated
	}
	return binary.BigEndian.Uint64(b), nil
}

func readU32(b []byte) (uint32, error) {
	if len(b) < 4 {
		return 0, wire.ErrTruncated
	}
	return binary.BigEndian.Uint32(b), nil
}

// appendUpdate appends a u16-length-prefixed channel_update.
func appendUpdate(b, update []byte) ([]byte, error) {
	if len(update) > MaxChannelUpdateLen {
		return b, fmt.Errorf("onion: channel_update of %d bytes: %w", len(update), ErrFailureTooLarge)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(update)))
	return append(b, update...), nil
}

// readUpdate reads a u16-length-prefixed channel_update (copied, so the
// message does not alias its input).
func readUpdate(b []byte, update *[]byte) (int, error) {
	if len(b) < 2 {
		return 0, wire.ErrTruncated
	}
	l := int(binary.BigEndian.Uint16(b))
	if len(b)-2 < l {
		return 0, wire.ErrTruncated
	}
	*update = append([]byte(nil), b[2:2+l]...)
	return 2 + l, nil
}

// newFailureMessage returns an empty message of code c.
func newFailureMessage(c FailureCode) FailureMessage {
	switch c {
	case CodeTemporaryNodeFailure:
		return &TemporaryNodeFailure{}
	case CodePermanentNodeFailure:
		return &PermanentNodeFailure{}
	case CodeRequiredNodeFeatureMissing:
		return &RequiredNodeFeatureMissing{}
	case CodeInvalidOnionVersion:
		return &InvalidOnionVersion{}
	case CodeInvalidOnionHMAC:
		return &InvalidOnionHMAC{}
	case CodeInvalidOnionKey:
		return &InvalidOnionKey{}
	case CodeTemporaryChannelFailure:
		return &TemporaryChannelFailure{}
	case CodePermanentChannelFailure:
		return &PermanentChannelFailure{}
	case CodeRequiredChannelFeatureMissing:
		return &RequiredChannelFeatureMissing{}
	case CodeUnknownNextPeer:
		return &UnknownNextPeer{}
	case CodeAmountBelowMinimum:
		return &AmountBelowMinimum{}
	case CodeFeeInsufficient:
		return &FeeInsufficient{}
	case CodeIncorrectCLTVExpiry:
		return &IncorrectCLTVExpiry{}
	case CodeExpiryTooSoon:
		return &ExpiryTooSoon{}
	case CodeIncorrectOrUnknownPaymentDetails:
		return &IncorrectOrUnknownPaymentDetails{}
	case CodeFinalIncorrectCLTVExpiry:
		return &FinalIncorrectCLTVExpiry{}
	case CodeFinalIncorrectHTLCAmount:
		return &FinalIncorrectHTLCAmount{}
	case CodeChannelDisabled:
		return &ChannelDisabled{}
	case CodeExpiryTooFar:
		return &ExpiryTooFar{}
	case CodeInvalidOnionPayload:
		return &InvalidOnionPayload{}
	case CodeMPPTimeout:
		return &MPPTimeout{}
	case CodeInvalidOnionBlinding:
		return &InvalidOnionBlinding{}
	}
	return &UnknownFailure{FailureCode: c}
}

// EncodeFailureMessage appends failuremsg to b: the code, the message's
// data and, if ext is non-empty, ext as a TLV stream (the optional
// extension BOLT 4 allows after the data).
func EncodeFailureMessage(b []byte, m FailureMessage, ext wire.TLVRecords) ([]byte, error) {
	if m == nil {
		return b, fmt.Errorf("onion: nil failure message: %w", ErrInvalidFailure)
	}
	start := len(b)
	b = binary.BigEndian.AppendUint16(b, uint16(m.Code()))
	b, err := m.appendData(b)
	if err != nil {
		return b[:start], err
	}
	if len(ext) > 0 {
		if _, ok := m.(*UnknownFailure); ok {
			return b[:start], fmt.Errorf("onion: tlv extension on an unknown failure: %w", ErrInvalidFailure)
		}
		if err := ext.Validate(); err != nil {
			return b[:start], err
		}
		for _, r := range ext {
			b = appendRecordHeader(b, r.Type, len(r.Value))
			b = append(b, r.Value...)
		}
	}
	if len(b)-start > 0xffff {
		return b[:start], ErrFailureTooLarge
	}
	return b, nil
}

// DecodeFailureMessage parses failuremsg. The bytes after the code's data
// are returned as ext when they form a valid TLV stream and ignored
// otherwise (origins MUST ignore extra bytes). Unknown codes decode to
// *UnknownFailure. Errors wrap ErrInvalidFailure and a wire sentinel.
func DecodeFailureMessage(b []byte) (m FailureMessage, ext wire.TLVRecords, err error) {
	if len(b) < 2 {
		return nil, nil, fmt.Errorf("onion: failure message of %d bytes: %w: %w", len(b), ErrInvalidFailure, wire.ErrTruncated)
	}
	code := FailureCode(binary.BigEndian.Uint16(b))
	m = newFailureMessage(code)
	n, err := m.decodeData(b[2:])
	if err != nil {
		return nil, nil, fmt.Errorf("onion: %v data: %w: %w", code, ErrInvalidFailure, err)
	}
	return m, parseExtension(b[2+n:]), nil
}

// parseExtension returns rest as TLV records (copied) if it is a valid,
// canonical stream of at least one record, else nil.
func parseExtension(rest []byte) wire.TLVRecords {
	if len(rest) == 0 {
		return nil
	}
	r := tlvReader{b: rest}
	count := 0
	for {
		_, _, _, ok, err := r.next()
		if err != nil {
			return nil
		}
		if !ok {
			break
		}
		count++
	}
	buf := append([]byte(nil), rest...)
	out := make(wire.TLVRecords, 0, count)
	r = tlvReader{b: buf}
	for {
		typ, val, _, ok, _ := r.next()
		if !ok {
			return out
		}
		out = append(out, wire.TLVRecord{Type: typ, Value: val})
	}
}
