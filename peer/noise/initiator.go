package noise

import (
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// Initiator is the side of the handshake that opens the connection and must
// know the responder's node id in advance. Call ActOne, then ProcessActTwo,
// then Cipher. An Initiator is not safe for concurrent use.
type Initiator struct {
	state  handshakeState
	sym    symmetricState
	local  StaticKey
	remote wire.NodeID
	rs     btcec.JacobianPoint // responder's static key
	e      btcec.ModNScalar    // our ephemeral private key
	re     btcec.JacobianPoint // responder's ephemeral key
	keys   sessionKeys
}

// NewInitiator starts a handshake from local to the node whose static key is
// remote, using ephemeral as the ephemeral key of act one. ephemeral must be
// fresh random for every connection (see BOLT 8's generateKey); its scalar is
// copied, and the copy is zeroed when the handshake ends.
func NewInitiator(local StaticKey, remote *btcec.PublicKey, ephemeral *btcec.PrivateKey) (*Initiator, error) {
	if local == nil {
		return nil, configerr.New("noise", "local", "nil static key")
	}
	if ephemeral == nil || ephemeral.Key.IsZero() {
		return nil, configerr.New("noise", "ephemeral", "nil or zero ephemeral key")
	}
	if remote == nil || !remote.IsOnCurve() {
		return nil, fmt.Errorf("%w: remote static key", ErrBadPubKey)
	}
	h := &Initiator{local: local, e: ephemeral.Key}
	h.remote = wire.NewNodeID(remote)
	remote.AsJacobian(&h.rs)
	h.sym.init(h.remote[:])
	return h, nil
}

// ActOne returns act one (-> e, es), the first message to send.
func (h *Initiator) ActOne() ([ActOneSize]byte, error) {
	var out [ActOneSize]byte
	if err := checkState(h.state, stateStart); err != nil {
		return out, err
	}

	var ep btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&h.e, &ep)
	epub := secp.Compress(&ep)
	h.sym.mixHash(epub[:])
	ss, _ := secp.ECDHPoint(&h.e, &h.rs) // never infinity: e != 0, rs on the curve
	h.sym.mixKey(&ss)
	clear(ss[:])
	c := h.sym.encrypt(out[1+pubKeySize:1+pubKeySize], 0, nil)
	h.sym.mixHash(c)

	out[0] = Version
	copy(out[1:], epub[:])
	h.state = stateActOne
	return out, nil
}

// ProcessActTwo checks the responder's act two (<- e, ee) and returns act
// three (-> s, se), the last message to send. After it succeeds the
// handshake is complete and Cipher returns the transport keys.
func (h *Initiator) ProcessActTwo(act2 []byte) ([ActThreeSize]byte, error) {
	var out [ActThreeSize]byte
	if err := checkState(h.state, stateActOne); err != nil {
		return out, err
	}
	if err := h.actTwo(act2); err != nil {
		h.fail()
		return out, newActError(2, act2, err)
	}
	if err := h.actThree(&out); err != nil {
		h.fail()
		return out, newActError(3, nil, err)
	}
	h.finish()
	return out, nil
}

func (h *Initiator) actTwo(act2 []byte) error {
	if len(act2) != ActTwoSize {
		return ErrActLength
	}
	if act2[0] != Version {
		return ErrBadVersion
	}
	re := act2[1 : 1+pubKeySize]
	if !secp.ParseCompressed(re, &h.re) {
		return ErrBadPubKey
	}
	h.sym.mixHash(re)
	ss, _ := secp.ECDHPoint(&h.e, &h.re) // never infinity: e != 0, re on the curve
	h.sym.mixKey(&ss)
	clear(ss[:])
	c := act2[1+pubKeySize:]
	if _, err := h.sym.decrypt(nil, 0, c); err != nil {
		return ErrBadTag
	}
	h.sym.mixHash(c)
	return nil
}

func (h *Initiator) actThree(out *[ActThreeSize]byte) error {
	id := h.local.NodeID()
	c := h.sym.encrypt(out[1:1], 1, id[:])
	h.sym.mixHash(c)
	ss, err := h.local.ECDH(btcec.NewPublicKey(&h.re.X, &h.re.Y))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStaticKey, err)
	}
	h.sym.mixKey(&ss)
	clear(ss[:])
	h.sym.encrypt(out[1+pubKeySize+MACSize:1+pubKeySize+MACSize], 0, nil)
	out[0] = Version
	h.keys.ck = h.sym.ck
	h.keys.sk, h.keys.rk = hkdf(&h.sym.ck, nil)
	return nil
}

// Cipher returns the transport cipher once the handshake is complete. It
// can be called once: a second call returns ErrOutOfOrder, so that two
// ciphers never share keys and nonces.
func (h *Initiator) Cipher() (*Cipher, error) {
	return takeCipher(&h.state, &h.keys)
}

// RemoteNodeID returns the responder's node id given to NewInitiator.
func (h *Initiator) RemoteNodeID() wire.NodeID { return h.remote }

// String describes the handshake without its secrets.
func (h *Initiator) String() string { return "noise.Initiator{remote: " + h.remote.String() + "}" }

// LogValue implements slog.LogValuer without the handshake's secrets.
func (h *Initiator) LogValue() slog.Value {
	return slog.GroupValue(slog.String("role", "initiator"), slog.String("remote", h.remote.String()))
}

func (h *Initiator) finish() {
	h.sym.clear()
	h.e.Zero()
	h.state = stateDone
}

func (h *Initiator) fail() {
	h.sym.clear()
	h.e.Zero()
	h.keys.clear()
	h.state = stateFailed
}
