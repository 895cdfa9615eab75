package wire

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"
)

// ChannelID is the 32-byte channel_id of BOLT 2.
type ChannelID [32]byte

// NewChannelID derives the channel_id of a channel from its funding outpoint:
// the funding txid (in its internal byte order) with the big-endian output
// index XORed into its last two bytes.
func NewChannelID(funding btcwire.OutPoint) ChannelID {
	var id ChannelID
	copy(id[:], funding.Hash[:])
	id[30] ^= byte(funding.Index >> 8)
	id[31] ^= byte(funding.Index)
	return id
}

// IsAll reports whether the id is all zeroes, which in error and warning
// messages means "every channel with this peer".
func (c ChannelID) IsAll() bool { return c == ChannelID{} }

// String returns the id in hex.
func (c ChannelID) String() string { return hex.EncodeToString(c[:]) }

// ShortChannelID locates a channel's funding output on chain: the block
// height, the transaction's index in the block and the output index.
type ShortChannelID struct {
	// BlockHeight is the height of the block holding the funding transaction (24 bits).
	BlockHeight uint32
	// TxIndex is the funding transaction's index within the block (24 bits).
	TxIndex uint32
	// OutputIndex is the funding output's index within the transaction.
	OutputIndex uint16
}

// NewShortChannelID unpacks the 8-byte integer form of a short_channel_id.
func NewShortChannelID(v uint64) ShortChannelID {
	return ShortChannelID{
		BlockHeight: uint32(v >> 40),
		TxIndex:     uint32(v>>16) & 0xFFFFFF,
		OutputIndex: uint16(v),
	}
}

// ToUint64 packs the id into its 8-byte integer form. Heights and indexes
// wider than 24 bits are truncated.
func (s ShortChannelID) ToUint64() uint64 {
	return uint64(s.BlockHeight&0xFFFFFF)<<40 | uint64(s.TxIndex&0xFFFFFF)<<16 | uint64(s.OutputIndex)
}

// String returns the id as block x tx x output, e.g. "539268x845x1".
func (s ShortChannelID) String() string {
	return fmt.Sprintf("%dx%dx%d", s.BlockHeight, s.TxIndex, s.OutputIndex)
}

// ParseShortChannelID parses the "123x4x5" form (also accepting ':' as the
// separator, as some tools print it).
func ParseShortChannelID(s string) (ShortChannelID, error) {
	sep := "x"
	if strings.Contains(s, ":") {
		sep = ":"
	}
	parts := strings.Split(s, sep)
	if len(parts) != 3 {
		return ShortChannelID{}, fmt.Errorf("wire: short channel id %q: want block%stx%soutput: %w", s, sep, sep, ErrInvalidValue)
	}
	block, err1 := strconv.ParseUint(parts[0], 10, 24)
	tx, err2 := strconv.ParseUint(parts[1], 10, 24)
	out, err3 := strconv.ParseUint(parts[2], 10, 16)
	if err1 != nil || err2 != nil || err3 != nil {
		return ShortChannelID{}, fmt.Errorf("wire: short channel id %q: %w", s, ErrInvalidValue)
	}
	return ShortChannelID{BlockHeight: uint32(block), TxIndex: uint32(tx), OutputIndex: uint16(out)}, nil
}

// NodeID is a node's compressed secp256k1 public key (33 bytes), its identity
// on the network.
type NodeID [33]byte

// NewNodeID returns the NodeID of a public key.
func NewNodeID(pub *btcec.PublicKey) NodeID {
	var id NodeID
	copy(id[:], pub.SerializeCompressed())
	return id
}

// ParseNodeID parses a node id from 66 hex characters, checking it is a
// valid point. Its errors match ErrInvalidPoint and say once what is wrong
// with the input (quoted, shortened when long).
func ParseNodeID(s string) (NodeID, error) {
	var id NodeID
	if len(s) != 2*len(id) {
		return id, &nodeIDError{fmt.Sprintf("%s is %d characters, want 66 hex characters", quoteShort(s), len(s))}
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, &nodeIDError{quoteShort(s) + " is not hex"}
	}
	if !Point(id).IsValid() {
		return id, &nodeIDError{s + " is not a valid public key"}
	}
	return id, nil
}

// nodeIDError is a ParseNodeID failure: "wire: node id <reason>".
type nodeIDError struct{ reason string }

func (e *nodeIDError) Error() string { return "wire: node id " + e.reason }

// Unwrap makes errors.Is(err, ErrInvalidPoint) true.
func (e *nodeIDError) Unwrap() error { return ErrInvalidPoint }

// quoteShort quotes s for an error, cut to 70 bytes.
func quoteShort(s string) string {
	const limit = 70
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}

// PublicKey parses the id as a public key.
func (n NodeID) PublicKey() (*btcec.PublicKey, error) { return Point(n).PublicKey() }

// String returns the id in hex.
func (n NodeID) String() string { return hex.EncodeToString(n[:]) }

// Point is a compressed secp256k1 point as carried in messages
// (basepoints, per-commitment points, keys).
type Point [33]byte

// NewPoint returns the compressed form of a public key.
func NewPoint(pub *btcec.PublicKey) Point {
	var p Point
	copy(p[:], pub.SerializeCompressed())
	return p
}

// IsValid reports whether p is a valid compressed point on the curve. It
// does not allocate.
func (p Point) IsValid() bool {
	if p[0] != 0x02 && p[0] != 0x03 {
		return false
	}
	var x, y btcec.FieldVal
	if overflow := x.SetByteSlice(p[1:]); overflow {
		return false
	}
	return btcec.DecompressY(&x, p[0] == 0x03, &y)
}

// PublicKey parses the point.
func (p Point) PublicKey() (*btcec.PublicKey, error) {
	pub, err := btcec.ParsePubKey(p[:])
	if err != nil {
		return nil, fmt.Errorf("wire: %v: %w", err, ErrInvalidPoint)
	}
	return pub, nil
}

// String returns the point in hex.
func (p Point) String() string { return hex.EncodeToString(p[:]) }
