package wire

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// NodeAlias is the 32-byte alias of a node_announcement: UTF-8, padded with
// trailing zero bytes. It is chosen by the node's operator: never trust it,
// and escape it before rendering it anywhere it could be interpreted.
type NodeAlias [32]byte

// NewNodeAlias returns the alias of s, which must be valid UTF-8 of at
// most 32 bytes.
func NewNodeAlias(s string) (NodeAlias, error) {
	var a NodeAlias
	if len(s) > len(a) || !utf8.ValidString(s) {
		return a, fmt.Errorf("wire: node alias must be valid UTF-8 of at most 32 bytes: %w", ErrInvalidValue)
	}
	copy(a[:], s)
	return a, nil
}

// String returns the alias without its trailing zero bytes, with invalid
// UTF-8 replaced by U+FFFD. It is not escaped for HTML, SQL or terminals.
func (a NodeAlias) String() string {
	return strings.ToValidUTF8(string(bytes.TrimRight(a[:], "\x00")), "\uFFFD")
}

// RGBColor is the rgb_color of a node_announcement: red, green, blue.
type RGBColor [3]byte

// String returns the color as "#rrggbb".
func (c RGBColor) String() string { return "#" + hex.EncodeToString(c[:]) }

// NodeAnnouncement is node_announcement (BOLT 7, type 257): a node's
// features, alias, color and network addresses, signed by the node.
type NodeAnnouncement struct {
	// Signature is the node's signature of the rest of the message.
	Signature Signature
	// Features are the node's features, kept as received (they are signed).
	Features FeatureVector
	// Timestamp orders announcements from the same node.
	Timestamp uint32
	// NodeID is the announcing node.
	NodeID NodeID
	// RGBColor is the node's chosen color.
	RGBColor RGBColor
	// Alias is the node's chosen name.
	Alias NodeAlias
	// Addresses are the address descriptors of known types, in the order
	// received (BOLT 7 asks senders for ascending type order).
	Addresses []NetAddress
	// UnknownAddresses is the raw rest of the addresses field from the
	// first descriptor of an unknown type on. BOLT 7 tells receivers to
	// stop parsing there; the bytes are kept because they are signed.
	UnknownAddresses []byte
	// ExtraData is any data after the addresses field. It is signed, so it
	// is kept as received.
	ExtraData []byte
}

// nodeAnnouncementSigLen is the length of the signature that starts a
// node_announcement and is not signed itself.
const nodeAnnouncementSigLen = 64

// Type implements Message.
func (m *NodeAnnouncement) Type() MessageType { return MsgNodeAnnouncement }

// Encode implements Message.
func (m *NodeAnnouncement) Encode(b []byte) ([]byte, error) {
	start := len(b)
	b = append(b, m.Signature[:]...)
	b, err := m.appendSigned(b)
	if err != nil {
		return b[:start], err
	}
	return b, nil
}

// appendSigned appends everything after the signature.
func (m *NodeAnnouncement) appendSigned(b []byte) ([]byte, error) {
	start := len(b)
	b, err := appendBytes16(b, "node_announcement.features", m.Features.raw)
	if err != nil {
		return b[:start], err
	}
	b = appendU32(b, m.Timestamp)
	b = append(b, m.NodeID[:]...)
	b = append(b, m.RGBColor[:]...)
	b = append(b, m.Alias[:]...)
	lenAt := len(b)
	b = append(b, 0, 0)
	for _, a := range m.Addresses {
		if b, err = appendNetAddress(b, "node_announcement.addresses", a); err != nil {
			return b[:start], err
		}
	}
	b = append(b, m.UnknownAddresses...)
	n := len(b) - lenAt - 2
	if n > 0xFFFF {
		return b[:start], fmt.Errorf("wire: node_announcement addresses are %d bytes, more than 65535: %w", n, ErrMessageTooLarge)
	}
	b[lenAt], b[lenAt+1] = byte(n>>8), byte(n)
	return append(b, m.ExtraData...), nil
}

// SignedData returns the bytes the signature signs: everything after the
// signature, future fields (ExtraData) included.
func (m *NodeAnnouncement) SignedData() ([]byte, error) { return m.appendSigned(nil) }

// SignedDataHash returns the double SHA-256 of SignedData.
func (m *NodeAnnouncement) SignedDataHash() (chainhash.Hash, error) {
	data, err := m.SignedData()
	if err != nil {
		return chainhash.Hash{}, err
	}
	return chainhash.DoubleHashH(data), nil
}

// Decode implements Message. The node id must be a valid point; a known
// address descriptor cut short by addrlen is an error (BOLT 7 lets the
// receiver close the connection). The signature is not verified here.
func (m *NodeAnnouncement) Decode(payload []byte) error {
	r := newReader(MsgNodeAnnouncement, payload)
	var out NodeAnnouncement
	r.fixed("signature", out.Signature[:])
	out.Features = FeatureVector{raw: r.bytes16("features")}
	out.Timestamp = r.u32("timestamp")
	r.nodeID("node_id", &out.NodeID)
	r.fixed("rgb_color", out.RGBColor[:])
	r.fixed("alias", out.Alias[:])
	addrs := r.take("addresses", int(r.u16("addrlen")))
	out.ExtraData = cloneBytes(r.rest())
	if err := r.done(); err != nil {
		return err
	}
	var err error
	out.Addresses, out.UnknownAddresses, err = decodeAddresses(addrs)
	if err != nil {
		return &DecodeError{Type: MsgNodeAnnouncement, Field: "addresses", Err: err}
	}
	*m = out
	return nil
}
