package peer_test

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

func TestNewConfig(t *testing.T) {
	key := testKey(t, 1)
	e := &fixedEntropy{}
	tests := []struct {
		name  string
		cfg   peer.Config
		field string // "" = valid
		cause error  // a wire error also wrapped, if any
	}{
		{"defaults", peer.Config{NodeKey: key, Entropy: e}, "", nil},
		{"no key", peer.Config{Entropy: e}, "NodeKey", nil},
		{"no entropy", peer.Config{NodeKey: key}, "Entropy", nil},
		{"both bits", peer.Config{NodeKey: key, Entropy: e, Features: wire.NewFeatureVector(16, 17, 14)}, "Features", nil},
		{"missing dependency", peer.Config{NodeKey: key, Entropy: e, Features: wire.NewFeatureVector(wire.BasicMPPOptional)},
			"Features", wire.ErrMissingFeatureDependency},
		{"legacy dependency", peer.Config{NodeKey: key, Entropy: e, Features: wire.NewFeatureVector(wire.PaymentSecretOptional)},
			"Features", wire.ErrMissingFeatureDependency},
		{"not an init feature", peer.Config{NodeKey: key, Entropy: e, Features: wire.NewFeatureVector(wire.PaymentMetadataOptional)},
			"Features", nil},
		{"negative", peer.Config{NodeKey: key, Entropy: e, PingIntervalTicks: -1}, "PingIntervalTicks", nil},
		{"negative gossip", peer.Config{NodeKey: key, Entropy: e, MaxGossipBytes: -1}, "MaxGossipBytes", nil},
		{"tiny send buffer", peer.Config{NodeKey: key, Entropy: e, MaxSendBufferBytes: 1000}, "MaxSendBufferBytes", nil},
		{"lnd-like", peer.Config{NodeKey: key, Entropy: e, Features: func() wire.FeatureVector {
			f := peer.DefaultFeatures()
			for _, b := range []wire.FeatureBit{5, 7, 17, 23, 27, 35, 55} {
				f.Set(b)
			}
			return f
		}()}, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := peer.New(tc.cfg)
			if tc.field != "" {
				require.ErrorIs(t, err, peer.ErrInvalidConfig)
				var ce *peer.ConfigError
				require.ErrorAs(t, err, &ce)
				require.Equal(t, tc.field, ce.Field)
				require.True(t, strings.HasPrefix(err.Error(), "peer: invalid config: "+tc.field+": "), err.Error())
				require.NotContains(t, err.Error(), "wire:", "reads once")
				if tc.cause != nil {
					require.ErrorIs(t, err, tc.cause)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, key.NodeID(), m.NodeID())
		})
	}
}

func TestDefaultFeaturesCoverLnd(t *testing.T) {
	f := peer.DefaultFeatures()
	// lnd v0.20.0-beta requires these of its peers and sets them even.
	for _, b := range []wire.FeatureBit{0, 8, 12, 14} {
		require.True(t, f.RequiresFeature(b), "bit %d", b)
	}
	// An lnd-like init: required 0,8,12,14; optional 5,7,17,23,25,27,35,45,55 and experimental bits.
	lnd := wire.NewFeatureVector(0, 5, 7, 8, 12, 14, 17, 23, 25, 27, 31, 35, 45, 55, 261, 2023)
	m := newTestNode(t, 1, nil).m
	require.NoError(t, lnd.CheckRequired(peer.KnownFeatures(m)))
	require.NoError(t, lnd.CheckDependencies())
	require.NoError(t, f.CheckDependenciesStrict())
	require.NoError(t, f.CheckContext(wire.ContextInit))
}

