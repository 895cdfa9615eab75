package interop

import (
	"log/slog"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// idleTime is how long the connection must survive with no traffic but
// pings. lnd pings every minute (every three minutes when the peer's
// address contains "127.0.0.1", which lnd treats like a Tor connection).
const idleTime = 90 * time.Second

// TestPeerLnd runs lnkit's peer layer (peer.Manager over peer/tcp) against
// lnd v0.20: connections in both directions, init features, 90 s of idle
// time with pings both ways, disconnection from either side, reconnection,
// and lnd-compatible message signatures (the sample node's, which lnd
// validates only once it has a public channel, are in TestChannelsLnd).
// One btcd and one lnd serve every subtest.
func TestPeerLnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	// Runs beside the package's other integration tests: each has its
	// own btcd and lnd.
	t.Parallel()
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	// PEER=debug makes lnd log every message it sends and receives.
	lnd := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "lnd", ExtraArgs: []string{"--debuglevel=info,PEER=debug"}})
	lndID, err := wire.ParseNodeID(lnd.NodeID)
	require.NoError(t, err)

	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("lnkit log:\n%s", logs.String())
		}
	})
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// 127.0.0.2 rather than 127.0.0.1: lnd treats peers whose address
	// contains "127.0.0.1" like Tor peers and pings them only every three
	// minutes. Any 127/8 address is loopback on Linux.
	node := startLnkitNode(t, log, "127.0.0.2:0")
	ourID := node.keys.NodeID()

	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow() // later steps build on this one
		}
	}

	step("lnkit connects to lnd", func(t *testing.T) {
		node.connect(t, lndID, lnd.P2PAddr)
		info := node.waitPeer(t, lndID)
		require.False(t, info.Inbound)
		require.Equal(t, lnd.P2PAddr, info.Addr.String())
		checkLndFeatures(t, info.Features)

		p := waitLndPeer(t, lnd, ourID.String())
		require.True(t, p.Inbound, "lnd sees an inbound connection")
		checkOurFeaturesAtLnd(t, node, p)
	})

	step("lnkit disconnects, lnd notices", func(t *testing.T) {
		require.True(t, node.mgr.DisconnectByNodeID(lndID))
		node.waitNoPeer(t, lndID)
		waitNoLndPeer(t, lnd, ourID.String())
	})

	step("lnd connects to lnkit", func(t *testing.T) {
		lnd.ConnectPeerAddr(t, ourID.String(), node.addr.String())
		info := node.waitPeer(t, lndID)
		require.True(t, info.Inbound)
		checkLndFeatures(t, info.Features)

		p := waitLndPeer(t, lnd, ourID.String())
		require.False(t, p.Inbound)
		require.Equal(t, node.addr.String(), p.Address)
		checkOurFeaturesAtLnd(t, node, p)
	})

	// The idle connection and the signature tests run side by side: the
	// signatures do not touch the connection.
	step("idle and signatures", func(t *testing.T) {
		t.Run("connection survives idle time with pings both ways", func(t *testing.T) {
			t.Parallel()
			testIdle(t, node, lnd, lndID)
		})
		t.Run("lncli signmessage verifies with lnkit", func(t *testing.T) {
			t.Parallel()
			testLndSignature(t, lnd, lndID)
		})
	})

	step("lnd disconnects, lnkit notices", func(t *testing.T) {
		lnd.CLI(t, "disconnect", ourID.String())
		node.waitNoPeer(t, lndID)
		waitNoLndPeer(t, lnd, ourID.String())
	})

	step("lnkit reconnects", func(t *testing.T) {
		node.connect(t, lndID, lnd.P2PAddr)
		info := node.waitPeer(t, lndID)
		require.False(t, info.Inbound)
		p := waitLndPeer(t, lnd, ourID.String())
		require.True(t, p.Inbound)
	})
}

// checkLndFeatures checks the init features lnd v0.20 sends, as lnkit sees
// them (../shared/INTEROP.md lists them).
func checkLndFeatures(t *testing.T, f wire.FeatureVector) {
	t.Helper()
	for _, b := range []wire.FeatureBit{0, 8, 12, 14} {
		require.True(t, f.IsSet(b), "lnd requires feature %v", b)
	}
	for _, b := range []wire.FeatureBit{5, 7, 17, 23, 25, 27, 35, 45} {
		require.True(t, f.IsSet(b), "lnd offers feature %v", b)
	}
}

// checkOurFeaturesAtLnd checks that lnd lists exactly the features of our
// init, with the same required/optional split.
func checkOurFeaturesAtLnd(t *testing.T, node *lnkitNode, p lndPeer) {
	t.Helper()
	var want, got []string
	for _, b := range node.mgr.Features().Bits() {
		want = append(want, strconv.Itoa(int(b))+"/"+strconv.FormatBool(b.IsRequired()))
	}
	for bit, f := range p.Features {
		n, err := strconv.Atoi(bit)
		require.NoError(t, err)
		require.True(t, f.IsKnown, "lnd does not know our feature %d", n)
		got = append(got, strconv.Itoa(n)+"/"+strconv.FormatBool(f.IsRequired))
	}
	slices.Sort(want)
	slices.Sort(got)
	require.Equal(t, want, got, "features lnd sees (bit/required)")
}

