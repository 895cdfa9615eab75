package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// Inbound payments, recorded by the node from its PaymentClaimable and
// PaymentClaimed events (the channel manager lists only outbound ones):
//
//	sample_node/inbound_payments/<payment hash hex>   an inboundPayment (encodeInbound)
const inboundSecondary = "inbound_payments"

// inboundStatus is where an inbound payment is.
type inboundStatus uint8

// The states of an inbound payment; persisted, so fixed.
const (
	// inboundClaimable: its HTLCs arrived and the node claims them.
	inboundClaimable inboundStatus = 1
	// inboundClaimed: the claim is irrevocable.
	inboundClaimed inboundStatus = 2
)

// String is the status as listpayments shows it.
func (s inboundStatus) String() string {
	if s == inboundClaimed {
		return "claimed"
	}
	return "claimable"
}

// inboundPayment is a payment to this node.
type inboundPayment struct {
	hash     wire.PaymentHash
	status   inboundStatus
	amount   wire.MilliSatoshi
	keysend  bool
	preimage wire.Option[wire.Preimage] // once claimed
}

// The encoding of an inboundPayment (the hash is the key): version,
// status, flags, amount (8 bytes big-endian), preimage (32 bytes, zero
// when unknown).
const (
	inboundVersion     = 1
	inboundLength      = 3 + 8 + 32
	inboundFlagKeysend = 1 << 0
	inboundFlagPreimg  = 1 << 1
	inboundFlagsKnown  = inboundFlagKeysend | inboundFlagPreimg
)

// encodeInbound encodes p without its hash.
func encodeInbound(p inboundPayment) []byte {
	var flags byte
	if p.keysend {
		flags |= inboundFlagKeysend
	}
	if p.preimage.Present {
		flags |= inboundFlagPreimg
	}
	b := make([]byte, 0, inboundLength)
	b = append(b, inboundVersion, byte(p.status), flags)
	b = binary.BigEndian.AppendUint64(b, uint64(p.amount))
	return append(b, p.preimage.Value[:]...)
}

// decodeInbound decodes the record of payment hash h; a malformed one
// matches persist.ErrCorrupt.
func decodeInbound(h wire.PaymentHash, v []byte) (inboundPayment, error) {
	corrupt := func(what string) (inboundPayment, error) {
		return inboundPayment{}, fmt.Errorf("sample-node: inbound payment %s: %s: %w", h, what, persist.ErrCorrupt)
	}
	switch {
	case len(v) != inboundLength:
		return corrupt(fmt.Sprintf("%d bytes, want %d", len(v), inboundLength))
	case v[0] != inboundVersion:
		return corrupt(fmt.Sprintf("version %d", v[0]))
	case inboundStatus(v[1]) != inboundClaimable && inboundStatus(v[1]) != inboundClaimed:
		return corrupt(fmt.Sprintf("status %d", v[1]))
	case v[2]&^inboundFlagsKnown != 0:
		return corrupt(fmt.Sprintf("flags %#x", v[2]))
	}
	p := inboundPayment{hash: h, status: inboundStatus(v[1]), amount: wire.MilliSatoshi(binary.BigEndian.Uint64(v[3:])),
		keysend: v[2]&inboundFlagKeysend != 0}
	var pre wire.Preimage
	copy(pre[:], v[11:])
	if v[2]&inboundFlagPreimg != 0 {
		if pre.Hash() != h {
			return corrupt("the preimage does not hash to the payment hash")
		}
		p.preimage = wire.Some(pre)
	} else if pre != (wire.Preimage{}) {
		return corrupt("a preimage without its flag")
	}
	return p, nil
}

// saveInbound records p (replacing the record of its hash).
func (s nodeStore) saveInbound(ctx context.Context, p inboundPayment) error {
	if err := s.kv.Write(ctx, ns(inboundSecondary), p.hash.String(), encodeInbound(p)); err != nil {
		return fmt.Errorf("sample-node: saving inbound payment %s: %w", p.hash, err)
	}
	return nil
}

// inbound returns the record of payment hash h, ok false when none.
func (s nodeStore) inbound(ctx context.Context, h wire.PaymentHash) (inboundPayment, bool, error) {
	v, err := s.kv.Read(ctx, ns(inboundSecondary), h.String())
	if errors.Is(err, persist.ErrNotFound) {
		return inboundPayment{}, false, nil
	}
	if err != nil {
		return inboundPayment{}, false, fmt.Errorf("sample-node: reading inbound payment %s: %w", h, err)
	}
	p, err := decodeInbound(h, v)
	return p, err == nil, err
}

// inboundPayments returns every inbound payment, by payment hash.
func (s nodeStore) inboundPayments(ctx context.Context) ([]inboundPayment, error) {
	keys, err := s.kv.List(ctx, ns(inboundSecondary))
	if err != nil {
		return nil, fmt.Errorf("sample-node: listing inbound payments: %w", err)
	}
	slices.Sort(keys)
	out := make([]inboundPayment, 0, len(keys))
	for _, k := range keys {
		h, err := parsePaymentHash(k)
		if err != nil {
			return nil, fmt.Errorf("sample-node: inbound payment key %q: %w", k, persist.ErrCorrupt)
		}
		p, ok, err := s.inbound(ctx, h)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// parsePaymentHash parses 64 hex characters (lower case, as the keys are
// written).
func parsePaymentHash(s string) (wire.PaymentHash, error) {
	var h wire.PaymentHash
	if len(s) != 2*len(h) {
		return h, errors.New("want 64 hex characters")
	}
	id, err := parseChannelID(s)
	if err != nil || id.String() != s {
		return h, errors.New("want 64 lower-case hex characters")
	}
	return wire.PaymentHash(id), nil
}
