package noise

import (
	"crypto/cipher"
	"encoding/binary"
	"log/slog"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"
)

// Transport constants of BOLT 8.
const (
	// MACSize is the size of a Poly1305 tag.
	MACSize = chacha20poly1305.Overhead
	// HeaderSize is the size of an encrypted length prefix: 2 bytes of
	// length and its tag.
	HeaderSize = 2 + MACSize
	// MaxMessageSize is the largest message BOLT 8 can carry.
	MaxMessageSize = 65535
	// Overhead is how many bytes encryption adds to a message: the
	// encrypted header and the body's tag.
	Overhead = HeaderSize + MACSize
	// MaxFrameSize is the largest encrypted frame: MaxMessageSize + Overhead.
	MaxFrameSize = MaxMessageSize + Overhead

	// rotateInterval is how many nonces a key is used for before it is
	// rotated (BOLT 8 "Lightning Message Key Rotation").
	rotateInterval = 1000
)

// cipherState is one direction of the transport: a key, its chaining key
// for rotation, and its nonce.
type cipherState struct {
	aead  cipher.AEAD
	n     uint64
	nonce [chacha20poly1305.NonceSize]byte // 32 zero bits, then n little-endian
	k, ck [32]byte
}

func (s *cipherState) init(ck, k *[32]byte) {
	s.ck, s.k = *ck, *k
	s.n = 0
	s.nonce = [chacha20poly1305.NonceSize]byte{}
	s.aead, _ = chacha20poly1305.New(s.k[:]) // cannot fail: the key is 32 bytes
}

// advance moves to the next nonce, rotating the key after rotateInterval
// nonces: ck', k' = HKDF(ck, k), n = 0.
func (s *cipherState) advance() {
	s.n++
	if s.n == rotateInterval {
		s.ck, s.k = hkdf(&s.ck, s.k[:])
		s.n = 0
		s.aead, _ = chacha20poly1305.New(s.k[:]) // cannot fail: the key is 32 bytes
	}
	binary.LittleEndian.PutUint64(s.nonce[4:], s.n)
}

// Cipher is the encrypted transport that follows a BOLT 8 handshake. Encrypt
// uses only the sending side and the decrypt methods and a Decoder only the
// receiving side, so one goroutine may send while another receives; each
// side on its own is not safe for concurrent use.
//
// Any error on the receiving side is permanent: every later decrypt call
// returns the same error, and the connection must be closed.
type Cipher struct {
	send cipherState

	recv       cipherState
	recvErr    error
	expectBody bool // a header was decrypted; the body is next
	bodyLen    int  // plaintext length of the expected body
	lenBuf     [2]byte
}

// newCipher returns a Cipher that sends with sk and receives with rk, both
// rotating from the chaining key ck.
func newCipher(ck, sk, rk *[32]byte) *Cipher {
	c := &Cipher{}
	c.send.init(ck, sk)
	c.recv.init(ck, rk)
	return c
}

// Encrypt appends the encrypted frame of msg to dst and returns the extended
// slice: the encrypted 2-byte length and its tag (HeaderSize bytes), then the
// encrypted msg and its tag, len(msg)+Overhead bytes in all. It does not
// allocate if dst has that much spare capacity.
//
// msg may be encrypted in place: if it sits exactly where its ciphertext
// goes, i.e. msg == dst[len(dst)+HeaderSize : len(dst)+HeaderSize+len(msg)],
// no copy is made. Any other overlap of msg with the output returns
// ErrOverlap. A msg longer than MaxMessageSize returns ErrMessageTooLarge.
// Errors leave the Cipher unchanged.
func (c *Cipher) Encrypt(dst, msg []byte) ([]byte, error) {
	if len(msg) > MaxMessageSize {
		return dst, ErrMessageTooLarge
	}
	start := len(dst)
	total := len(msg) + Overhead
	dst = slices.Grow(dst, total)
	out := dst[start : start+total]
	if overlaps(out, msg) && !sameStart(out[HeaderSize:], msg) {
		return dst[:start], ErrOverlap
	}

	binary.BigEndian.PutUint16(out, uint16(len(msg)))
	c.send.aead.Seal(out[:0], c.send.nonce[:], out[:2], nil)
	c.send.advance()
	c.send.aead.Seal(out[HeaderSize:HeaderSize], c.send.nonce[:], msg, nil)
	c.send.advance()
	return dst[:start+total], nil
}