// testIdle leaves the connection alone for idleTime and checks that pings
// flowed both ways without a reconnection. The lnkit node pings after two
// idle one-second ticks and disconnects if a ping stays unanswered for
// three ticks, so surviving proves lnd answered every ping; lnd's own
// pings and the pongs it got are read from its debug log and listpeers.
func testIdle(t *testing.T, node *lnkitNode, lnd *regtest.Lnd, lndID wire.NodeID) {
	t.Helper()
	ourID := node.keys.NodeID().String()
	before := node.waitPeer(t, lndID)
	logStart := len(lndLog(t, lnd))

	time.Sleep(idleTime)

	after, ok := node.mgr.PeerByNodeID(lndID)
	require.True(t, ok, "lnkit lost the connection")
	require.Equal(t, before.ConnectedSince, after.ConnectedSince, "lnkit reconnected")
	p, ok := findLndPeer(t, lnd, ourID)
	require.True(t, ok, "lnd lost the connection")
	require.GreaterOrEqual(t, p.PingTime, int64(0), "lnd has no ping round trip: it never got our pong")

	log := lndLog(t, lnd)[logStart:]
	peerTag := "Peer(" + ourID + ")"
	ourPings := countLines(log, peerTag, "Received Ping")
	lndPongs := countLines(log, peerTag, "Sending Pong")
	lndPings := countLines(log, peerTag, "Sending Ping")
	ourPongs := countLines(log, peerTag, "Received Pong")
	t.Logf("in %s: lnkit sent %d pings, lnd answered %d; lnd sent %d pings, lnkit answered %d; lnd's ping time %d µs",
		idleTime, ourPings, lndPongs, lndPings, ourPongs, p.PingTime)
	minPings := int(idleTime / (time.Duration(pingIntervalTicks+pongTimeoutTicks) * tickInterval))
	require.GreaterOrEqual(t, ourPings, minPings, "lnkit's pings reaching lnd")
	require.GreaterOrEqual(t, lndPongs, minPings, "lnd's pongs to lnkit")
	require.GreaterOrEqual(t, lndPings, 1, "lnd's pings")
	require.Equal(t, lndPings, ourPongs, "lnkit answers every ping of lnd")
	require.NotContains(t, log, "pong response failure")
}

// testLndSignature checks that lnkit verifies lncli signmessage signatures
// and rejects them for another message or another node.
func testLndSignature(t *testing.T, lnd *regtest.Lnd, lndID wire.NodeID) {
	t.Helper()
	for _, msg := range []string{"hello from lnd", "lnkit ⚡ interop: ünïcode, \"quotes\" and  spaces ", "x"} {
		var out struct {
			Signature string `json:"signature"`
		}
		lnd.CLIJSON(t, &out, "signmessage", "--msg="+msg)
		require.NoError(t, keys.VerifyMessageFrom([]byte(msg), out.Signature, lndID), "message %q", msg)
		signer, err := keys.RecoverMessageSigner([]byte(msg), out.Signature)
		require.NoError(t, err)
		require.Equal(t, lndID, signer)
		require.Error(t, keys.VerifyMessageFrom([]byte(msg+"!"), out.Signature, lndID))
		other := keys.NewManager(keys.GenerateSeed(nil), keys.Config{}).NodeID()
		require.ErrorIs(t, keys.VerifyMessageFrom([]byte(msg), out.Signature, other), keys.ErrSignerMismatch)
	}
}

// lndVerify is the answer of lncli verifymessage.
type lndVerify struct {
	Valid  bool   `json:"valid"`
	Pubkey string `json:"pubkey"`
}

// testSampleNodeSignature checks the sample node's signmessage signature
// with lncli verifymessage. node has a public channel with lnd, announced
// (lnd's "valid" also requires the signer to be in its channel graph).
func testSampleNodeSignature(t *testing.T, node *sampleProc, lnd *regtest.Lnd) {
	t.Helper()
	const msg = "signed by the lnkit sample node ⚡"
	var sig struct {
		Signature string `json:"signature"`
	}
	node.run(&sig, "signmessage "+msg)
	require.NotEmpty(t, sig.Signature)

	var v lndVerify
	lnd.CLIJSON(t, &v, "verifymessage", "--msg="+msg, "--sig="+sig.Signature)
	require.Equal(t, node.nodeID, v.Pubkey, "lnd recovers the sample node's id from its signature")
	require.True(t, v.Valid, "the sample node is in lnd's graph through its public channel")
	var own struct {
		Signature string `json:"signature"`
	}
	lnd.CLIJSON(t, &own, "signmessage", "--msg="+msg)
	lnd.CLIJSON(t, &v, "verifymessage", "--msg="+msg, "--sig="+own.Signature)
	require.True(t, v.Valid)
	require.Equal(t, lnd.NodeID, v.Pubkey)

	// A tampered message recovers another key, which lnd does not know.
	lnd.CLIJSON(t, &v, "verifymessage", "--msg="+msg+".", "--sig="+sig.Signature)
	require.NotEqual(t, node.nodeID, v.Pubkey)
	require.False(t, v.Valid)
}

// buildSampleNode builds examples/sample-node into a temporary directory.
func buildSampleNode(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to build the sample node")
	bin := filepath.Join(t.TempDir(), "sample-node")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/lnkit/lnkit/examples/sample-node")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build sample-node: %s", out)
	return bin
}
