package events

import (
	"encoding/binary"
	"fmt"
	"log/slog"

	"github.com/lnkit/lnkit/wire"
)

// The TLV types of an encoded HTLCFailure (a TLV stream of its own).
const (
	failErringNode    = 0
	failHopIndex      = 2
	failCode          = 4
	failPermanent     = 6
	failChannelUpdate = 8
	failTampered      = 9  // odd: added later, an older reader skips it
	failHoldTimes     = 11 // odd: likewise
)

// purposeFields are the three fields of a PaymentPurpose, flattened into
// its event like a ClosureReason: the kind at typ, the preimage at typ+2
// and the payment secret at typ+4. The kind is logged by name, the
// preimage as "redacted" when known, the secret never.
func purposeFields(typ uint64, p *PaymentPurpose) []field {
	return []field{
		enumField(typ, "purpose", &p.Kind),
		preimageOptionField(typ+2, "preimage", &p.Preimage),
		hash32Field(typ+4, "payment_secret", (*[32]byte)(&p.Secret), false),
	}
}

// preimageOptionField is an optional preimage: 32 bytes when present
// (even all zero), absent otherwise. Its log never shows the value.
func preimageOptionField(typ uint64, name string, p *wire.Option[wire.Preimage]) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return p.Value[:], p.Present },
		dec: func(v []byte) error {
			p.Present = true
			return fixed(p.Value[:], v)
		},
		log: func() (slog.Value, bool) { return p.Value.LogValue(), p.Present },
	}
}

// tlvRecordsField is a list of raw TLV records, encoded as the TLV stream
// they form (their order is checked by the event's check). A record's
// empty value decodes as nil. Peer-chosen and bulky: never logged.
func tlvRecordsField(typ uint64, name string, p *wire.TLVRecords) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) {
			var b []byte
			for _, r := range *p {
				b = wire.AppendTLVRecord(b, r.Type, r.Value)
			}
			return b, len(*p) > 0
		},
		dec: func(v []byte) error {
			var rs wire.TLVRecords
			r := wire.NewTLVReader(v)
			for r.Next() {
				rec := r.Record()
				rs = append(rs, wire.TLVRecord{Type: rec.Type, Value: cloneOrNil(rec.Value)})
			}
			if err := r.Err(); err != nil {
				return err
			}
			*p = rs
			return nil
		},
	}
}

// scidField is a short channel id in its 8-byte integer form, zero when
// unknown. The event's check keeps its height and index within 24 bits,
// so that the integer form holds it exactly.
func scidField(typ uint64, name string, p *wire.ShortChannelID) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return wire.AppendTU64(nil, p.ToUint64()), *p != wire.ShortChannelID{} },
		dec: func(v []byte) error {
			x, err := wire.ReadTU64(v)
			if err != nil {
				return err
			}
			*p = wire.NewShortChannelID(x)
			return nil
		},
		log: func() (slog.Value, bool) { return slog.StringValue(p.String()), *p != wire.ShortChannelID{} },
	}
}

// checkSCID reports a short channel id whose integer form would truncate
// it.
func checkSCID(s wire.ShortChannelID) error {
	if s.BlockHeight > 0xFFFFFF || s.TxIndex > 0xFFFFFF {
		return fmt.Errorf("%w: short channel id %s beyond 24 bits", errFieldValue, s)
	}
	return nil
}

// nodeIDsField is a list of node ids, concatenated (33 bytes each); it
// logs them in order.
func nodeIDsField(typ uint64, name string, p *[]wire.NodeID) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) {
			b := make([]byte, 0, len(*p)*len(wire.NodeID{}))
			for _, id := range *p {
				b = append(b, id[:]...)
			}
			return b, len(*p) > 0
		},
		dec: func(v []byte) error {
			size := len(wire.NodeID{})
			if len(v)%size != 0 {
				return wire.ErrTLVLength
			}
			var ids []wire.NodeID
			for ; len(v) > 0; v = v[size:] {
				ids = append(ids, wire.NodeID(v[:size]))
			}
			*p = ids
			return nil
		},
		log: func() (slog.Value, bool) {
			s := make([]string, len(*p))
			for i, id := range *p {
				s[i] = id.String()
			}
			return slog.AnyValue(s), len(*p) > 0
		},
	}
}

// failureFields is the field table of an HTLCFailure. The code is logged
// in hex, as BOLT 4 writes its flag bits (0x400f is PERM|15).
func failureFields(f *HTLCFailure) []field {
	code := uintField(failCode, "code", &f.Code)
	code.log = func() (slog.Value, bool) { return slog.StringValue(fmt.Sprintf("%#04x", f.Code)), true }
	return []field{
		nodeIDField(failErringNode, "erring_node", &f.ErringNode),
		uintField(failHopIndex, "hop_index", &f.HopIndex),
		code,
		boolField(failPermanent, "permanent", &f.Permanent),
		bytesField(failChannelUpdate, "channel_update", &f.ChannelUpdate),
		boolField(failTampered, "tampered", &f.Tampered),
		holdTimesField(failHoldTimes, "hold_times", &f.HoldTimes),
	}
}

// holdTimesField is a list of hold times (BOLT 4 units of 100 ms), 4
// bytes each big-endian; logged as numbers.
func holdTimesField(typ uint64, name string, p *[]uint32) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) {
			b := make([]byte, 0, 4*len(*p))
			for _, h := range *p {
				b = binary.BigEndian.AppendUint32(b, h)
			}
			return b, len(*p) > 0
		},
		dec: func(v []byte) error {
			if len(v)%4 != 0 {
				return wire.ErrTLVLength
			}
			hs := make([]uint32, 0, len(v)/4)
			for ; len(v) > 0; v = v[4:] {
				hs = append(hs, binary.BigEndian.Uint32(v))
			}
			*p = hs
			return nil
		},
		log: func() (slog.Value, bool) { return slog.AnyValue(*p), len(*p) > 0 },
	}
}

// appendFailure appends f's encoding: a TLV stream of failureFields.
func appendFailure(b []byte, f *HTLCFailure) []byte { return appendFields(b, failureFields(f)) }

// decodeFailure decodes an HTLCFailure; unknown even fields fail, unknown
// odd ones are skipped.
func decodeFailure(v []byte) (HTLCFailure, error) {
	var f HTLCFailure
	_, err := wire.DecodeTLVStream(v, fieldHandler(failureFields(&f)))
	return f, err
}

// failureLog is an HTLCFailure's log view: its logged fields (not the raw
// channel_update).
func failureLog(f *HTLCFailure) slog.Value {
	return slog.GroupValue(appendLogAttrs(nil, failureFields(f))...)
}

// failureField is an HTLCFailure, omitted when zero.
func failureField(typ uint64, name string, p *HTLCFailure) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return appendFailure(nil, p), !p.isZero() },
		dec: func(v []byte) (err error) { *p, err = decodeFailure(v); return err },
		log: func() (slog.Value, bool) { return failureLog(p), !p.isZero() },
	}
}

// failureOptionField is an optional HTLCFailure: present (even with every
// field zero, an empty stream) or absent.
func failureOptionField(typ uint64, name string, p *wire.Option[HTLCFailure]) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return appendFailure(nil, &p.Value), p.Present },
		dec: func(v []byte) (err error) {
			p.Value, err = decodeFailure(v)
			p.Present = err == nil
			return err
		},
		log: func() (slog.Value, bool) { return failureLog(&p.Value), p.Present },
	}
}