// DecryptHeader decrypts the HeaderSize-byte encrypted length prefix of the
// next frame and returns the length of the message that follows. The caller
// then reads that many bytes plus MACSize and passes them to DecryptBody.
func (c *Cipher) DecryptHeader(header []byte) (int, error) {
	if c.recvErr != nil {
		return 0, c.recvErr
	}
	if c.expectBody {
		return 0, c.failRecv(ErrUnexpectedPart)
	}
	if len(header) != HeaderSize {
		return 0, c.failRecv(ErrFrameLength)
	}
	p, err := c.recv.aead.Open(c.lenBuf[:0], c.recv.nonce[:], header, nil)
	if err != nil {
		return 0, c.failRecv(ErrBadLengthMAC)
	}
	c.recv.advance()
	c.bodyLen = int(binary.BigEndian.Uint16(p))
	c.expectBody = true
	return c.bodyLen, nil
}

// DecryptBody decrypts the body that follows a header: exactly the length
// DecryptHeader returned plus MACSize bytes. It appends the plaintext to dst
// and returns the extended slice; it does not allocate if dst has enough
// spare capacity. body may be decrypted in place (dst[len(dst):] starting at
// body[0]); any other overlap returns ErrOverlap.
func (c *Cipher) DecryptBody(dst, body []byte) ([]byte, error) {
	if c.recvErr != nil {
		return dst, c.recvErr
	}
	if !c.expectBody {
		return dst, c.failRecv(ErrUnexpectedPart)
	}
	if len(body) != c.bodyLen+MACSize {
		return dst, c.failRecv(ErrFrameLength)
	}
	start := len(dst)
	dst = slices.Grow(dst, c.bodyLen)
	out := dst[start : start+c.bodyLen]
	if overlaps(out, body) && !sameStart(out, body) {
		return dst[:start], c.failRecv(ErrOverlap)
	}
	p, err := c.recv.aead.Open(dst[:start], c.recv.nonce[:], body, nil)
	if err != nil {
		return dst[:start], c.failRecv(ErrBadBodyMAC)
	}
	c.recv.advance()
	c.expectBody = false
	return p, nil
}

// Decrypt decrypts one whole frame (header and body, as Encrypt produced
// it) and appends the plaintext to dst. frame must hold exactly one frame.
func (c *Cipher) Decrypt(dst, frame []byte) ([]byte, error) {
	if c.recvErr != nil {
		return dst, c.recvErr
	}
	if len(frame) < HeaderSize {
		return dst, c.failRecv(ErrFrameLength)
	}
	n, err := c.DecryptHeader(frame[:HeaderSize])
	if err != nil {
		return dst, err
	}
	if len(frame) != HeaderSize+n+MACSize {
		return dst, c.failRecv(ErrFrameLength)
	}
	return c.DecryptBody(dst, frame[HeaderSize:])
}

// failRecv makes err the permanent error of the receiving side.
func (c *Cipher) failRecv(err error) error {
	c.recvErr = err
	c.recv.aead = nil
	clear(c.recv.k[:])
	clear(c.recv.ck[:])
	return err
}

// String describes the cipher without its keys.
func (c *Cipher) String() string { return "noise.Cipher{keys redacted}" }

// LogValue implements slog.LogValuer without the cipher's keys.
func (c *Cipher) LogValue() slog.Value { return slog.StringValue("noise.Cipher{keys redacted}") }