func TestConnectInitExchange(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, func(c *peer.Config) {
		c.Features = peer.DefaultFeatures()
		c.Features.Set(wire.BasicMPPOptional)
		c.Features.Set(101) // unknown odd: ignored by a
	})
	connect(t, a, b)

	pa := a.m.Peers()
	require.Len(t, pa, 1)
	require.Equal(t, b.id, pa[0].NodeID)
	require.False(t, pa[0].Inbound)
	require.Equal(t, "192.0.2.2:9735", pa[0].Addr.String())
	require.True(t, pa[0].Features.IsSet(wire.BasicMPPOptional))
	require.True(t, pa[0].Features.IsSet(101))
	require.Equal(t, a.now, pa[0].ConnectedSince)
	require.Zero(t, pa[0].SendBufferBytes)

	pb := b.m.Peers()
	require.Len(t, pb, 1)
	require.Equal(t, a.id, pb[0].NodeID)
	require.True(t, pb[0].Inbound)
	require.Equal(t, peer.DefaultFeatures().Bytes(), pb[0].Features.Bytes())

	for _, r := range []*recorder{a.ch, a.rt, a.cu} {
		require.Equal(t, []string{"connected " + short(b.id) + " inbound=false"}, r.Events())
	}
	for _, r := range []*recorder{b.ch, b.rt, b.cu} {
		require.Equal(t, []string{"connected " + short(a.id) + " inbound=true"}, r.Events())
	}
	init := b.ch.inits[0]
	chains, ok := init.Networks.Get()
	require.True(t, ok)
	require.Equal(t, []chainhash.Hash{regtest}, chains)
	// 192.0.2.0/24 is not private, so both sides report the other's address.
	addr, ok := init.RemoteAddr.Get()
	require.True(t, ok)
	require.Equal(t, "192.0.2.2:9735", addr.String())
	addr, ok = a.ch.inits[0].RemoteAddr.Get()
	require.True(t, ok)
	require.Equal(t, "192.0.2.1:50000", addr.String())
	require.Empty(t, init.GlobalFeatures.Bytes())
}

func TestRemoteAddr(t *testing.T) {
	dns, err := wire.NewDNSAddress("node.example.com", 9735)
	require.NoError(t, err)
	tests := []struct {
		name string
		addr net.Addr
		want string // "" = not reported
	}{
		{"nil", nil, ""},
		{"nil tcp", (*net.TCPAddr)(nil), ""},
		{"ipv4", tcpAddr("8.8.8.8:9735"), "8.8.8.8:9735"},
		{"ipv4-mapped", tcpAddr("[::ffff:8.8.8.8]:9735"), "8.8.8.8:9735"},
		{"ipv6", tcpAddr("[2001:4860::1]:1"), "[2001:4860::1]:1"},
		{"loopback", tcpAddr("127.0.0.1:9735"), ""},
		{"private", tcpAddr("10.1.2.3:9735"), ""},
		{"private v6", tcpAddr("[fd00::1]:9735"), ""},
		{"link-local", tcpAddr("[fe80::1]:9735"), ""},
		{"port zero", tcpAddr("8.8.8.8:0"), ""},
		{"dns", dns, "node.example.com:9735"},
		{"dns pointer", &dns, "node.example.com:9735"},
		{"private wire ip", wire.NetAddress{Type: wire.AddressIPv4, Addr: []byte{192, 168, 1, 1}, Port: 1}, ""},
		{"torv2", wire.NetAddress{Type: wire.AddressTorV2, Addr: make([]byte, 10), Port: 1}, ""},
		{"other net.Addr", &net.UDPAddr{IP: net.IPv4(8, 8, 4, 4), Port: 53}, "8.8.4.4:53"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := peer.RemoteAddr(tc.addr)
			require.Equal(t, tc.want != "", ok)
			if ok {
				require.Equal(t, tc.want, got.String())
				_, err := (&wire.Init{RemoteAddr: wire.Some(got)}).Encode(nil)
				require.NoError(t, err, "what peer reports, wire encodes")
			}
		})
	}
}

