package noise

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// cipherPair returns a sender and the matching receiver, keyed from rng.
func cipherPair(rng *rand.Rand) (send, recv *Cipher) {
	var ck, k1, k2 [32]byte
	fillRandom(rng, ck[:])
	fillRandom(rng, k1[:])
	fillRandom(rng, k2[:])
	return newCipher(&ck, &k1, &k2), newCipher(&ck, &k2, &k1)
}

func TestCipherRoundTripSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 31))
	send, recv := cipherPair(rng)
	for _, n := range []int{0, 1, 2, 15, 16, 17, 100, 1000, 65519, MaxMessageSize - 1, MaxMessageSize} {
		msg := make([]byte, n)
		fillRandom(rng, msg)
		prefix := []byte("prefix")

		frame, err := send.Encrypt(bytes.Clone(prefix), msg)
		require.NoError(t, err)
		require.Equal(t, prefix, frame[:len(prefix)])
		frame = frame[len(prefix):]
		require.Len(t, frame, n+Overhead)

		// Header and body separately, appending to a prefix.
		l, err := recv.DecryptHeader(frame[:HeaderSize])
		require.NoError(t, err)
		require.Equal(t, n, l)
		got, err := recv.DecryptBody(bytes.Clone(prefix), frame[HeaderSize:])
		require.NoError(t, err)
		require.Equal(t, prefix, got[:len(prefix)])
		require.True(t, bytes.Equal(msg, got[len(prefix):]))

		// A whole frame.
		frame, err = send.Encrypt(nil, msg)
		require.NoError(t, err)
		got, err = recv.Decrypt(nil, frame)
		require.NoError(t, err)
		require.True(t, bytes.Equal(msg, got))
	}
}

func TestCipherRotationStaysInSync(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 33))
	a, b := cipherPair(rng)
	var frame, plain []byte
	for i := range 2600 {
		msg := make([]byte, rng.IntN(64))
		fillRandom(rng, msg)
		from, to := a, b
		if i%3 == 0 {
			from, to = b, a
		}
		var err error
		frame, err = from.Encrypt(frame[:0], msg)
		require.NoError(t, err)
		plain, err = to.Decrypt(plain[:0], frame)
		require.NoError(t, err, "message %d", i)
		require.True(t, bytes.Equal(msg, plain), "message %d", i)
	}
}

func TestEncryptTooLarge(t *testing.T) {
	rng := rand.New(rand.NewPCG(34, 35))
	send, recv := cipherPair(rng)
	dst := []byte("keep")
	out, err := send.Encrypt(dst, make([]byte, MaxMessageSize+1))
	require.ErrorIs(t, err, ErrMessageTooLarge)
	require.Equal(t, []byte("keep"), out)

	// The failed call did not use a nonce.
	frame, err := send.Encrypt(nil, []byte("after"))
	require.NoError(t, err)
	got, err := recv.Decrypt(nil, frame)
	require.NoError(t, err)
	require.Equal(t, []byte("after"), got)
}

func TestCipherInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(36, 37))
	send, recv := cipherPair(rng)
	msg := []byte("in place message")

	buf := make([]byte, 4, 4+len(msg)+Overhead)
	copy(buf[4+HeaderSize:cap(buf)], msg)
	inPlace := buf[4+HeaderSize : 4+HeaderSize+len(msg)]
	frame, err := send.Encrypt(buf, inPlace)
	require.NoError(t, err)
	require.Equal(t, &buf[0], &frame[0], "encrypted without reallocating")
	require.Len(t, frame, 4+len(msg)+Overhead)

	body := frame[4+HeaderSize:]
	n, err := recv.DecryptHeader(frame[4 : 4+HeaderSize])
	require.NoError(t, err)
	require.Equal(t, len(msg), n)
	got, err := recv.DecryptBody(body[:0], body)
	require.NoError(t, err)
	require.Equal(t, msg, got)
	require.Equal(t, &body[0], &got[0], "decrypted in place")
}

func TestCipherInexactOverlap(t *testing.T) {
	rng := rand.New(rand.NewPCG(38, 39))
	send, recv := cipherPair(rng)

	buf := make([]byte, 0, 256)
	msg := buf[1:40] // overlaps the output, but not at the in-place offset
	_, err := send.Encrypt(buf, msg)
	require.ErrorIs(t, err, ErrOverlap)

	frame, err := send.Encrypt(nil, make([]byte, 40))
	require.NoError(t, err)
	_, err = recv.DecryptHeader(frame[:HeaderSize])
	require.NoError(t, err)
	body := frame[HeaderSize:]
	_, err = recv.DecryptBody(body[:1], body)
	require.ErrorIs(t, err, ErrOverlap)
}

