package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// Init is the init message (BOLT 1, type 16), the first message on every
// connection: the sender's features and, optionally, the chains it cares
// about and the address it sees the receiver at.
type Init struct {
	// GlobalFeatures is the legacy globalfeatures field. Senders should
	// not set bits above 13 in it; receivers OR it into Features (see
	// CombinedFeatures).
	GlobalFeatures FeatureVector
	// Features is the features field (BOLT 9).
	Features FeatureVector
	// Networks is the networks record (type 1): the chain hashes (genesis
	// block hashes) of the chains the sender gossips or opens channels on.
	Networks Option[[]chainhash.Hash]
	// RemoteAddr is the remote_addr record (type 3): the receiver's address
	// as the sender sees it, as a raw BOLT 7 address descriptor (type byte
	// then address). It is not validated.
	RemoteAddr Option[[]byte]
	// ExtraTLVs holds the unknown odd records of the extension, written
	// back unchanged.
	ExtraTLVs TLVRecords
}

// TLV types of init_tlvs.
const (
	initTLVNetworks   = 1
	initTLVRemoteAddr = 3
)

// Type implements Message.
func (m *Init) Type() MessageType { return MsgInit }

// CombinedFeatures returns the bitwise OR of GlobalFeatures and Features,
// the logical feature set BOLT 1 tells receivers to use.
func (m *Init) CombinedFeatures() FeatureVector {
	a, b := featureWireBytes(m.GlobalFeatures), featureWireBytes(m.Features)
	if len(a) < len(b) {
		a, b = b, a
	}
	out := append([]byte(nil), a...)
	off := len(a) - len(b)
	for i, x := range b {
		out[off+i] |= x
	}
	return FeatureVectorFromBytes(out)
}

// Encode implements Message. Feature vectors are written in their minimal
// form.
func (m *Init) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("init", m.ExtraTLVs, initTLVNetworks, initTLVRemoteAddr); err != nil {
		return b, err
	}
	start := len(b)
	b, err := appendFeatures16(b, "init.globalfeatures", m.GlobalFeatures)
	if err != nil {
		return b[:start], err
	}
	if b, err = appendFeatures16(b, "init.features", m.Features); err != nil {
		return b[:start], err
	}
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.Networks.Present {
		w.header(initTLVNetworks, len(m.Networks.Value)*chainhash.HashSize)
		for i := range m.Networks.Value {
			w.b = append(w.b, m.Networks.Value[i][:]...)
		}
	}
	if m.RemoteAddr.Present {
		w.header(initTLVRemoteAddr, len(m.RemoteAddr.Value))
		w.b = append(w.b, m.RemoteAddr.Value...)
	}
	return w.finish(), nil
}

// Decode implements Message. Leading zero bytes of the feature vectors are
// dropped. A networks record whose length is not a multiple of 32 fails with
// ErrTLVLength.
func (m *Init) Decode(payload []byte) error {
	*m = Init{}
	r := newReader("init", payload)
	m.GlobalFeatures = r.features16("globalfeatures")
	m.Features = r.features16("features")
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		switch typ {
		case initTLVNetworks:
			if len(v)%chainhash.HashSize != 0 {
				return true, ErrTLVLength
			}
			var chains []chainhash.Hash
			if len(v) > 0 {
				chains = make([]chainhash.Hash, len(v)/chainhash.HashSize)
				for i := range chains {
					copy(chains[i][:], v[i*chainhash.HashSize:])
				}
			}
			m.Networks = Some(chains)
		case initTLVRemoteAddr:
			m.RemoteAddr = Some(cloneBytes(v))
		default:
			return false, nil
		}
		return true, nil
	})
	return r.done()
}
