package noise

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// FuzzResponder feeds arbitrary act one and act three bytes to a responder
// holding the BOLT 8 test keys. Seeds are the spec's responder cases.
func FuzzResponder(f *testing.F) {
	vecs := loadVectors(f)
	for _, v := range vecs.Responder {
		f.Add(unhex(f, v.ActOneInput), unhex(f, v.ActThreeInput))
	}
	ls := localKey(f, vecs.Responder[0].LSPriv)
	e := privKey(f, vecs.Responder[0].EPriv)

	f.Fuzz(func(t *testing.T, act1, act3 []byte) {
		hs, err := NewResponder(ls, e)
		require.NoError(t, err)
		if _, err := hs.ProcessActOne(act1); err != nil {
			checkFuzzActError(t, err, 1)
			return
		}
		require.Len(t, act1, ActOneSize, "accepted a malformed act one %x", act1)
		require.Equal(t, Version, act1[0], "accepted a malformed act one %x", act1)
		remote, err := hs.ProcessActThree(act3)
		if err != nil {
			checkFuzzActError(t, err, 3)
			_, err = hs.Cipher()
			require.ErrorIs(t, err, ErrHandshakeFailed, "cipher after failed handshake: %v", err)
			return
		}
		require.Len(t, act3, ActThreeSize, "accepted a malformed act three %x", act3)
		require.Equal(t, Version, act3[0], "accepted a malformed act three %x", act3)
		require.True(t, wire.Point(remote).IsValid(), "accepted an invalid remote key %x", remote)
		_, err = hs.Cipher()
		require.NoError(t, err)
	})
}

// FuzzInitiator feeds arbitrary act two bytes to an initiator holding the
// BOLT 8 test keys. Seeds are the spec's initiator cases.
func FuzzInitiator(f *testing.F) {
	vecs := loadVectors(f)
	for _, v := range vecs.Initiator {
		f.Add(unhex(f, v.ActTwoInput))
	}
	v := vecs.Initiator[0]
	ls := localKey(f, v.LSPriv)
	rs, err := btcec.ParsePubKey(unhex(f, v.RSPub))
	require.NoError(f, err)
	e := privKey(f, v.EPriv)

	f.Fuzz(func(t *testing.T, act2 []byte) {
		hs, err := NewInitiator(ls, rs, e)
		require.NoError(t, err)
		_, err = hs.ActOne()
		require.NoError(t, err)
		if _, err := hs.ProcessActTwo(act2); err != nil {
			checkFuzzActError(t, err, 2)
			return
		}
		require.Len(t, act2, ActTwoSize, "accepted a malformed act two %x", act2)
		require.Equal(t, Version, act2[0], "accepted a malformed act two %x", act2)
	})
}

func checkFuzzActError(t *testing.T, err error, act int) {
	t.Helper()
	var actErr *ActError
	require.ErrorAs(t, err, &actErr, "act %d: want *ActError, got %T %v", act, err, err)
	require.Equal(t, act, actErr.Act, "act %d: want *ActError, got %T %v", act, err, err)
	for _, target := range []error{ErrActLength, ErrBadVersion, ErrBadPubKey, ErrBadCiphertext, ErrBadTag} {
		if errors.Is(err, target) {
			return
		}
	}
	require.Failf(t, "unexpected cause", "act %d: %v", act, err)
}

// transportSeeds returns frames from the message vectors: single frames,
// the first two frames as a stream, and corrupted copies.
func transportSeeds(f *testing.F) [][]byte {
	f.Helper()
	m := loadVectors(f).MessageEncryption
	first := unhex(f, m.Outputs[0].Ciphertext)
	second := unhex(f, m.Outputs[1].Ciphertext)
	seeds := [][]byte{first, append(bytes.Clone(first), second...), first[:HeaderSize], first[:HeaderSize+3], {}}
	for _, o := range m.Outputs {
		seeds = append(seeds, unhex(f, o.Ciphertext))
	}
	flipped := bytes.Clone(first)
	flipped[HeaderSize] ^= 1
	return append(seeds, flipped)
}

// vectorKeys are the keys of the message vectors.
type vectorKeys struct{ ck, sk, rk *[32]byte }

