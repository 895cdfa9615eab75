package noise

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/lnkit/lnkit/internal/vectors"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"
)

// handshakeVector is one initiator or responder case of BOLT 8 appendix A.
type handshakeVector struct {
	Name           string  `json:"name"`
	Role           string  `json:"role"`
	RSPub          string  `json:"rs_pub"`
	LSPriv         string  `json:"ls_priv"`
	LSPub          string  `json:"ls_pub"`
	EPriv          string  `json:"e_priv"`
	EPub           string  `json:"e_pub"`
	ActOneInput    string  `json:"act_one_input"`
	ActOneOutput   string  `json:"act_one_output"`
	ActTwoInput    string  `json:"act_two_input"`
	ActTwoOutput   string  `json:"act_two_output"`
	ActThreeInput  string  `json:"act_three_input"`
	ActThreeOutput string  `json:"act_three_output"`
	SK             string  `json:"sk"`
	RK             string  `json:"rk"`
	ExpectedError  *string `json:"expected_error"`
	ErrorAct       string  `json:"error_act"`
}

// messageVectors is the message encryption test of BOLT 8 appendix A.
type messageVectors struct {
	CK        string `json:"ck"`
	SK        string `json:"sk"`
	RK        string `json:"rk"`
	Plaintext string `json:"plaintext"`
	Outputs   []struct {
		MessageIndex int    `json:"message_index"`
		Ciphertext   string `json:"ciphertext"`
	} `json:"outputs"`
	KeyRotations []struct {
		CKIn  string `json:"ck_in"`
		KIn   string `json:"k_in"`
		CKOut string `json:"ck_out"`
		KOut  string `json:"k_out"`
	} `json:"key_rotations"`
}

type transportVectors struct {
	Initiator         []handshakeVector `json:"initiator"`
	Responder         []handshakeVector `json:"responder"`
	MessageEncryption messageVectors    `json:"message_encryption"`
}

// loadVectors reads bolt08-transport.json from the shared vectors directory
// next to the repository root. A missing file fails the test.
func loadVectors(tb testing.TB) *transportVectors {
	tb.Helper()
	raw := vectors.Read(tb, "bolt08-transport.json")
	var v transportVectors
	require.NoError(tb, json.Unmarshal(raw, &v))
	require.Len(tb, v.Initiator, 5)
	require.Len(tb, v.Responder, 10)
	require.Len(tb, v.MessageEncryption.Outputs, 6)
	return &v
}

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(tb, err)
	return b
}

func unhex32(tb testing.TB, s string) *[32]byte {
	tb.Helper()
	b := unhex(tb, s)
	require.Len(tb, b, 32)
	return (*[32]byte)(b)
}

func privKey(tb testing.TB, s string) *btcec.PrivateKey {
	tb.Helper()
	k, _ := btcec.PrivKeyFromBytes(unhex(tb, s))
	return k
}

func localKey(tb testing.TB, s string) *LocalKey {
	tb.Helper()
	k, err := NewLocalKey(privKey(tb, s))
	require.NoError(tb, err)
	return k
}

// checkActError asserts that err is the *ActError the vector expects, e.g.
// "ACT2_BAD_VERSION 1".
func checkActError(t *testing.T, v handshakeVector, err error) {
	t.Helper()
	require.Error(t, err)
	var actErr *ActError
	require.ErrorAs(t, err, &actErr)
	want := strings.Fields(*v.ExpectedError)
	require.Equal(t, want[0], actErr.Code())
	switch v.ErrorAct {
	case "act_one":
		require.Equal(t, 1, actErr.Act)
	case "act_two":
		require.Equal(t, 2, actErr.Act)
	case "act_three":
		require.Equal(t, 3, actErr.Act)
	default:
		require.Fail(t, fmt.Sprintf("unknown error_act %q", v.ErrorAct))
	}
	if len(want) > 1 {
		version, perr := strconv.Atoi(want[1])
		require.NoError(t, perr)
		require.ErrorIs(t, err, ErrBadVersion)
		require.Equal(t, byte(version), actErr.Version)
		require.True(t, strings.HasSuffix(err.Error(), " "+want[1]), err.Error())
	}
	require.True(t, strings.HasPrefix(err.Error(), "noise: act "), err.Error())
}

func TestInitiatorVectors(t *testing.T) {
	vecs := loadVectors(t)
	for _, v := range vecs.Initiator {
		t.Run(v.Name, func(t *testing.T) {
			ls := localKey(t, v.LSPriv)
			require.Equal(t, v.LSPub, ls.NodeID().String())
			rs, err := btcec.ParsePubKey(unhex(t, v.RSPub))
			require.NoError(t, err)
			e := privKey(t, v.EPriv)
			require.Equal(t, v.EPub, hex.EncodeToString(e.PubKey().SerializeCompressed()))

			hs, err := NewInitiator(ls, rs, e)
			require.NoError(t, err)
			act1, err := hs.ActOne()
			require.NoError(t, err)
			require.Equal(t, v.ActOneOutput, hex.EncodeToString(act1[:]))

			act3, err := hs.ProcessActTwo(unhex(t, v.ActTwoInput))
			if v.ExpectedError != nil {
				checkActError(t, v, err)
				_, err = hs.Cipher()
				require.ErrorIs(t, err, ErrHandshakeFailed)
				return
			}
			require.NoError(t, err)
			require.Equal(t, v.ActThreeOutput, hex.EncodeToString(act3[:]))
			c, err := hs.Cipher()
			require.NoError(t, err)
			require.Equal(t, v.SK, hex.EncodeToString(c.send.k[:]))
			require.Equal(t, v.RK, hex.EncodeToString(c.recv.k[:]))
			require.Equal(t, vecs.MessageEncryption.CK, hex.EncodeToString(c.send.ck[:]))
			require.Equal(t, vecs.MessageEncryption.CK, hex.EncodeToString(c.recv.ck[:]))
		})
	}
}

