package onion

import (
	"crypto/sha256"
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// Sizes of the payment onion (BOLT 4 "Packet Structure").
const (
	// PacketSize is the size of a serialized onion_packet.
	PacketSize = 1 + 33 + HopPayloadsSize + HMACSize
	// HopPayloadsSize is the size of the hop_payloads field.
	HopPayloadsSize = 1300
	// HMACSize is the size of the packet HMAC and of each hop's next HMAC.
	HMACSize = 32
	// Version is the only packet version this package implements.
	Version = 0
	// MinPayloadLen is the smallest hop payload length: lengths 0 and 1
	// are reserved.
	MinPayloadLen = 2
)

// Packet is a BOLT 4 onion_packet. Its fields are byte arrays, so it holds
// exactly the 1366 wire bytes and copying it is safe.
type Packet struct {
	// Version is the packet version; 0 is the only one defined.
	Version byte
	// EphemeralKey is the compressed public key the hop does ECDH with.
	EphemeralKey wire.Point
	// HopPayloads holds the obfuscated payloads and filler.
	HopPayloads [HopPayloadsSize]byte
	// HMAC authenticates HopPayloads and the associated data.
	HMAC [HMACSize]byte
}

// Encode appends the 1366-byte serialization of p to b.
func (p *Packet) Encode(b []byte) []byte {
	b = append(b, p.Version)
	b = append(b, p.EphemeralKey[:]...)
	b = append(b, p.HopPayloads[:]...)
	return append(b, p.HMAC[:]...)
}

// Decode parses a serialized packet. Only the size is checked here; the
// version and the ephemeral key are checked by Processor.Process, which
// reports them with the right failure code.
func (p *Packet) Decode(b []byte) error {
	if len(b) != PacketSize {
		return fmt.Errorf("onion: packet is %d bytes, want %d: %w", len(b), PacketSize, ErrPacketSize)
	}
	p.Version = b[0]
	copy(p.EphemeralKey[:], b[1:34])
	copy(p.HopPayloads[:], b[34:34+HopPayloadsSize])
	copy(p.HMAC[:], b[34+HopPayloadsSize:])
	return nil
}

// Hash returns the SHA-256 of the serialized packet, the sha256_of_onion
// carried by the BADONION failures and update_fail_malformed_htlc.
func (p *Packet) Hash() [32]byte {
	h := sha256.New()
	h.Write([]byte{p.Version})
	h.Write(p.EphemeralKey[:])
	h.Write(p.HopPayloads[:])
	h.Write(p.HMAC[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}
