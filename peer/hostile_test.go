package peer_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/peer/peertest"
	"github.com/lnkit/lnkit/wire"
)

// TestHostileHandshake feeds broken handshakes to an inbound connection:
// each must end in a disconnect with nothing left behind.
func TestHostileHandshake(t *testing.T) {
	n := newTestNode(t, 1, nil)
	good := func() []byte { // a valid act one to n
		t.Helper()
		r := &rawPeer{t: t, n: n, d: &peertest.Descriptor{}, key: testKey(t, 9)}
		pub, _ := n.id.PublicKey()
		hs, err := noise.NewInitiator(r.key, pub, mustPriv(t, 0x42))
		require.NoError(t, err)
		act1, err := hs.ActOne()
		require.NoError(t, err)
		return act1[:]
	}
	tests := []struct {
		name  string
		input []byte
	}{
		{"garbage", bytes.Repeat([]byte{0xab}, noise.ActOneSize)},
		{"zeros", make([]byte, noise.ActOneSize)},
		{"wrong version", func() []byte { b := good(); b[0] = 1; return b }()},
		{"bad key", func() []byte { b := good(); b[1] = 0x05; return b }()},
		{"bad mac", func() []byte { b := good(); b[len(b)-1] ^= 1; return b }()},
		{"http", append([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), make([]byte, 30)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &peertest.Descriptor{}
			require.NoError(t, n.m.NewInboundConnection(d, nil))
			_, err := n.m.ReadEvent(d, tc.input)
			require.ErrorIs(t, err, peer.ErrHandshake)
			require.Empty(t, d.Take(0), "nothing sent")
			requireGone(t, n, d)
			// Later events on the dead descriptor are harmless.
			_, err = n.m.ReadEvent(d, []byte{1})
			require.ErrorIs(t, err, peer.ErrUnknownDescriptor)
			require.ErrorIs(t, n.m.WriteBufferSpaceAvailable(d), peer.ErrUnknownDescriptor)
			n.m.SocketDisconnected(d)
		})
	}

	t.Run("truncated act then close", func(t *testing.T) {
		d := &peertest.Descriptor{}
		require.NoError(t, n.m.NewInboundConnection(d, nil))
		_, err := n.m.ReadEvent(d, good()[:20])
		require.NoError(t, err)
		n.m.SocketDisconnected(d)
		byDesc, _ := peer.ConnCount(n.m)
		require.Zero(t, byDesc)
	})
	t.Run("truncated act then timeout", func(t *testing.T) {
		d := &peertest.Descriptor{}
		require.NoError(t, n.m.NewInboundConnection(d, nil))
		_, err := n.m.ReadEvent(d, good()[:49])
		require.NoError(t, err)
		for range peer.DefaultHandshakeTimeoutTicks {
			n.m.TimerTick()
		}
		requireGone(t, n, d)
	})
	t.Run("silent", func(t *testing.T) {
		d := &peertest.Descriptor{}
		require.NoError(t, n.m.NewInboundConnection(d, nil))
		for range peer.DefaultHandshakeTimeoutTicks {
			n.m.TimerTick()
		}
		requireGone(t, n, d)
	})
	t.Run("bad act three", func(t *testing.T) {
		r := newRawPeerActs(t, n)
		_, err := n.m.ReadEvent(r.d, bytes.Repeat([]byte{0}, noise.ActThreeSize))
		require.ErrorIs(t, err, peer.ErrHandshake)
		requireGone(t, n, r.d)
	})
	t.Run("duplicate descriptor", func(t *testing.T) {
		d := &peertest.Descriptor{}
		require.NoError(t, n.m.NewInboundConnection(d, nil))
		require.ErrorIs(t, n.m.NewInboundConnection(d, nil), peer.ErrDuplicateDescriptor)
		n.m.SocketDisconnected(d)
	})
	t.Run("self", func(t *testing.T) {
		_, err := n.m.NewOutboundConnection(n.id, &peertest.Descriptor{}, nil)
		require.ErrorIs(t, err, peer.ErrSelfConnection)
		_, err = n.m.NewOutboundConnection(wire.NodeID{2}, &peertest.Descriptor{}, nil)
		require.ErrorIs(t, err, peer.ErrInvalidNodeID)
		byDesc, _ := peer.ConnCount(n.m)
		require.Zero(t, byDesc)
	})
}