func TestResponderVectors(t *testing.T) {
	vecs := loadVectors(t)
	initiatorID := vecs.Initiator[0].LSPub
	for _, v := range vecs.Responder {
		t.Run(v.Name, func(t *testing.T) {
			ls := localKey(t, v.LSPriv)
			require.Equal(t, v.LSPub, ls.NodeID().String())
			e := privKey(t, v.EPriv)
			require.Equal(t, v.EPub, hex.EncodeToString(e.PubKey().SerializeCompressed()))

			hs, err := NewResponder(ls, e)
			require.NoError(t, err)
			act2, err := hs.ProcessActOne(unhex(t, v.ActOneInput))
			if v.ExpectedError != nil && v.ErrorAct == "act_one" {
				checkActError(t, v, err)
				_, err = hs.ProcessActThree(make([]byte, ActThreeSize))
				require.ErrorIs(t, err, ErrHandshakeFailed)
				return
			}
			require.NoError(t, err)
			require.Equal(t, v.ActTwoOutput, hex.EncodeToString(act2[:]))

			remote, err := hs.ProcessActThree(unhex(t, v.ActThreeInput))
			if v.ExpectedError != nil {
				checkActError(t, v, err)
				_, ok := hs.RemoteNodeID()
				require.False(t, ok)
				require.Nil(t, hs.RemoteStatic())
				_, err = hs.Cipher()
				require.ErrorIs(t, err, ErrHandshakeFailed)
				return
			}
			require.NoError(t, err)
			require.Equal(t, initiatorID, remote.String())
			id, ok := hs.RemoteNodeID()
			require.True(t, ok)
			require.Equal(t, remote, id)
			require.Equal(t, initiatorID, hex.EncodeToString(hs.RemoteStatic().SerializeCompressed()))
			c, err := hs.Cipher()
			require.NoError(t, err)
			require.Equal(t, v.SK, hex.EncodeToString(c.send.k[:]))
			require.Equal(t, v.RK, hex.EncodeToString(c.recv.k[:]))
			require.Equal(t, vecs.MessageEncryption.CK, hex.EncodeToString(c.send.ck[:]))
		})
	}
}

func TestMessageVectors(t *testing.T) {
	m := loadVectors(t).MessageEncryption
	ck, sk, rk := unhex32(t, m.CK), unhex32(t, m.SK), unhex32(t, m.RK)
	plaintext := unhex(t, m.Plaintext)
	want := make(map[int]string, len(m.Outputs))
	last := 0
	for _, o := range m.Outputs {
		want[o.MessageIndex] = o.Ciphertext
		last = max(last, o.MessageIndex)
	}

	sender := newCipher(ck, sk, rk)
	receiver := newCipher(ck, rk, sk) // the responder: receives with the initiator's sk
	streamReceiver := newCipher(ck, rk, sk)
	dec := NewDecoder(streamReceiver)
	var frame, plain []byte
	checked := 0
	for i := 0; i <= last; i++ {
		var err error
		frame, err = sender.Encrypt(frame[:0], plaintext)
		require.NoError(t, err)
		if w, ok := want[i]; ok {
			require.Equal(t, w, hex.EncodeToString(frame), "message %d", i)
			checked++
		}
		plain, err = receiver.Decrypt(plain[:0], frame)
		require.NoError(t, err, "message %d", i)
		require.Equal(t, plaintext, plain)

		n, msg, err := dec.Decode(frame)
		require.NoError(t, err)
		require.Equal(t, len(frame), n)
		require.Equal(t, plaintext, msg)
	}
	require.Equal(t, len(m.Outputs), checked)
}

func TestKeyRotationVectors(t *testing.T) {
	m := loadVectors(t).MessageEncryption
	require.Len(t, m.KeyRotations, 2)
	for i, r := range m.KeyRotations {
		ck, k := hkdf(unhex32(t, r.CKIn), unhex(t, r.KIn))
		require.Equal(t, r.CKOut, hex.EncodeToString(ck[:]), "rotation %d", i)
		require.Equal(t, r.KOut, hex.EncodeToString(k[:]), "rotation %d", i)
	}

	// The sender's state after 500 and 1000 messages matches the rotations.
	c := newCipher(unhex32(t, m.CK), unhex32(t, m.SK), unhex32(t, m.RK))
	var frame []byte
	for i := range 1000 {
		var err error
		frame, err = c.Encrypt(frame[:0], nil)
		require.NoError(t, err)
		switch i {
		case 499:
			require.Equal(t, m.KeyRotations[0].KOut, hex.EncodeToString(c.send.k[:]))
			require.Equal(t, m.KeyRotations[0].CKOut, hex.EncodeToString(c.send.ck[:]))
		case 999:
			require.Equal(t, m.KeyRotations[1].KOut, hex.EncodeToString(c.send.k[:]))
			require.Equal(t, m.KeyRotations[1].CKOut, hex.EncodeToString(c.send.ck[:]))
		}
	}
}
