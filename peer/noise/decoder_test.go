package noise

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// stream encrypts msgs with send into one byte stream.
func stream(tb testing.TB, send *Cipher, msgs [][]byte) []byte {
	tb.Helper()
	var out []byte
	for _, m := range msgs {
		var err error
		out, err = send.Encrypt(out, m)
		require.NoError(tb, err)
	}
	return out
}

// decodeChunks feeds data to dec in chunks whose sizes come from next and
// returns copies of the decoded messages.
func decodeChunks(tb testing.TB, dec *Decoder, data []byte, next func() int) [][]byte {
	tb.Helper()
	var got [][]byte
	for len(data) > 0 {
		chunk := data[:min(next(), len(data))]
		data = data[len(chunk):]
		for len(chunk) > 0 {
			n, msg, err := dec.Decode(chunk)
			require.NoError(tb, err)
			require.Positive(tb, n)
			chunk = chunk[n:]
			if msg != nil {
				got = append(got, bytes.Clone(msg))
			}
		}
	}
	return got
}

func randomMessages(rng *rand.Rand, count int) [][]byte {
	msgs := make([][]byte, count)
	for i := range msgs {
		var n int
		switch rng.IntN(6) {
		case 0:
			n = 0
		case 1:
			n = MaxMessageSize - rng.IntN(3)
		case 2:
			n = rng.IntN(MaxMessageSize + 1)
		default:
			n = rng.IntN(300)
		}
		msgs[i] = make([]byte, n)
		fillRandom(rng, msgs[i])
	}
	return msgs
}

func TestDecoderRandomChunks(t *testing.T) {
	for seed := range uint64(8) {
		rng := rand.New(rand.NewPCG(50, seed))
		send, recv := cipherPair(rng)
		msgs := randomMessages(rng, 60)
		data := stream(t, send, msgs)
		maxChunk := []int{1, 7, 18, 19, 100, 4096, 70000, len(data)}[seed]
		dec := NewDecoder(recv)
		got := decodeChunks(t, dec, data, func() int { return 1 + rng.IntN(maxChunk) })
		require.Len(t, got, len(msgs))
		for i := range msgs {
			require.Equal(t, msgs[i], got[i], "message %d (seed %d)", i, seed)
		}
		require.Zero(t, dec.Buffered())
	}
}

func TestDecoderAcrossRotation(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 0))
	send, recv := cipherPair(rng)
	msgs := make([][]byte, 1203)
	for i := range msgs {
		msgs[i] = []byte{byte(i), byte(i >> 8)}
	}
	data := stream(t, send, msgs)
	got := decodeChunks(t, NewDecoder(recv), data, func() int { return 1 + rng.IntN(50) })
	require.Equal(t, msgs, got)
}

func TestDecoderByteAtATime(t *testing.T) {
	rng := rand.New(rand.NewPCG(52, 0))
	send, recv := cipherPair(rng)
	msgs := [][]byte{[]byte("a"), {}, []byte("hello"), bytes.Repeat([]byte{7}, 300)}
	data := stream(t, send, msgs)
	dec := NewDecoder(recv)
	var got [][]byte
	for i := range data {
		n, msg, err := dec.Decode(data[i : i+1])
		require.NoError(t, err)
		require.Equal(t, 1, n)
		if msg != nil {
			got = append(got, bytes.Clone(msg))
		} else {
			require.Positive(t, dec.Buffered())
		}
	}
	require.Equal(t, msgs, got)
}

func TestDecoderEmptyMessageIsNonNil(t *testing.T) {
	rng := rand.New(rand.NewPCG(53, 0))
	send, recv := cipherPair(rng)
	frame, err := send.Encrypt(nil, nil)
	require.NoError(t, err)
	n, msg, err := NewDecoder(recv).Decode(frame)
	require.NoError(t, err)
	require.Equal(t, Overhead, n)
	require.NotNil(t, msg)
	require.Empty(t, msg)
}

func TestDecoderStopsAtMessageBoundary(t *testing.T) {
	rng := rand.New(rand.NewPCG(54, 0))
	send, recv := cipherPair(rng)
	data := stream(t, send, [][]byte{[]byte("one"), []byte("two")})
	dec := NewDecoder(recv)
	n, msg, err := dec.Decode(data)
	require.NoError(t, err)
	require.Equal(t, 3+Overhead, n)
	require.Equal(t, []byte("one"), msg)
	n2, msg, err := dec.Decode(data[n:])
	require.NoError(t, err)
	require.Equal(t, len(data)-n, n2)
	require.Equal(t, []byte("two"), msg)

	n, msg, err = dec.Decode(nil)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Nil(t, msg)
}

func TestDecoderCorruption(t *testing.T) {
	rng := rand.New(rand.NewPCG(55, 0))
	for i := range 40 {
		send, recv := cipherPair(rng)
		msgs := randomMessages(rng, 5)
		data := stream(t, send, msgs)
		pos := rng.IntN(len(data))
		data[pos] ^= byte(1 + rng.IntN(255))

		dec := NewDecoder(recv)
		var err error
		decoded := 0
		for rest := data; len(rest) > 0 && err == nil; {
			var n int
			var msg []byte
			n, msg, err = dec.Decode(rest[:min(len(rest), 1+rng.IntN(5000))])
			rest = rest[n:]
			if msg != nil {
				decoded++
			}
		}
		require.Error(t, err, "case %d: corruption at %d not detected", i, pos)
		require.True(t, errorIsOneOf(err, ErrBadLengthMAC, ErrBadBodyMAC), "case %d: %v", i, err)
		require.Less(t, decoded, len(msgs))
		_, _, err2 := dec.Decode(data)
		require.Equal(t, err, err2, "errors are permanent")
	}
}

func TestDecoderGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(56, 0))
	for range 100 {
		_, recv := cipherPair(rng)
		garbage := make([]byte, 1+rng.IntN(200))
		fillRandom(rng, garbage)
		dec := NewDecoder(recv)
		n, msg, err := dec.Decode(garbage)
		require.Nil(t, msg)
		if len(garbage) < HeaderSize {
			require.NoError(t, err)
			require.Equal(t, len(garbage), n)
			continue
		}
		require.ErrorIs(t, err, ErrBadLengthMAC)
	}
}

func errorIsOneOf(err error, targets ...error) bool {
	for _, t := range targets {
		if err == t {
			return true
		}
	}
	return false
}