func loadVectorKeys(tb testing.TB) vectorKeys {
	tb.Helper()

	m := loadVectors(tb).MessageEncryption
	return vectorKeys{unhex32(tb, m.CK), unhex32(tb, m.SK), unhex32(tb, m.RK)}
}

// sender returns the initiator's cipher of the message vectors.
func (k vectorKeys) sender() *Cipher { return newCipher(k.ck, k.sk, k.rk) }

// receiver returns the responder's cipher: the initiator's frames decrypt
// with it from nonce 0.
func (k vectorKeys) receiver() *Cipher { return newCipher(k.ck, k.rk, k.sk) }

// FuzzDecrypt feeds an arbitrary frame to Decrypt and to DecryptHeader and
// DecryptBody.
func FuzzDecrypt(f *testing.F) {
	for _, s := range transportSeeds(f) {
		f.Add(s)
	}
	keys := loadVectorKeys(f)
	f.Fuzz(func(t *testing.T, frame []byte) {
		c := keys.receiver()
		msg, err := c.Decrypt(nil, frame)
		if err == nil {
			require.Len(t, frame, len(msg)+Overhead, "decrypted %d bytes from a %d-byte frame", len(msg), len(frame))
		}

		c = keys.receiver()
		n, err := c.DecryptHeader(frame[:min(len(frame), HeaderSize)])
		if err != nil {
			return
		}
		require.LessOrEqual(t, n, MaxMessageSize, "length %d", n)
		body := frame[min(len(frame), HeaderSize):]
		if _, err := c.DecryptBody(body[:0], body); err == nil {
			require.Len(t, body, n+MACSize, "accepted a %d-byte body for length %d", len(body), n)
		}
	})
}

// FuzzDecoder feeds an arbitrary stream to a Decoder in chunks of an
// arbitrary size.
func FuzzDecoder(f *testing.F) {
	for i, s := range transportSeeds(f) {
		f.Add(s, uint16(i*7))
	}
	keys := loadVectorKeys(f)
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		dec := NewDecoder(keys.receiver())
		size := 1 + int(chunk)
		for len(data) > 0 {
			in := data[:min(size, len(data))]
			data = data[len(in):]
			for len(in) > 0 {
				n, msg, err := dec.Decode(in)
				require.GreaterOrEqual(t, n, 0, "consumed %d of %d bytes", n, len(in))
				require.LessOrEqual(t, n, len(in), "consumed %d of %d bytes", n, len(in))
				if err != nil {
					_, _, err2 := dec.Decode(in)
					require.True(t, err2 == err, "error not permanent: %v then %v", err, err2)
					return
				}
				require.NotEqual(t, 0, n, "no progress on %d bytes", len(in))
				require.LessOrEqual(t, len(msg), MaxMessageSize, "message of %d bytes", len(msg))
				in = in[n:]
			}
		}
	})
}

// FuzzRoundTrip encrypts arbitrary messages and decodes them from chunks
// of arbitrary sizes.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), []byte{1, 2, 3})
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{0xaa}, 1000), []byte{17, 0, 255})
	keys := loadVectorKeys(f)
	f.Fuzz(func(t *testing.T, msg, splits []byte) {
		msg = msg[:min(len(msg), MaxMessageSize)]
		send := keys.sender()
		dec := NewDecoder(keys.receiver())
		var data []byte
		msgs := [][]byte{msg, msg[:len(msg)/2], msg}
		for _, mm := range msgs {
			var err error
			data, err = send.Encrypt(data, mm)
			require.NoError(t, err)
		}
		var got [][]byte
		for i := 0; len(data) > 0; i++ {
			size := len(data)
			if len(splits) > 0 {
				size = 1 + int(splits[i%len(splits)])
			}
			in := data[:min(size, len(data))]
			data = data[len(in):]
			for len(in) > 0 {
				n, out, err := dec.Decode(in)
				require.NoError(t, err)
				in = in[n:]
				if out != nil {
					got = append(got, bytes.Clone(out))
				}
			}
		}
		require.Len(t, got, len(msgs), "decoded %d messages, want %d", len(got), len(msgs))
		for i := range msgs {
			require.Equal(t, msgs[i], got[i], "message %d differs", i)
		}
	})
}
