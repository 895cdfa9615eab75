package peer_test

import (
	"encoding/binary"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/peer/peertest"
	"github.com/lnkit/lnkit/wire"
)

// checkInvariants verifies that a connection the peer.Manager closed left no
// state behind, and that one it kept is consistent.
func checkInvariants(t *testing.T, n *testNode, d *peertest.Descriptor, err error) {
	t.Helper()
	byDesc, byID := peer.ConnCount(n.m)
	if err != nil || d.Disconnected() {
		require.Equal(t, 0, byDesc, "closed connection left state: %d %d (%v)", byDesc, byID, err)
		require.Equal(t, 0, byID, "closed connection left state: %d %d (%v)", byDesc, byID, err)
		require.Empty(t, n.m.Peers(), "closed connection left state: %d %d (%v)", byDesc, byID, err)
		for _, r := range []*recorder{n.ch, n.rt, n.cu} {
			r.mu.Lock()
			left := len(r.connected)
			r.mu.Unlock()
			require.Equal(t, 0, left, "%s handler still thinks the peer is connected", r.name)
		}
		return
	}
	require.Equal(t, 1, byDesc, "open connection not tracked")
}

// FuzzInboundBytes feeds arbitrary bytes, in arbitrary chunks, to an inbound
// connection before any handshake.
func FuzzInboundBytes(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add(make([]byte, 50), uint8(7))
	f.Add(make([]byte, 200), uint8(50))
	f.Add([]byte("GET / HTTP/1.0\r\n\r\n"), uint8(3))
	// A whole valid session: the peer.Manager's entropy is deterministic, so
	// these bytes complete the handshake on every fresh node.
	f.Add(validSession(f), uint8(255))
	f.Add(validSession(f), uint8(13))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		n := newTestNode(t, 1, nil)
		d := &peertest.Descriptor{}
		require.NoError(t, n.m.NewInboundConnection(d, nil))
		step := int(chunk) + 1
		var err error
		for len(data) > 0 && err == nil {
			k := min(step, len(data))
			_, err = n.m.ReadEvent(d, data[:k])
			data = data[k:]
		}
		checkInvariants(t, n, d, err)
		n.m.TimerTick()
		n.m.SocketDisconnected(d)
		checkInvariants(t, n, d, peer.ErrSocketClosed)
	})
}

// FuzzTransportMessages completes a handshake, then sends the fuzz input as
// a sequence of plaintext messages (each prefixed by a 2-byte length in the
// input). If the first byte is odd a valid init goes first.
func FuzzTransportMessages(f *testing.F) {
	add := func(withInit bool, msgs ...wire.Message) {
		f.Helper()

		var b []byte
		if withInit {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		for _, m := range msgs {
			enc, err := wire.Encode(nil, m)
			require.NoError(f, err)
			b = binary.BigEndian.AppendUint16(b, uint16(len(enc)))
			b = append(b, enc...)
		}
		f.Add(b)
	}
	add(false, &wire.Init{Features: peer.DefaultFeatures(), Networks: wire.Some([]chainhash.Hash{regtest})})
	add(false, &wire.Init{Features: wire.NewFeatureVector(100)})
	add(false, &wire.Ping{NumPongBytes: 3})
	add(true, &wire.Ping{NumPongBytes: 3}, &wire.Pong{IgnoredLen: 0})
	add(true, &wire.Error{Data: []byte("x")})
	add(true, &wire.Error{ChannelID: wire.ChannelID{1}}, &wire.Warning{})
	add(true, &wire.Custom{MsgType: 32768}, &wire.Custom{MsgType: 32769})
	add(true, &wire.Unknown{MsgType: 777}, &wire.GossipTimestampFilter{})
	add(true, &wire.UpdateFee{}, &wire.Init{})
	f.Add([]byte{1, 0, 2, 0, 100})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		n := newTestNode(t, 1, nil)
		r := newRawPeer(t, n)
		var err error
		if data[0]&1 == 1 {
			err = r.sendInit(nil)
		}
		data = data[1:]
		for len(data) >= 2 && err == nil {
			l := int(binary.BigEndian.Uint16(data))
			data = data[2:]
			l = min(l, len(data))
			err = r.sendRaw(data[:l])
			data = data[l:]
		}
		checkInvariants(t, n, r.d, err)
		for range 10 {
			n.m.TimerTick()
			n.m.ProcessEvents()
		}
		checkInvariants(t, n, r.d, nil)
		n.m.DisconnectAll()
		checkInvariants(t, n, r.d, peer.ErrDisconnectRequested)
	})
}

// validSession returns the bytes a peer sends to a fresh test node (seed
// 1) for a handshake, an init and a ping.
func validSession(f *testing.F) []byte {
	f.Helper()
	return validSessionT(f)
}

// validSessionT is validSession for any testing.TB.
func validSessionT(f testing.TB) []byte {
	f.Helper()
	n := newTestNode(f, 1, nil)
	d := &peertest.Descriptor{}
	require.NoError(f, n.m.NewInboundConnection(d, nil))
	pub, _ := n.id.PublicKey()
	hs, err := noise.NewInitiator(testKey(f, 0x77), pub, mustPriv(f, 0x44))
	require.NoError(f, err)
	act1, _ := hs.ActOne()
	_, err = n.m.ReadEvent(d, act1[:])
	require.NoError(f, err)
	act3, err := hs.ProcessActTwo(d.Take(noise.ActTwoSize))
	require.NoError(f, err)
	c, _ := hs.Cipher()
	out := append(act1[:], act3[:]...)
	for _, m := range []wire.Message{
		&wire.Init{Features: peer.DefaultFeatures(), Networks: wire.Some([]chainhash.Hash{regtest})},
		&wire.Ping{NumPongBytes: 4},
		&wire.UpdateFee{},
	} {
		enc, _ := wire.Encode(nil, m)
		out, _ = c.Encrypt(out, enc)
	}
	return out
}

// TestValidSessionSeed checks that the fuzz seed really gets past the
// handshake and init, so the fuzzer starts from deep states.
func TestValidSessionSeed(t *testing.T) {
	n := newTestNode(t, 1, nil)
	d := &peertest.Descriptor{}
	require.NoError(t, n.m.NewInboundConnection(d, nil))
	_, err := n.m.ReadEvent(d, validSessionT(t))
	require.NoError(t, err)
	require.Len(t, n.m.Peers(), 1, "seed session did not connect: %d peers, %d messages", len(n.m.Peers()), len(n.ch.Msgs()))
	require.Len(t, n.ch.Msgs(), 1, "seed session did not connect: %d peers, %d messages", len(n.m.Peers()), len(n.ch.Msgs()))
}
