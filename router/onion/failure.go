package onion

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// Sizes of the returned failure packet (BOLT 4 "Returning Errors").
const (
	// DefaultFailurePadding is the failure_len + pad_len the erring node
	// should produce.
	DefaultFailurePadding = 256
	// MaxFailurePacketSize bounds a failure packet: the reason of
	// update_fail_htlc has a u16 length.
	MaxFailurePacketSize = 0xffff
	// minFailurePacketSize is the HMAC plus the two u16 lengths.
	minFailurePacketSize = HMACSize + 4
	// decryptRounds is how many times the origin runs the decryption loop
	// whatever the route length, so the erring node cannot time its
	// position (BOLT 4 origin node requirements).
	decryptRounds = 27
)

// FailureOptions tunes NewFailure. The zero value pads to 256 bytes and
// produces no attribution data.
type FailureOptions struct {
	// PaddedLen is the least failure_len + pad_len. Default (0): 256, and
	// a longer message is padded up to the next multiple of 256.
	PaddedLen int
	// Attribution makes NewFailure also build attribution_data, for peers
	// that negotiated option_attribution_data.
	Attribution bool
	// HoldTime is this node's hold time of the HTLC in units of 100 ms,
	// reported in the attribution data.
	HoldTime uint32
}

// NewFailure builds the failure packet an erring node returns in
// update_fail_htlc (its reason): HMAC(um), failure_len, failuremsg,
// pad_len, pad, obfuscated with the ammag stream. ss is the shared secret
// of the HTLC's onion (ProcessedPacket.SharedSecret) and failureMsg the
// encoded failure (EncodeFailureMessage). With opts.Attribution it also
// returns the attribution_data to send along.
func NewFailure(ss SharedSecret, failureMsg []byte, opts FailureOptions) ([]byte, *AttributionData, error) {
	padded := opts.PaddedLen
	if padded <= 0 {
		padded = DefaultFailurePadding
		if len(failureMsg) > padded {
			padded = (len(failureMsg) + DefaultFailurePadding - 1) / DefaultFailurePadding * DefaultFailurePadding
		}
	}
	padded = max(padded, len(failureMsg))
	if len(failureMsg) > 0xffff || padded-len(failureMsg) > 0xffff || minFailurePacketSize+padded > MaxFailurePacketSize {
		return nil, nil, fmt.Errorf("onion: failure of %d bytes padded to %d: %w", len(failureMsg), padded, ErrFailureTooLarge)
	}
	pkt := make([]byte, minFailurePacketSize+padded)
	body := pkt[HMACSize:]
	binary.BigEndian.PutUint16(body, uint16(len(failureMsg)))
	copy(body[2:], failureMsg)
	binary.BigEndian.PutUint16(body[2+len(failureMsg):], uint16(padded-len(failureMsg)))
	um := generateKey(keyUm, (*[32]byte)(&ss))
	mac := hmac256(&um, body)
	copy(pkt, mac[:])

	var attr *AttributionData
	if opts.Attribution {
		attr = new(AttributionData)
		attr.addHop(&ss, opts.HoldTime, pkt)
	}
	ammag := generateKey(keyAmmag, (*[32]byte)(&ss))
	xorStream(&ammag, pkt, 0)
	return pkt, attr, nil
}

// ForwardFailure is what each hop does to a failure on its way back: it
// obfuscates reason with its ammag stream, in place. When attr is non-nil
// (option_attribution_data), it also adds the hop's hold time (units of
// 100 ms) and HMACs to attr, in place; a hop that received no attribution
// data but supports it passes a zeroed AttributionData.
func ForwardFailure(ss SharedSecret, reason []byte, attr *AttributionData, holdTime uint32) {
	if attr != nil {
		attr.addHop(&ss, holdTime, reason)
	}
	ammag := generateKey(keyAmmag, (*[32]byte)(&ss))
	xorStream(&ammag, reason, 0)
}

// DecryptedFailure is a failure read at the origin.
type DecryptedFailure struct {
	// SenderIndex is the route index of the hop that created the failure
	// (0 is the first hop after the origin).
	SenderIndex int
	// Message is the failuremsg (decode it with Decode).
	Message []byte
	// HoldTimes are the hold times (units of 100 ms) the hops reported in
	// the attribution data, in route order, for the hops whose attribution
	// HMAC verified. Nil without attribution data.
	HoldTimes []uint32
	// AttributionFailedAt is the route index of the first hop whose
	// attribution HMAC did not verify (it or its predecessor altered the
	// data, or it does not support attribution), or -1.
	AttributionFailedAt int
}

