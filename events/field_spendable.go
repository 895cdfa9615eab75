package events

import (
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/wire"
)

// The TLV types of an encoded spendable.Output (a TLV stream of its own).
const (
	outKind         = 0
	outOutPoint     = 2
	outValue        = 4
	outPkScript     = 6
	outChannelKeyID = 8
	outPerCommit    = 10
	outRevocation   = 12
	outToSelfDelay  = 14
	outCLTV         = 16
)

// outputFields is the field table of a spendable.Output.
func outputFields(o *spendable.Output) []field {
	return []field{
		uintField(outKind, "kind", (*uint8)(&o.Kind)),
		outPointField(outOutPoint, "outpoint", &o.OutPoint),
		uintField(outValue, "value", &o.Value),
		scriptField(outPkScript, "pk_script", &o.PkScript),
		hash32Field(outChannelKeyID, "channel_key_id", &o.ChannelKeyID, false),
		pubKeyField(outPerCommit, "per_commitment_point", &o.PerCommitmentPoint),
		pubKeyField(outRevocation, "revocation_pubkey", &o.RevocationPubKey),
		uintField(outToSelfDelay, "to_self_delay", &o.ToSelfDelay),
		uintField(outCLTV, "cltv", &o.CLTV),
	}
}

// pubKeyField is an optional public key, compressed (33 bytes), checked to
// be on the curve.
func pubKeyField(typ uint64, name string, p **btcec.PublicKey) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) {
			if *p == nil {
				return nil, false
			}
			return (*p).SerializeCompressed(), true
		},
		dec: func(v []byte) error {
			if len(v) != btcec.PubKeyBytesLenCompressed {
				return wire.ErrTLVLength
			}
			k, err := btcec.ParsePubKey(v)
			if err != nil {
				return fmt.Errorf("%w: %v", wire.ErrInvalidPoint, err)
			}
			*p = k
			return nil
		},
	}
}

// appendOutput appends o's encoding: a TLV stream of outputFields.
func appendOutput(b []byte, o *spendable.Output) []byte {
	return appendFields(b, outputFields(o))
}

// decodeOutput decodes an output and checks its kind is known.
func decodeOutput(v []byte) (spendable.Output, error) {
	var o spendable.Output
	if _, err := wire.DecodeTLVStream(v, fieldHandler(outputFields(&o))); err != nil {
		return o, err
	}
	if o.Kind < spendable.StaticRemote || o.Kind > spendable.Anchor {
		return o, fmt.Errorf("%w: output kind %d", errFieldValue, uint8(o.Kind))
	}
	return o, nil
}

// outputLog is an output's log view: kind, outpoint and value (never the
// channel key id or scripts).
func outputLog(o *spendable.Output) slog.Value {
	return slog.GroupValue(
		slog.String("kind", o.Kind.String()),
		slog.String("outpoint", o.OutPoint.String()),
		slog.Uint64("value", uint64(o.Value)),
	)
}

// outputField is one spendable.Output.
func outputField(typ uint64, name string, p *spendable.Output) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) { return appendOutput(nil, p), p.Kind != 0 },
		dec: func(v []byte) (err error) { *p, err = decodeOutput(v); return err },
		log: func() (slog.Value, bool) { return outputLog(p), p.Kind != 0 },
	}
}

// outputsField is a list of outputs: BigSize count, then for each a
// BigSize length and the output's encoding.
func outputsField(typ uint64, name string, p *[]spendable.Output) field {
	return field{
		typ: typ, name: name,
		enc: func() ([]byte, bool) {
			b := wire.AppendBigSize(nil, uint64(len(*p)))
			for i := range *p {
				o := appendOutput(nil, &(*p)[i])
				b = wire.AppendBigSize(b, uint64(len(o)))
				b = append(b, o...)
			}
			return b, len(*p) > 0
		},
		dec: func(v []byte) error {
			n, v, err := readBigSize(v)
			if err != nil {
				return err
			}
			if n == 0 || n > uint64(len(v)) { // every output takes at least one byte
				return fmt.Errorf("%w: %d outputs in %d bytes", errFieldValue, n, len(v))
			}
			outs := make([]spendable.Output, 0, n)
			for range n {
				var l uint64
				if l, v, err = readBigSize(v); err != nil {
					return err
				}
				if l > uint64(len(v)) {
					return fmt.Errorf("%w: output of %d bytes, %d left", wire.ErrTruncated, l, len(v))
				}
				o, err := decodeOutput(v[:l])
				if err != nil {
					return fmt.Errorf("output %d: %w", len(outs), err)
				}
				outs = append(outs, o)
				v = v[l:]
			}
			if len(v) != 0 {
				return fmt.Errorf("%w: %d bytes after the outputs", errFieldValue, len(v))
			}
			*p = outs
			return nil
		},
		log: func() (slog.Value, bool) {
			attrs := make([]slog.Attr, len(*p))
			for i := range *p {
				attrs[i] = slog.Attr{Key: fmt.Sprint(i), Value: outputLog(&(*p)[i])}
			}
			return slog.GroupValue(attrs...), len(*p) > 0
		},
	}
}
