package noise

import (
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// Responder is the side of the handshake that accepts a connection. Call
// ProcessActOne, then ProcessActThree, then Cipher. A Responder is not safe
// for concurrent use.
type Responder struct {
	state     handshakeState
	sym       symmetricState
	local     StaticKey
	e         btcec.ModNScalar    // our ephemeral private key
	re        btcec.JacobianPoint // initiator's ephemeral key
	rs        btcec.JacobianPoint // initiator's static key, after act three
	remote    wire.NodeID
	remotePub *btcec.PublicKey
	keys      sessionKeys
}

// NewResponder prepares to answer a handshake as local, using ephemeral as
// the ephemeral key of act two. ephemeral must be fresh random for every
// connection; its scalar is copied, and the copy is zeroed when the
// handshake ends.
func NewResponder(local StaticKey, ephemeral *btcec.PrivateKey) (*Responder, error) {
	if local == nil {
		return nil, configerr.New("noise", "local", "nil static key")
	}
	if ephemeral == nil || ephemeral.Key.IsZero() {
		return nil, configerr.New("noise", "ephemeral", "nil or zero ephemeral key")
	}
	h := &Responder{local: local, e: ephemeral.Key}
	id := local.NodeID()
	h.sym.init(id[:])
	return h, nil
}

// ProcessActOne checks the initiator's act one (-> e, es) and returns act
// two (<- e, ee) to send back. An error means the initiator does not know
// our static key or is not speaking BOLT 8; close the connection without
// sending anything.
func (h *Responder) ProcessActOne(act1 []byte) ([ActTwoSize]byte, error) {
	var out [ActTwoSize]byte
	if err := checkState(h.state, stateStart); err != nil {
		return out, err
	}
	if err := h.actOne(act1); err != nil {
		h.fail()
		return out, newActError(1, act1, err)
	}

	var ep btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&h.e, &ep)
	epub := secp.Compress(&ep)
	h.sym.mixHash(epub[:])
	ss, _ := secp.ECDHPoint(&h.e, &h.re) // never infinity: e != 0, re on the curve
	h.sym.mixKey(&ss)
	clear(ss[:])
	c := h.sym.encrypt(out[1+pubKeySize:1+pubKeySize], 0, nil)
	h.sym.mixHash(c)

	out[0] = Version
	copy(out[1:], epub[:])
	h.state = stateActTwo
	return out, nil
}

func (h *Responder) actOne(act1 []byte) error {
	if len(act1) != ActOneSize {
		return ErrActLength
	}
	if act1[0] != Version {
		return ErrBadVersion
	}
	re := act1[1 : 1+pubKeySize]
	if !secp.ParseCompressed(re, &h.re) {
		return ErrBadPubKey
	}
	h.sym.mixHash(re)
	ss, err := h.local.ECDH(btcec.NewPublicKey(&h.re.X, &h.re.Y))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStaticKey, err)
	}
	h.sym.mixKey(&ss)
	clear(ss[:])
	c := act1[1+pubKeySize:]
	if _, err := h.sym.decrypt(nil, 0, c); err != nil {
		return ErrBadTag
	}
	h.sym.mixHash(c)
	return nil
}

// ProcessActThree checks the initiator's act three (-> s, se) and returns
// the initiator's node id, now authenticated. After it succeeds the
// handshake is complete and Cipher returns the transport keys.
func (h *Responder) ProcessActThree(act3 []byte) (wire.NodeID, error) {
	if err := checkState(h.state, stateActTwo); err != nil {
		return wire.NodeID{}, err
	}
	if err := h.actThree(act3); err != nil {
		h.fail()
		return wire.NodeID{}, newActError(3, act3, err)
	}
	h.sym.clear()
	h.e.Zero()
	h.state = stateDone
	return h.remote, nil
}

func (h *Responder) actThree(act3 []byte) error {
	if len(act3) != ActThreeSize {
		return ErrActLength
	}
	if act3[0] != Version {
		return ErrBadVersion
	}
	c := act3[1 : 1+pubKeySize+MACSize]
	t := act3[1+pubKeySize+MACSize:]
	var rs [pubKeySize]byte
	if _, err := h.sym.decrypt(rs[:0], 1, c); err != nil {
		return ErrBadCiphertext
	}
	h.sym.mixHash(c)
	if !secp.ParseCompressed(rs[:], &h.rs) {
		return ErrBadPubKey
	}
	ss, _ := secp.ECDHPoint(&h.e, &h.rs) // never infinity: e != 0, rs on the curve
	h.sym.mixKey(&ss)
	clear(ss[:])
	if _, err := h.sym.decrypt(nil, 0, t); err != nil {
		return ErrBadTag
	}
	h.remote = wire.NodeID(rs)
	h.remotePub = btcec.NewPublicKey(&h.rs.X, &h.rs.Y)
	h.keys.ck = h.sym.ck
	h.keys.rk, h.keys.sk = hkdf(&h.sym.ck, nil)
	return nil
}

// Cipher returns the transport cipher once the handshake is complete. It
// can be called once: a second call returns ErrOutOfOrder, so that two
// ciphers never share keys and nonces.
func (h *Responder) Cipher() (*Cipher, error) {
	return takeCipher(&h.state, &h.keys)
}

// RemoteNodeID returns the initiator's node id once act three has been
// processed, and false before.
func (h *Responder) RemoteNodeID() (wire.NodeID, bool) {
	return h.remote, h.remotePub != nil
}

// RemoteStatic returns the initiator's static public key once act three has
// been processed, and nil before.
func (h *Responder) RemoteStatic() *btcec.PublicKey { return h.remotePub }

// String describes the handshake without its secrets.
func (h *Responder) String() string {
	if h.remotePub == nil {
		return "noise.Responder{}"
	}
	return "noise.Responder{remote: " + h.remote.String() + "}"
}

// LogValue implements slog.LogValuer without the handshake's secrets.
func (h *Responder) LogValue() slog.Value {
	if h.remotePub == nil {
		return slog.GroupValue(slog.String("role", "responder"))
	}
	return slog.GroupValue(slog.String("role", "responder"), slog.String("remote", h.remote.String()))
}

func (h *Responder) fail() {
	h.sym.clear()
	h.e.Zero()
	h.keys.clear()
	h.remote = wire.NodeID{}
	h.remotePub = nil
	h.state = stateFailed
}
