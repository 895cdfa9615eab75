package peer

import (
	"encoding/binary"
	"slices"

	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

const (
	// compactMin is how many sent bytes may sit at the front of a buffer
	// before it is compacted.
	compactMin = 64 << 10
	// shrinkCap is the capacity above which an empty buffer is released at
	// the next tick, so an idle peer does not pin a burst's memory while a
	// busy one keeps reusing its buffers.
	shrinkCap = 64 << 10
	// gossipLenSize is the length prefix of a queued gossip message.
	gossipLenSize = 2
)

// sendBuffer is a connection's outgoing data: ciphertext waiting for the
// Descriptor, and plaintext gossip waiting to be encrypted. Ciphertext is
// final (its nonces are spent), so anything that may still be dropped or
// reordered behind channel messages stays in the gossip queue until the
// ciphertext buffer is nearly empty.
type sendBuffer struct {
	wbuf       []byte // ciphertext; wbuf[:woff] was accepted by the Descriptor
	woff       int
	gbuf       []byte // gossip: 2-byte length then the message, repeated; gbuf[:goff] moved
	goff       int
	blocked    bool // SendData took less than offered: wait for WriteBufferSpaceAvailable
	readPaused bool // ReadEvent asked to pause reading and SendData has not resumed it

	gossipDropped uint64
}

// pending returns the ciphertext bytes not yet accepted by the Descriptor.
func (s *sendBuffer) pending() int { return len(s.wbuf) - s.woff }

// gossipPending returns the bytes of gossip waiting to be encrypted.
func (s *sendBuffer) gossipPending() int { return len(s.gbuf) - s.goff }

// encrypt appends the frame of m to the ciphertext buffer, encrypting it in
// place, and fails with ErrSendBufferFull if the unsent ciphertext would
// exceed limit. It does not allocate once the buffer has grown.
func (s *sendBuffer) encrypt(c *noise.Cipher, m wire.Message, limit int) error {
	start := len(s.wbuf)
	var hdr [noise.HeaderSize]byte
	b := append(s.wbuf, hdr[:]...)
	b, err := wire.Encode(b, m)
	if err != nil {
		s.wbuf = b[:start]
		return err
	}
	n := len(b) - start - noise.HeaderSize
	if start-s.woff+n+noise.Overhead > limit {
		s.wbuf = b[:start]
		return ErrSendBufferFull
	}
	b = slices.Grow(b, noise.MACSize)
	body := b[start+noise.HeaderSize : start+noise.HeaderSize+n]
	out, err := c.Encrypt(b[:start], body)
	if err != nil {
		s.wbuf = b[:start]
		return err
	}
	s.wbuf = out
	return nil
}

// appendRaw appends unencrypted bytes (a handshake act).
func (s *sendBuffer) appendRaw(p []byte) { s.wbuf = append(s.wbuf, p...) }

// queueGossip appends m to the gossip queue, or drops it (returning false)
// when the queue would exceed limit.
func (s *sendBuffer) queueGossip(m wire.Message, limit int) (bool, error) {
	start := len(s.gbuf)
	b := append(s.gbuf, 0, 0)
	b, err := wire.Encode(b, m)
	if err != nil {
		s.gbuf = b[:start]
		return false, err
	}
	if len(b)-s.goff > limit {
		s.gbuf = b[:start]
		s.gossipDropped++
		return false, nil
	}
	binary.BigEndian.PutUint16(b[start:], uint16(len(b)-start-gossipLenSize))
	s.gbuf = b
	return true, nil
}

// moveGossip encrypts queued gossip into the ciphertext buffer while the
// unsent ciphertext stays within target (always at least one message when
// the ciphertext buffer is empty).
func (s *sendBuffer) moveGossip(c *noise.Cipher, target int) {
	for s.goff < len(s.gbuf) {
		n := int(binary.BigEndian.Uint16(s.gbuf[s.goff:]))
		if p := s.pending(); p > 0 && p+n+noise.Overhead > target {
			break
		}
		msg := s.gbuf[s.goff+gossipLenSize : s.goff+gossipLenSize+n]
		out, err := c.Encrypt(s.wbuf, msg)
		if err == nil { // cannot fail: msg is at most wire.MaxMessageSize
			s.wbuf = out
		}
		s.goff += gossipLenSize + n
	}
	if s.goff == len(s.gbuf) {
		s.gbuf, s.goff = resetBuffer(s.gbuf), 0
	}
}

// compact reclaims the sent front of the ciphertext buffer.
func (s *sendBuffer) compact() {
	switch {
	case s.woff == len(s.wbuf):
		s.wbuf, s.woff = resetBuffer(s.wbuf), 0
	case s.woff >= compactMin && 2*s.woff >= len(s.wbuf):
		n := copy(s.wbuf, s.wbuf[s.woff:])
		s.wbuf, s.woff = s.wbuf[:n], 0
	}
	if s.goff >= compactMin && 2*s.goff >= len(s.gbuf) {
		n := copy(s.gbuf, s.gbuf[s.goff:])
		s.gbuf, s.goff = s.gbuf[:n], 0
	}
}

// release drops both buffers.
func (s *sendBuffer) release() {
	s.wbuf, s.woff, s.gbuf, s.goff = nil, 0, nil, 0
}

// shrink releases empty buffers that grew large.
func (s *sendBuffer) shrink() {
	if s.pending() == 0 && cap(s.wbuf) > shrinkCap {
		s.wbuf, s.woff = nil, 0
	}
	if s.gossipPending() == 0 && cap(s.gbuf) > shrinkCap {
		s.gbuf, s.goff = nil, 0
	}
}

// resetBuffer empties b, keeping its storage.
func resetBuffer(b []byte) []byte { return b[:0] }
