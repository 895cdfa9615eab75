package events

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// field is one field of an event: its TLV type, its name (in logs and
// errors), how it is encoded and decoded, and how it is logged. One table
// per event type is the single source of its encoding and its log view.
type field struct {
	typ  uint64
	name string
	// enc returns the field's value, or false when the field is zero and
	// is omitted.
	enc func() ([]byte, bool)
	// dec sets the field from a record's value.
	dec func(v []byte) error
	// log returns the field's log value, or false to leave it out; a nil
	// log never logs the field.
	log func() (slog.Value, bool)
}

// errFieldValue is a field value that does not decode.
var errFieldValue = errors.New("invalid field value")

// uintField is an unsigned integer, a tu64 record.
func uintField[T ~uint8 | ~uint16 | ~uint32 | ~uint64](typ uint64, name string, p *T) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return wire.AppendTU64(nil, uint64(*p)), *p != 0 },
		dec: func(v []byte) error {
			x, err := wire.ReadTU64(v)
			if err != nil {
				return err
			}
			if uint64(T(x)) != x {
				return fmt.Errorf("%w: %d overflows", errFieldValue, x)
			}
			*p = T(x)
			return nil
		},
		log: func() (slog.Value, bool) { return slog.Uint64Value(uint64(*p)), true },
	}
}

// enumField is a persisted enumeration: encoded as uintField, logged by
// name.
func enumField[T interface {
	~uint8
	String() string
}](typ uint64, name string, p *T) field {
	f := uintField(typ, name, p)
	f.log = func() (slog.Value, bool) { return slog.StringValue((*p).String()), true }
	return f
}

// hash32Field is a 32-byte value (channel id, claim id), logged in hex.
func hash32Field(typ uint64, name string, p *[32]byte, logged bool) field {
	f := field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return p[:], *p != [32]byte{} },
		dec: func(v []byte) error { return fixed(p[:], v) },
	}
	if logged {
		f.log = func() (slog.Value, bool) { return slog.StringValue(hex.EncodeToString(p[:])), *p != [32]byte{} }
	}
	return f
}

// nodeIDField is a node id (33 bytes), zero when unknown.
func nodeIDField(typ uint64, name string, p *wire.NodeID) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return p[:], *p != wire.NodeID{} },
		dec: func(v []byte) error { return fixed(p[:], v) },
		log: func() (slog.Value, bool) { return slog.StringValue(p.String()), *p != wire.NodeID{} },
	}
}

func fixed(dst, v []byte) error {
	if len(v) != len(dst) {
		return wire.ErrTLVLength
	}
	copy(dst, v)
	return nil
}

// boolField is a flag: an empty record when set, absent when not. It is
// logged only when set.
func boolField(typ uint64, name string, p *bool) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return nil, *p },
		dec: func(v []byte) error {
			if len(v) != 0 {
				return wire.ErrTLVLength
			}
			*p = true
			return nil
		},
		log: func() (slog.Value, bool) { return slog.BoolValue(true), *p },
	}
}

// featuresField is a feature vector, in its minimal wire encoding.
func featuresField(typ uint64, name string, p *wire.FeatureVector) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { b := p.Bytes(); return b, len(b) > 0 },
		dec: func(v []byte) error {
			if len(v) > 0 && v[0] == 0 {
				return fmt.Errorf("%w: feature vector with a leading zero byte", errFieldValue)
			}
			*p = wire.FeatureVectorFromBytes(v)
			return nil
		},
		log: func() (slog.Value, bool) { return slog.StringValue(p.String()), !p.IsEmpty() },
	}
}

// bytesField is an opaque byte string, never logged (scripts, raw
// messages, metadata: bulky or peer-chosen). Empty is omitted, and a
// present empty record decodes as nil, so that decoding then encoding is
// stable.
func bytesField(typ uint64, name string, p *[]byte) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return *p, len(*p) > 0 },
		dec: func(v []byte) error { *p = cloneOrNil(v); return nil },
	}
}

// cloneOrNil copies v, giving nil for an empty v.
func cloneOrNil(v []byte) []byte {
	if len(v) == 0 {
		return nil
	}
	return bytes.Clone(v)
}

// scriptField is an output script: never logged.
func scriptField(typ uint64, name string, p *[]byte) field { return bytesField(typ, name, p) }

// textField is sanitized text (SanitizeText): decoding sanitizes again,
// so text read from a store is as safe as text built by the constructors.
func textField(typ uint64, name string, p *string) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return []byte(*p), *p != "" },
		dec: func(v []byte) error { *p = SanitizeText(string(v)); return nil },
		log: func() (slog.Value, bool) { return slog.StringValue(*p), *p != "" },
	}
}

// outPointLen is an outpoint's encoding: txid (32 bytes, internal order),
// index (4 bytes, big-endian).
const outPointLen = chainhash.HashSize + 4

// outPointField is an outpoint, zero when there is none.
func outPointField(typ uint64, name string, p *btcwire.OutPoint) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return appendOutPoint(nil, *p), *p != btcwire.OutPoint{} },
		dec: func(v []byte) error {
			if len(v) != outPointLen {
				return wire.ErrTLVLength
			}
			*p = readOutPoint(v)
			return nil
		},
		log: func() (slog.Value, bool) { return slog.StringValue(p.String()), *p != btcwire.OutPoint{} },
	}
}

func appendOutPoint(b []byte, op btcwire.OutPoint) []byte {
	b = append(b, op.Hash[:]...)
	return binary.BigEndian.AppendUint32(b, op.Index)
}

func readOutPoint(v []byte) btcwire.OutPoint {
	var op btcwire.OutPoint
	copy(op.Hash[:], v[:chainhash.HashSize])
	op.Index = binary.BigEndian.Uint32(v[chainhash.HashSize:])
	return op
}

// txField is a transaction in Bitcoin's serialization (with witnesses);
// it logs the txid.
func txField(typ uint64, name string, p **btcwire.MsgTx) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) {
			if *p == nil {
				return nil, false
			}
			var buf bytes.Buffer
			buf.Grow((*p).SerializeSize())
			_ = (*p).Serialize(&buf) // a bytes.Buffer does not fail
			return buf.Bytes(), true
		},
		dec: func(v []byte) error {
			tx := new(btcwire.MsgTx)
			r := bytes.NewReader(v)
			if err := tx.Deserialize(r); err != nil {
				return fmt.Errorf("%w: transaction: %v", errFieldValue, err)
			}
			if r.Len() != 0 {
				return fmt.Errorf("%w: %d bytes after the transaction", errFieldValue, r.Len())
			}
			*p = tx
			return nil
		},
		log: func() (slog.Value, bool) {
			if *p == nil {
				return slog.Value{}, false
			}
			return slog.StringValue((*p).TxHash().String()), true
		},
	}
}
