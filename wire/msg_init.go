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
	// as the sender sees it (BOLT 7 address descriptor). Encode fails for
	// an address it could not decode back (unknown type, wrong length).
	// A received remote_addr that is not exactly one descriptor of a known
	// type (a type newer than lnkit, say) is not an error: RemoteAddr stays
	// absent and the record is kept raw in ExtraTLVs, so that re-encoding
	// is lossless. The address is what the peer claims, not checked.
	RemoteAddr Option[NetAddress]
	// ExtraTLVs holds the unknown odd records of the extension (and an
	// undecodable remote_addr, see RemoteAddr), written back unchanged.
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
	known := []uint64{initTLVNetworks, initTLVRemoteAddr}
	if !m.RemoteAddr.Present {
		known = known[:1] // a raw remote_addr that did not decode
	}
	if err := validateExtraTLVs("init", m.ExtraTLVs, known...); err != nil {
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
		addr, err := appendNetAddress(nil, "init.remote_addr", m.RemoteAddr.Value)
		if err != nil {
			return b[:start], err
		}
		w.header(initTLVRemoteAddr, len(addr))
		w.b = append(w.b, addr...)
	}
	return w.finish(), nil
}

// Decode implements Message. Leading zero bytes of the feature vectors are
// dropped. A networks record whose length is not a multiple of 32 fails with
// ErrTLVLength.
func (m *Init) Decode(payload []byte) error {
	*m = Init{}
	r := newReader(MsgInit, payload)
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
			a, ok := decodeRemoteAddr(v)
			if !ok {
				return false, nil // kept raw in ExtraTLVs
			}
			m.RemoteAddr = Some(a)
		default:
			return false, nil
		}
		return true, nil
	})
	return r.done()
}

// decodeRemoteAddr decodes a remote_addr value: exactly one address
// descriptor of a known type. The address is copied.
func decodeRemoteAddr(v []byte) (NetAddress, bool) {
	if len(v) == 0 {
		return NetAddress{}, false
	}
	a, n, known, err := decodeNetAddress(v)
	if !known || err != nil || n != len(v) {
		return NetAddress{}, false
	}
	a.Addr = cloneBytes(a.Addr)
	return a, true
}