// newRawPeerActs sends a valid act one and returns with act two received.
func newRawPeerActs(t *testing.T, n *testNode) *rawPeer {
	t.Helper()
	r := &rawPeer{t: t, n: n, d: &peertest.Descriptor{}, key: testKey(t, 0x77)}
	require.NoError(t, n.m.NewInboundConnection(r.d, nil))
	pub, _ := n.id.PublicKey()
	hs, err := noise.NewInitiator(r.key, pub, mustPriv(t, 0x43))
	require.NoError(t, err)
	act1, _ := hs.ActOne()
	_, err = n.m.ReadEvent(r.d, act1[:])
	require.NoError(t, err)
	require.Len(t, r.d.Take(0), noise.ActTwoSize)
	return r
}

// TestHostileTransport sends broken frames and protocol violations after
// the handshake.
func TestHostileTransport(t *testing.T) {
	tests := []struct {
		name    string
		init    bool // send a valid init first
		run     func(r *rawPeer) error
		want    error
		warning string // text of the warning (or, if fatal, the error) the peer must receive
		fatal   bool   // the peer must receive an error message, not a warning
	}{
		{name: "bad header mac", run: func(r *rawPeer) error {
			frame, _ := r.cipher.Encrypt(nil, []byte{0, 18, 0, 0, 0, 0})
			frame[3] ^= 1
			_, err := r.n.m.ReadEvent(r.d, frame)
			return err
		}, want: noise.ErrBadLengthMAC},
		{name: "bad body mac", init: true, run: func(r *rawPeer) error {
			frame, _ := r.cipher.Encrypt(nil, []byte{0, 18, 0, 0, 0, 0})
			frame[len(frame)-1] ^= 1
			_, err := r.n.m.ReadEvent(r.d, frame)
			return err
		}, want: noise.ErrBadBodyMAC},
		{name: "garbage after handshake", run: func(r *rawPeer) error {
			_, err := r.n.m.ReadEvent(r.d, bytes.Repeat([]byte{0xff}, 100))
			return err
		}, want: peer.ErrTransport},
		{name: "maximum length header, garbage body", init: true, run: func(r *rawPeer) error {
			frame, _ := r.cipher.Encrypt(nil, make([]byte, noise.MaxMessageSize))
			frame[noise.HeaderSize+100] ^= 1
			_, err := r.n.m.ReadEvent(r.d, frame)
			return err
		}, want: noise.ErrBadBodyMAC},
		{name: "message before init", run: func(r *rawPeer) error {
			return r.send(&wire.Ping{NumPongBytes: 1})
		}, want: peer.ErrNoInit},
		{name: "error before init", run: func(r *rawPeer) error {
			return r.send(&wire.Error{Data: []byte("go away")})
		}, want: peer.ErrNoInit},
		{name: "garbage before init", run: func(r *rawPeer) error {
			return r.sendRaw([]byte{0})
		}, want: peer.ErrNoInit},
		{name: "malformed init", run: func(r *rawPeer) error {
			return r.sendRaw([]byte{0, 16, 0, 5, 1})
		}, want: peer.ErrMalformedMessage},
		{name: "unknown required feature", run: func(r *rawPeer) error {
			return r.sendInit(func(i *wire.Init) { i.Features.Set(100) })
		}, want: wire.ErrUnknownRequiredFeature, fatal: true, warning: "unknown required features unknown(100)"},
		{name: "unknown required global feature", run: func(r *rawPeer) error {
			return r.sendInit(func(i *wire.Init) { i.GlobalFeatures.Set(10) })
		}, want: peer.ErrIncompatibleInit, fatal: true, warning: "gossip_queries_ex"},
		{name: "required feature we do not offer", run: func(r *rawPeer) error {
			return r.sendInit(func(i *wire.Init) { i.Features.Set(wire.DualFundRequired) })
		}, want: peer.ErrIncompatibleInit, fatal: true, warning: "option_dual_fund"},
		{name: "missing dependency", run: func(r *rawPeer) error {
			return r.sendInit(func(i *wire.Init) { i.Features = wire.NewFeatureVector(wire.BasicMPPOptional) })
		}, want: wire.ErrMissingFeatureDependency, fatal: true, warning: "requires payment_secret"},
		{name: "wrong chain", run: func(r *rawPeer) error {
			return r.sendInit(func(i *wire.Init) {
				i.Networks = wire.Some([]chainhash.Hash{*chaincfg.MainNetParams.GenesisHash})
			})
		}, want: peer.ErrNoCommonChain, fatal: true, warning: "no common chain"},
		{name: "empty networks", run: func(r *rawPeer) error {
			return r.sendInit(func(i *wire.Init) { i.Networks = wire.Some([]chainhash.Hash(nil)) })
		}, want: peer.ErrNoCommonChain, fatal: true, warning: "no common chain"},
		{name: "unknown even message", init: true, run: func(r *rawPeer) error {
			return r.sendRaw([]byte{0, 100, 1, 2, 3})
		}, want: wire.ErrUnknownMessage, warning: "cannot decode message"},
		{name: "truncated known message", init: true, run: func(r *rawPeer) error {
			return r.sendRaw([]byte{0, 18, 0})
		}, want: peer.ErrMalformedMessage, warning: "cannot decode message"},
		{name: "bad extension", init: true, run: func(r *rawPeer) error {
			return r.sendRaw([]byte{0, 18, 0, 0, 0, 0, 2, 0}) // even TLV type 2
		}, want: peer.ErrMalformedMessage, warning: "cannot decode message"},
		{name: "second init", init: true, run: func(r *rawPeer) error {
			return r.sendInit(nil)
		}, want: peer.ErrDuplicateInit, warning: "second init"},
		{name: "error for all channels", init: true, run: func(r *rawPeer) error {
			return r.send(&wire.Error{Data: []byte{0xff, 'x'}})
		}, want: peer.ErrRemoteError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newTestNode(t, 1, nil)
			var r *rawPeer
			if tc.init {
				r = connectRaw(t, n)
			} else {
				r = newRawPeer(t, n)
				msgs := r.recv()
				require.Len(t, msgs, 1, "our init")
			}
			err := tc.run(r)
			require.ErrorIs(t, err, tc.want)
			if tc.warning != "" {
				msgs := r.recv()
				require.Len(t, msgs, 1)
				// An incompatible init gets an error; a violation after
				// init a warning, which does not fail the channels.
				var id wire.ChannelID
				var text string
				switch m := msgs[0].(type) {
				case *wire.Error:
					require.True(t, tc.fatal, "error where a warning was expected")
					id, text = m.ChannelID, m.Text()
				case *wire.Warning:
					require.False(t, tc.fatal, "warning where an error was expected")
					id, text = m.ChannelID, m.Text()
				default:
					require.Fail(t, fmt.Sprintf("got %T, want an error or a warning", m))
				}
				require.True(t, id.IsAll())
				require.Contains(t, text, tc.warning)
			}
			requireGone(t, n, r.d)
			if tc.init {
				require.Len(t, n.ch.Events(), 2)
			} else {
				require.Empty(t, n.ch.Events())
			}
		})
	}
}