func TestDisconnectSeenByBothAndReconnect(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	l := connect(t, a, b)

	require.True(t, a.m.DisconnectByNodeID(b.id))
	require.False(t, a.m.DisconnectByNodeID(b.id))
	require.True(t, l.DA.Disconnected())
	l.Pump()
	require.True(t, l.DB.Disconnected())
	for _, n := range []*testNode{a, b} {
		require.Empty(t, n.m.Peers())
		byDesc, byID := peer.ConnCount(n.m)
		require.Zero(t, byDesc+byID)
	}
	require.Equal(t, []string{"connected " + short(b.id) + " inbound=false", "disconnected " + short(b.id)}, a.ch.Events())
	require.Equal(t, []string{"connected " + short(a.id) + " inbound=true", "disconnected " + short(a.id)}, b.cu.Events())

	// Reconnect, the other way round this time.
	connect(t, b, a)
	require.Len(t, a.m.Peers(), 1)
	require.True(t, a.m.Peers()[0].Inbound)
	require.Len(t, b.ch.Events(), 3)

	a.m.DisconnectAll()
	require.Empty(t, a.m.Peers())
}

func TestSameDirectionReconnectReplacesOld(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	old := connect(t, a, b)
	fresh := connect(t, a, b)
	require.True(t, old.DA.Disconnected(), "a dropped the old connection")
	require.True(t, old.DB.Disconnected(), "b dropped the old connection")
	old.Pump() // old sockets close: no-ops now
	fresh.Pump()
	require.Len(t, a.m.Peers(), 1)
	require.Len(t, b.m.Peers(), 1)
	require.Equal(t, []string{
		"connected " + short(b.id) + " inbound=false",
		"disconnected " + short(b.id),
		"connected " + short(b.id) + " inbound=false",
	}, a.ch.Events())
	require.Equal(t, []string{
		"connected " + short(a.id) + " inbound=true",
		"disconnected " + short(a.id),
		"connected " + short(a.id) + " inbound=true",
	}, b.ch.Events())
	byDesc, _ := peer.ConnCount(a.m)
	require.Equal(t, 1, byDesc)
}

func TestSimultaneousDialKeepsOneConnection(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	ab := dial(t, a, b)
	ba := dial(t, b, a)
	ab.Pump()
	ba.Pump()
	ab.Pump()
	require.Len(t, a.m.Peers(), 1)
	require.Len(t, b.m.Peers(), 1)
	// Both sides kept the connection opened by the smaller node id.
	aSmaller := string(a.id[:]) < string(b.id[:])
	survivor, loser := ab, ba
	if !aSmaller {
		survivor, loser = ba, ab
	}
	require.False(t, survivor.DA.Disconnected())
	require.False(t, survivor.DB.Disconnected())
	loser.Pump()
	require.True(t, loser.DA.Disconnected() && loser.DB.Disconnected())
	require.Equal(t, !aSmaller, a.m.Peers()[0].Inbound)
	byDesc, _ := peer.ConnCount(a.m)
	require.Equal(t, 1, byDesc)
	byDesc, _ = peer.ConnCount(b.m)
	require.Equal(t, 1, byDesc)

	// Messages still flow.
	a.cu.Send(b.id, &wire.Custom{MsgType: 32769, Payload: []byte("hi")})
	a.m.ProcessEvents()
	survivor.Pump()
	require.Len(t, b.cu.Msgs(), 1)
}

