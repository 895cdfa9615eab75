package invoice

import (
	"encoding/binary"
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// hopHintLen is the size of one hop in an r field: pubkey (33),
// short_channel_id (8), fee_base_msat (4), fee_proportional_millionths (4),
// cltv_expiry_delta (2).
const hopHintLen = 33 + 8 + 4 + 4 + 2

// maxHopsPerHint is how many hops fit in one r field (639 bytes).
const maxHopsPerHint = maxFieldBytes / hopHintLen

// HopHint is one channel of a private route: the channel from NodeID
// towards the next hop (or the payee), with the fees and CLTV delta of
// that channel's channel_update in NodeID's direction.
type HopHint struct {
	// NodeID is the node at the start of the channel.
	NodeID wire.NodeID
	// ShortChannelID identifies the channel.
	ShortChannelID wire.ShortChannelID
	// FeeBaseMsat is the channel's base fee in millisatoshis.
	FeeBaseMsat uint32
	// FeeProportionalMillionths is the channel's proportional fee.
	FeeProportionalMillionths uint32
	// CLTVExpiryDelta is the channel's cltv_expiry_delta.
	CLTVExpiryDelta uint16
}

// RouteHint is one r field: an ordered route from a public node to the
// payee.
type RouteHint []HopHint

// parseRouteHint decodes the data of an r field.
func parseRouteHint(groups []byte) (RouteHint, error) {
	n := bytesLen(len(groups))
	if n == 0 || n%hopHintLen != 0 {
		return nil, newError("r", ErrInvalidField, fmt.Sprintf("%d bytes is not a positive multiple of %d", n, hopHintLen))
	}
	var buf [maxFieldBytes]byte
	b := buf[:n]
	if !unpackGroups(b, groups) {
		return nil, newError("r", ErrInvalidField, "non-zero or excess padding")
	}
	hint := make(RouteHint, n/hopHintLen)
	for i := range hint {
		h := b[i*hopHintLen : (i+1)*hopHintLen]
		copy(hint[i].NodeID[:], h[:33])
		if !wire.Point(hint[i].NodeID).IsValid() {
			return nil, newError("r", ErrInvalidField, fmt.Sprintf("hop %d: invalid public key", i))
		}
		hint[i].ShortChannelID = wire.NewShortChannelID(binary.BigEndian.Uint64(h[33:41]))
		hint[i].FeeBaseMsat = binary.BigEndian.Uint32(h[41:45])
		hint[i].FeeProportionalMillionths = binary.BigEndian.Uint32(h[45:49])
		hint[i].CLTVExpiryDelta = binary.BigEndian.Uint16(h[49:51])
	}
	return hint, nil
}

// appendRouteHint appends the data groups of an r field.
func appendRouteHint(dst []byte, hint RouteHint) []byte {
	b := make([]byte, 0, len(hint)*hopHintLen)
	for _, h := range hint {
		b = append(b, h.NodeID[:]...)
		b = binary.BigEndian.AppendUint64(b, h.ShortChannelID.ToUint64())
		b = binary.BigEndian.AppendUint32(b, h.FeeBaseMsat)
		b = binary.BigEndian.AppendUint32(b, h.FeeProportionalMillionths)
		b = binary.BigEndian.AppendUint16(b, h.CLTVExpiryDelta)
	}
	return appendGroups(dst, b)
}
