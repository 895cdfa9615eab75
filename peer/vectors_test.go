package peer_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/peer/peertest"
	"github.com/lnkit/lnkit/wire"
)

// vectorPath returns the path of a shared test vector file.
func vectorPath(t testing.TB, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "vectors", name)
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "go.mod not found")
		dir = parent
	}
}

type bolt8Case struct {
	Name           string  `json:"name"`
	Role           string  `json:"role"`
	RSPub          string  `json:"rs_pub"`
	LSPriv         string  `json:"ls_priv"`
	LSPub          string  `json:"ls_pub"`
	EPriv          string  `json:"e_priv"`
	ActOneInput    string  `json:"act_one_input"`
	ActOneOutput   string  `json:"act_one_output"`
	ActTwoInput    string  `json:"act_two_input"`
	ActTwoOutput   string  `json:"act_two_output"`
	ActThreeInput  string  `json:"act_three_input"`
	ActThreeOutput string  `json:"act_three_output"`
	ExpectedError  *string `json:"expected_error"`
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

// vectorNode returns a peer.Manager whose node key and first ephemeral key are
// the vector's.
func vectorNode(t *testing.T, c bolt8Case) (*testNode, *recorder) {
	t.Helper()
	priv, _ := btcec.PrivKeyFromBytes(unhex(t, c.LSPriv))
	key, err := noise.NewLocalKey(priv)
	require.NoError(t, err)
	require.Equal(t, c.LSPub, key.NodeID().String())
	n := newTestNode(t, 1, func(cfg *peer.Config) {
		cfg.NodeKey = key
		cfg.Entropy = &fixedEntropy{vals: [][32]byte{[32]byte(unhex(t, c.EPriv))}}
	})
	n.key, n.id = key, key.NodeID()
	return n, n.ch
}

// checkVectorError checks a failed step against the vector's error code,
// e.g. "ACT2_BAD_VERSION 1".
//
// A short read is not an error on a stream: the peer.Manager waits for the rest
// of the act, sending nothing, until the handshake timeout closes the
// connection.
func checkVectorError(t *testing.T, c bolt8Case, err error, d *peertest.Descriptor, n *testNode) {
	t.Helper()
	if strings.HasSuffix(strings.Fields(*c.ExpectedError)[0], "_READ_FAILED") {
		require.NoError(t, err)
		require.Empty(t, d.Take(0))
		for i := 0; i < peer.DefaultHandshakeTimeoutTicks-1; i++ {
			n.m.TimerTick()
			require.False(t, d.Disconnected())
		}
		n.m.TimerTick()
		requireGone(t, n, d)
		return
	}
	require.ErrorIs(t, err, peer.ErrHandshake)
	var ae *noise.ActError
	require.True(t, errors.As(err, &ae), "%v", err)
	require.Equal(t, strings.Fields(*c.ExpectedError)[0], ae.Code())
	requireGone(t, n, d)
}

// TestBOLT8VectorsThroughManager runs the handshake vectors of BOLT 8
// appendix A through a Manager: its node key and ephemeral key are the
// vector's, acts go in through ReadEvent and out through SendData.
func TestBOLT8VectorsThroughManager(t *testing.T) {
	raw, err := os.ReadFile(vectorPath(t, "bolt08-transport.json"))
	require.NoError(t, err)
	var file struct {
		Initiator []bolt8Case `json:"initiator"`
		Responder []bolt8Case `json:"responder"`
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	require.Len(t, file.Initiator, 5)
	require.Len(t, file.Responder, 10)

	for _, c := range file.Initiator {
		t.Run(c.Name, func(t *testing.T) {
			n, _ := vectorNode(t, c)
			rs, err := wire.ParseNodeID(c.RSPub)
			require.NoError(t, err)
			d := &peertest.Descriptor{}
			act1, err := n.m.NewOutboundConnection(rs, d, nil)
			require.NoError(t, err)
			require.Equal(t, c.ActOneOutput, hex.EncodeToString(act1))
			_, err = n.m.ReadEvent(d, unhex(t, c.ActTwoInput))
			if c.ExpectedError != nil {
				checkVectorError(t, c, err, d, n)
				return
			}
			require.NoError(t, err)
			out := d.Take(0)
			require.Greater(t, len(out), noise.ActThreeSize, "act three and init")
			require.Equal(t, c.ActThreeOutput, hex.EncodeToString(out[:noise.ActThreeSize]))
		})
	}

	// The responder side of the successful handshake doubles as the
	// initiator that checks the responder vectors' init frame.
	var ok bolt8Case
	for _, c := range file.Initiator {
		if c.ExpectedError == nil {
			ok = c
		}
	}
	for _, c := range file.Responder {
		t.Run(c.Name, func(t *testing.T) {
			n, _ := vectorNode(t, c)
			d := &peertest.Descriptor{}
			require.NoError(t, n.m.NewInboundConnection(d, nil))
			_, err := n.m.ReadEvent(d, unhex(t, c.ActOneInput))
			if c.ExpectedError != nil && strings.HasPrefix(*c.ExpectedError, "ACT1") {
				checkVectorError(t, c, err, d, n)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.ActTwoOutput, hex.EncodeToString(d.Take(0)))
			_, err = n.m.ReadEvent(d, unhex(t, c.ActThreeInput))
			if c.ExpectedError != nil {
				checkVectorError(t, c, err, d, n)
				return
			}
			require.NoError(t, err)

			// Replay the vector's initiator to read the init the peer.Manager sent.
			priv, _ := btcec.PrivKeyFromBytes(unhex(t, ok.LSPriv))
			key, err := noise.NewLocalKey(priv)
			require.NoError(t, err)
			rs, err := wire.ParseNodeID(ok.RSPub)
			require.NoError(t, err)
			pub, err := rs.PublicKey()
			require.NoError(t, err)
			eph, _ := btcec.PrivKeyFromBytes(unhex(t, ok.EPriv))
			hs, err := noise.NewInitiator(key, pub, eph)
			require.NoError(t, err)
			_, err = hs.ActOne()
			require.NoError(t, err)
			_, err = hs.ProcessActTwo(unhex(t, c.ActTwoOutput))
			require.NoError(t, err)
			cipher, err := hs.Cipher()
			require.NoError(t, err)
			plain, err := cipher.Decrypt(nil, d.Take(0))
			require.NoError(t, err)
			msg, err := wire.Decode(plain)
			require.NoError(t, err)
			init, isInit := msg.(*wire.Init)
			require.True(t, isInit)
			require.Equal(t, peer.DefaultFeatures().Bytes(), init.Features.Bytes())
		})
	}
}