// Decode parses Message (see DecodeFailureMessage).
func (d *DecryptedFailure) Decode() (FailureMessage, wire.TLVRecords, error) {
	return DecodeFailureMessage(d.Message)
}

// UnreadableFailureError is returned by DecryptFailure when no hop's HMAC
// matches the failure packet. When attribution data was given, the hop at
// AttributionFailedAt (or its predecessor) is where the data went wrong,
// which is what the origin should penalise (BOLT 4).
type UnreadableFailureError struct {
	// HoldTimes are the verified hold times, in route order.
	HoldTimes []uint32
	// AttributionFailedAt is the route index of the first hop whose
	// attribution HMAC did not verify, or -1 when every hop verified or
	// there was no attribution data.
	AttributionFailedAt int
}

// Error implements error.
func (e *UnreadableFailureError) Error() string {
	if e.AttributionFailedAt >= 0 {
		return fmt.Sprintf("onion: failure source not found; attribution fails at hop %d", e.AttributionFailedAt)
	}
	return "onion: failure source not found"
}

// Unwrap makes errors.Is(err, ErrUnknownFailureSource) true.
func (e *UnreadableFailureError) Unwrap() error { return ErrUnknownFailureSource }

// DecryptFailure reads a returned failure at the origin. secrets are the
// route's shared secrets (from NewPacket or SharedSecrets), reason the
// update_fail_htlc reason and attr its attribution_data, or nil.
//
// It peels one ammag layer per hop until a hop's um HMAC matches, then keeps
// running dummy rounds so that the loop always runs at least 27 times. With
// attr, every hop up to the sender is also checked against its attribution
// HMAC and its hold time collected.
func DecryptFailure(secrets []SharedSecret, reason []byte, attr *AttributionData) (*DecryptedFailure, error) {
	if len(secrets) == 0 {
		return nil, ErrEmptyRoute
	}
	if len(reason) < minFailurePacketSize || len(reason) > MaxFailurePacketSize {
		return nil, fmt.Errorf("onion: failure packet of %d bytes: %w", len(reason), ErrInvalidFailure)
	}
	pkt := append([]byte(nil), reason...)
	scratch := make([]byte, len(pkt))
	var ar *attributionReader
	failedAt := -1
	var holds []uint32
	if attr != nil {
		ar = &attributionReader{data: *attr}
		holds = make([]uint32, 0, min(len(secrets), MaxAttributionHops))
	}

	// A constant secret keys the dummy rounds.
	var dummy SharedSecret
	for i := range dummy {
		dummy[i] = 0x01
	}
	sender := -1
	rounds := max(decryptRounds, len(secrets))
	for i := 0; i < rounds; i++ {
		// Dummy rounds work on a scratch copy, leaving the found packet
		// intact.
		ss, buf := &dummy, scratch
		real := sender < 0 && i < len(secrets)
		if real {
			ss, buf = &secrets[i], pkt
		}
		ammag := generateKey(keyAmmag, (*[32]byte)(ss))
		xorStream(&ammag, buf, 0)
		um := generateKey(keyUm, (*[32]byte)(ss))
		mac := hmac256(&um, buf[HMACSize:])
		match := subtle.ConstantTimeCompare(mac[:], buf[:HMACSize]) == 1
		if !real {
			continue
		}
		if ar != nil && failedAt < 0 && i < MaxAttributionHops {
			// pkt is now the packet as hop i received it.
			if hold, ok := ar.next(ss, pkt); ok {
				holds = append(holds, hold)
			} else {
				failedAt = i
			}
		}
		if match {
			sender = i
		}
	}
	if sender < 0 {
		return nil, &UnreadableFailureError{HoldTimes: holds, AttributionFailedAt: failedAt}
	}

	// Unwrap the framing; its HMAC verified, so only the erring node could
	// have produced a bad one.
	body := pkt[HMACSize:]
	msgLen := int(binary.BigEndian.Uint16(body))
	if 2+msgLen > len(body) {
		return nil, fmt.Errorf("onion: failure_len %d exceeds the packet: %w", msgLen, ErrInvalidFailure)
	}
	return &DecryptedFailure{
		SenderIndex:         sender,
		Message:             body[2 : 2+msgLen : 2+msgLen],
		HoldTimes:           holds,
		AttributionFailedAt: failedAt,
	}, nil
}