func TestHandlerDispatch(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	l := connect(t, a, b)

	var cid wire.ChannelID
	cid[0] = 1
	a.ch.Send(b.id, &wire.UpdateFee{ChannelID: cid, FeeRate: 253})
	a.ch.Send(b.id, &wire.Stfu{ChannelID: cid})
	a.ch.Send(b.id, &wire.Warning{ChannelID: cid, Data: []byte("careful")})
	a.ch.Send(b.id, &wire.Error{ChannelID: cid, Data: []byte("this channel only")})
	a.ch.Send(b.id, &wire.AnnouncementSignatures{ChannelID: cid}) // BOLT 7's, but the channel's
	a.rt.Send(b.id, &wire.GossipTimestampFilter{ChainHash: regtest})
	a.cu.Send(b.id, &wire.Custom{MsgType: 40001, Payload: []byte{1, 2}})
	a.cu.Send(b.id, &wire.Unknown{MsgType: 1001, Payload: []byte{3}}) // unknown odd: ignored by b
	a.ch.Send(wire.NodeID{2}, &wire.UpdateFee{})                      // not connected: dropped
	l.Pump()

	chMsgs := b.ch.Msgs()
	require.Len(t, chMsgs, 5)
	require.IsType(t, &wire.UpdateFee{}, chMsgs[0])
	require.IsType(t, &wire.Stfu{}, chMsgs[1])
	require.IsType(t, &wire.Warning{}, chMsgs[2])
	require.IsType(t, &wire.Error{}, chMsgs[3])
	require.IsType(t, &wire.AnnouncementSignatures{}, chMsgs[4])
	require.Len(t, b.rt.Msgs(), 1)
	require.IsType(t, &wire.GossipTimestampFilter{}, b.rt.Msgs()[0])
	require.Len(t, b.cu.Msgs(), 1)
	require.Equal(t, []byte{1, 2}, b.cu.Msgs()[0].(*wire.Custom).Payload)
	require.Len(t, b.m.Peers(), 1, "a channel error does not disconnect")

	// An error for all channels is delivered, then the connection closes.
	a.ch.Queue(peer.Outbound{To: b.id, Msg: &wire.Error{Data: []byte("bye")}, Disconnect: true})
	l.Pump()
	require.Len(t, b.ch.Msgs(), 6)
	require.ErrorIs(t, l.ErrB, peer.ErrRemoteError)
	require.Empty(t, a.m.Peers())
	require.Empty(t, b.m.Peers())
}

func TestHandlerErrors(t *testing.T) {
	t.Run("PeerConnected fails", func(t *testing.T) {
		a := newTestNode(t, 1, nil)
		b := newTestNode(t, 2, nil)
		b.rt.connectErr = errors.New("no thanks")
		l := dial(t, a, b)
		l.Pump()
		require.ErrorIs(t, l.ErrB, peer.ErrHandler)
		require.Empty(t, b.m.Peers())
		// The channel handler accepted and so sees the disconnection; the
		// routing handler refused; the custom handler was never asked.
		require.Equal(t, []string{"connected " + short(a.id) + " inbound=true", "disconnected " + short(a.id)}, b.ch.Events())
		require.Equal(t, []string{"connect-failed " + short(a.id)}, b.rt.Events())
		require.Empty(t, b.cu.Events())
		require.Empty(t, a.m.Peers())
	})
	t.Run("Handle fails", func(t *testing.T) {
		a := newTestNode(t, 1, nil)
		b := newTestNode(t, 2, nil)
		l := connect(t, a, b)
		b.cu.handleErr = errors.New("boom")
		a.cu.Send(b.id, &wire.Custom{MsgType: 32771})
		l.Pump()
		require.ErrorIs(t, l.ErrB, peer.ErrHandler)
		require.Empty(t, b.m.Peers())
		require.Empty(t, a.m.Peers())
	})
	t.Run("unknown even custom", func(t *testing.T) {
		a := newTestNode(t, 1, nil)
		b := newTestNode(t, 2, func(c *peer.Config) { c.CustomHandler = peer.IgnoringMessageHandler{} })
		l := connect(t, a, b)
		a.cu.Send(b.id, &wire.Custom{MsgType: 32769}) // odd: ignored
		l.Pump()
		require.Len(t, b.m.Peers(), 1)
		a.cu.Send(b.id, &wire.Custom{MsgType: 32770}) // even: rejected with a warning
		l.Pump()
		require.ErrorIs(t, l.ErrB, wire.ErrUnknownMessage)
		require.Empty(t, b.m.Peers())
		msgs := a.ch.Msgs()
		require.Len(t, msgs, 1)
		require.Contains(t, msgs[0].(*wire.Warning).Text(), "unknown message type 32770")
	})
}

func TestOutboundToPeerInSetupDropped(t *testing.T) {
	a := newTestNode(t, 1, nil)
	b := newTestNode(t, 2, nil)
	l := dial(t, a, b)
	// Only act one has been produced; a queues a message for b already.
	a.ch.Send(b.id, &wire.UpdateFee{})
	a.m.ProcessEvents()
	l.Pump()
	require.Empty(t, b.ch.Msgs())
	require.Len(t, b.m.Peers(), 1)
}
