package noise

import (
	"crypto/sha256"
	"encoding/binary"

	"golang.org/x/crypto/chacha20poly1305"
)

// Handshake constants of BOLT 8.
const (
	// Version is the only handshake version: the first byte of every act.
	Version byte = 0
	// ActOneSize is the size of act one: version, ephemeral key, tag.
	ActOneSize = 1 + pubKeySize + MACSize
	// ActTwoSize is the size of act two: version, ephemeral key, tag.
	ActTwoSize = 1 + pubKeySize + MACSize
	// ActThreeSize is the size of act three: version, encrypted static key
	// with its tag, final tag.
	ActThreeSize = 1 + pubKeySize + MACSize + MACSize

	protocolName = "Noise_XK_secp256k1_ChaChaPoly_SHA256"
	prologue     = "lightning"
)

// symmetricState is the running handshake state of BOLT 8: the chaining key
// ck, the handshake digest h and the current temporary key temp_k.
type symmetricState struct {
	ck, h, tempK [32]byte
}

// init sets up the state with the protocol name and prologue and mixes in
// the responder's static public key, as both sides do before act one.
func (s *symmetricState) init(responderStatic []byte) {
	s.h = sha256.Sum256([]byte(protocolName))
	s.ck = s.h
	s.mixHash([]byte(prologue))
	s.mixHash(responderStatic)
}

// mixHash sets h = SHA-256(h || b).
func (s *symmetricState) mixHash(b []byte) {
	d := sha256.New()
	d.Write(s.h[:])
	d.Write(b)
	d.Sum(s.h[:0])
}

// mixKey sets ck, temp_k = HKDF(ck, ss).
func (s *symmetricState) mixKey(ss *[32]byte) {
	s.ck, s.tempK = hkdf(&s.ck, ss[:])
}

// encrypt appends encryptWithAD(temp_k, n, h, pt) to dst.
func (s *symmetricState) encrypt(dst []byte, n uint64, pt []byte) []byte {
	aead, _ := chacha20poly1305.New(s.tempK[:]) // cannot fail: the key is 32 bytes
	var nonce [chacha20poly1305.NonceSize]byte
	binary.LittleEndian.PutUint64(nonce[4:], n)
	return aead.Seal(dst, nonce[:], pt, s.h[:])
}

// decrypt appends decryptWithAD(temp_k, n, h, c) to dst, or fails if the
// tag does not authenticate.
func (s *symmetricState) decrypt(dst []byte, n uint64, c []byte) ([]byte, error) {
	aead, _ := chacha20poly1305.New(s.tempK[:]) // cannot fail: the key is 32 bytes
	var nonce [chacha20poly1305.NonceSize]byte
	binary.LittleEndian.PutUint64(nonce[4:], n)
	return aead.Open(dst, nonce[:], c, s.h[:])
}

// clear zeroes the state.
func (s *symmetricState) clear() {
	clear(s.ck[:])
	clear(s.h[:])
	clear(s.tempK[:])
}

// handshakeState is where a handshake is; the two sides use a subset each.
type handshakeState uint8

const (
	stateStart     handshakeState = iota // nothing sent or received yet
	stateActOne                          // initiator sent act one
	stateActTwo                          // responder received act one and sent act two
	stateDone                            // handshake complete, Cipher not yet taken
	stateCipherOut                       // Cipher handed out
	stateFailed                          // a step failed
)

// sessionKeys are the handshake's result, held until Cipher is called.
type sessionKeys struct {
	ck, sk, rk [32]byte
}

func (k *sessionKeys) clear() {
	clear(k.ck[:])
	clear(k.sk[:])
	clear(k.rk[:])
}

// takeCipher hands out the Cipher once, after the handshake completed.
func takeCipher(state *handshakeState, keys *sessionKeys) (*Cipher, error) {
	switch *state {
	case stateDone:
	case stateFailed:
		return nil, ErrHandshakeFailed
	default:
		return nil, ErrOutOfOrder
	}
	c := newCipher(&keys.ck, &keys.sk, &keys.rk)
	keys.clear()
	*state = stateCipherOut
	return c, nil
}

// checkState returns nil if the handshake is in state want.
func checkState(have, want handshakeState) error {
	switch have {
	case want:
		return nil
	case stateFailed:
		return ErrHandshakeFailed
	default:
		return ErrOutOfOrder
	}
}