// TestTolerated lists what a peer may send without being disconnected.
func TestTolerated(t *testing.T) {
	n := newTestNode(t, 1, nil)
	r := newRawPeer(t, n)
	require.NoError(t, r.sendInit(func(i *wire.Init) {
		i.Features.Set(101)                        // unknown odd
		i.Features.Set(wire.GossipQueriesOptional) // known odd we do not offer
		i.Networks = wire.Some([]chainhash.Hash{*chaincfg.MainNetParams.GenesisHash, regtest})
		// A remote_addr of an unknown address type (kept raw by wire).
		i.ExtraTLVs = wire.TLVRecords{{Type: 3, Value: []byte{9, 9, 9}}, {Type: 7, Value: []byte{1}}}
	}))
	require.Len(t, n.m.Peers(), 1)
	require.NoError(t, r.sendRaw([]byte{0x03, 0xe9, 1, 2}))               // unknown odd type 1001
	require.NoError(t, r.sendRaw([]byte{0xff, 0xff}))                     // custom odd type, empty
	require.NoError(t, r.send(&wire.Warning{Data: []byte("meh")}))        // warning
	require.NoError(t, r.send(&wire.Error{ChannelID: wire.ChannelID{1}})) // one channel
	require.NoError(t, r.sendRaw([]byte{0, 18, 0, 0, 0, 0, 3, 0}))        // ping with odd TLV
	require.Len(t, n.m.Peers(), 1)
	require.Len(t, n.ch.Msgs(), 2)
	require.Len(t, n.cu.Msgs(), 1)
	// Split delivery: one byte at a time.
	frame, _ := r.cipher.Encrypt(nil, []byte{0, 18, 0, 4, 0, 0})
	for i := range frame {
		_, err := n.m.ReadEvent(r.d, frame[i:i+1])
		require.NoError(t, err)
	}
	msgs := r.recv()
	require.Equal(t, []wire.Message{&wire.Pong{IgnoredLen: 4}}, msgs[len(msgs)-1:])
}

// TestIncompatibleInitText checks the error names the package once.
func TestIncompatibleInitText(t *testing.T) {
	n := newTestNode(t, 1, nil)
	r := newRawPeer(t, n)
	err := r.sendInit(func(i *wire.Init) {
		i.Networks = wire.Some([]chainhash.Hash{*chaincfg.MainNetParams.GenesisHash})
	})
	require.ErrorIs(t, err, peer.ErrIncompatibleInit)
	require.ErrorIs(t, err, peer.ErrNoCommonChain)
	require.Equal(t, "peer: incompatible init: no common chain", err.Error())
}