func TestDecryptHostile(t *testing.T) {
	rng := rand.New(rand.NewPCG(40, 41))
	msg := []byte("hostile input test")

	for _, tc := range []struct {
		name string
		run  func(recv *Cipher, frame []byte) error
		want error
	}{
		{"header bit flipped", func(c *Cipher, f []byte) error {
			f[0] ^= 1
			_, err := c.Decrypt(nil, f)
			return err
		}, ErrBadLengthMAC},
		{"header tag flipped", func(c *Cipher, f []byte) error {
			f[HeaderSize-1] ^= 1
			_, err := c.DecryptHeader(f[:HeaderSize])
			return err
		}, ErrBadLengthMAC},
		{"body bit flipped", func(c *Cipher, f []byte) error {
			f[HeaderSize+3] ^= 1
			_, err := c.Decrypt(nil, f)
			return err
		}, ErrBadBodyMAC},
		{"body tag flipped", func(c *Cipher, f []byte) error {
			f[len(f)-1] ^= 1
			_, err := c.Decrypt(nil, f)
			return err
		}, ErrBadBodyMAC},
		{"garbage header", func(c *Cipher, f []byte) error {
			fillRandom(rng, f[:HeaderSize])
			_, err := c.Decrypt(nil, f)
			return err
		}, ErrBadLengthMAC},
		{"max length garbage header", func(c *Cipher, f []byte) error {
			_, err := c.DecryptHeader(bytes.Repeat([]byte{0xff}, HeaderSize))
			return err
		}, ErrBadLengthMAC},
		{"short header", func(c *Cipher, f []byte) error {
			_, err := c.DecryptHeader(f[:HeaderSize-1])
			return err
		}, ErrFrameLength},
		{"empty frame", func(c *Cipher, f []byte) error {
			_, err := c.Decrypt(nil, nil)
			return err
		}, ErrFrameLength},
		{"truncated frame", func(c *Cipher, f []byte) error {
			_, err := c.Decrypt(nil, f[:len(f)-1])
			return err
		}, ErrFrameLength},
		{"frame with trailing byte", func(c *Cipher, f []byte) error {
			_, err := c.Decrypt(nil, append(f, 0))
			return err
		}, ErrFrameLength},
		{"short body", func(c *Cipher, f []byte) error {
			if _, err := c.DecryptHeader(f[:HeaderSize]); err != nil {
				return err
			}
			_, err := c.DecryptBody(nil, f[HeaderSize:len(f)-1])
			return err
		}, ErrFrameLength},
		{"body first", func(c *Cipher, f []byte) error {
			_, err := c.DecryptBody(nil, f[HeaderSize:])
			return err
		}, ErrUnexpectedPart},
		{"header twice", func(c *Cipher, f []byte) error {
			if _, err := c.DecryptHeader(f[:HeaderSize]); err != nil {
				return err
			}
			_, err := c.DecryptHeader(f[:HeaderSize])
			return err
		}, ErrUnexpectedPart},
		{"replayed frame", func(c *Cipher, f []byte) error {
			if _, err := c.Decrypt(nil, bytes.Clone(f)); err != nil {
				return err
			}
			_, err := c.Decrypt(nil, f)
			return err
		}, ErrBadLengthMAC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			send, recv := cipherPair(rng)
			frame, err := send.Encrypt(nil, msg)
			require.NoError(t, err)
			err = tc.run(recv, frame)
			require.ErrorIs(t, err, tc.want)

			// The receiving side stays failed; the sending side still works.
			good, err := send.Encrypt(nil, msg)
			require.NoError(t, err)
			_, err = recv.Decrypt(nil, good)
			require.ErrorIs(t, err, tc.want)
			_, err = recv.DecryptHeader(good[:HeaderSize])
			require.ErrorIs(t, err, tc.want)
			_, err = recv.DecryptBody(nil, good[HeaderSize:])
			require.ErrorIs(t, err, tc.want)
			_, _, err = NewDecoder(recv).Decode(good)
			require.ErrorIs(t, err, tc.want)
			_, err = recv.Encrypt(nil, msg)
			require.NoError(t, err)
		})
	}
}

func TestCipherNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	rng := rand.New(rand.NewPCG(42, 43))
	send, recv := cipherPair(rng)
	dec := NewDecoder(recv)
	msg := make([]byte, 1000)
	frame := make([]byte, 0, len(msg)+Overhead)
	// Warm up the decoder's buffer.
	frame, _ = send.Encrypt(frame[:0], msg)
	_, _, _ = dec.Decode(frame)
	allocs := testing.AllocsPerRun(400, func() {
		frame, _ = send.Encrypt(frame[:0], msg)
		_, _, _ = dec.Decode(frame[:7])
		_, _, _ = dec.Decode(frame[7:])
	})
	// One AEAD is created per key rotation (every 500 messages), which
	// averages to zero here.
	require.Zero(t, allocs)
}

// TestCipherSendWhileReceiving uses each Cipher's sending and receiving
// sides from different goroutines, as a connection's reader and writer do.
// Run with -race.
func TestCipherSendWhileReceiving(t *testing.T) {
	rng := rand.New(rand.NewPCG(44, 45))
	a, b := cipherPair(rng)
	const count = 1200
	abFrames, baFrames := make(chan []byte, count), make(chan []byte, count)
	errs := make(chan error, 4)
	send := func(c *Cipher, out chan<- []byte, tag byte) {
		for i := range count {
			f, err := c.Encrypt(nil, []byte{tag, byte(i), byte(i >> 8)})
			if err != nil {
				errs <- err
				return
			}
			out <- f
		}
		errs <- nil
	}
	recv := func(c *Cipher, in <-chan []byte, tag byte) {
		dec := NewDecoder(c)
		for i := range count {
			_, msg, err := dec.Decode(<-in)
			if err != nil {
				errs <- err
				return
			}
			if !bytes.Equal(msg, []byte{tag, byte(i), byte(i >> 8)}) {
				errs <- ErrBadBodyMAC
				return
			}
		}
		errs <- nil
	}
	go send(a, abFrames, 'a')
	go send(b, baFrames, 'b')
	go recv(b, abFrames, 'a')
	go recv(a, baFrames, 'b')
	for range 4 {
		require.NoError(t, <-errs)
	}
}
