package peertest_test

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/peer/peertest"
	"github.com/lnkit/lnkit/wire"
)

// echo is the handler under test: it answers every custom message with the
// same payload under the next type.
type echo struct {
	peer.MessageQueue
}

func (*echo) PeerConnected(wire.NodeID, *wire.Init, bool) error { return nil }
func (*echo) PeerDisconnected(wire.NodeID)                      {}
func (e *echo) HandleCustomMessage(from wire.NodeID, msg *wire.Custom) error {
	e.Send(from, &wire.Custom{MsgType: msg.MsgType + 1, Payload: msg.Payload})
	return nil
}

// recorder keeps the custom messages it receives.
type recorder struct {
	peer.MessageQueue
	got []*wire.Custom
}

func (*recorder) PeerConnected(wire.NodeID, *wire.Init, bool) error { return nil }
func (*recorder) PeerDisconnected(wire.NodeID)                      {}
func (r *recorder) HandleCustomMessage(_ wire.NodeID, msg *wire.Custom) error {
	r.got = append(r.got, msg)
	return nil
}

// newManager returns a regtest Manager whose node key comes from a one-byte
// seed (tests only: use keys.Manager and keys.NewCryptoEntropy for real).
func newManager(seed byte, h peer.CustomMessageHandler) *peer.Manager {
	priv, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{seed}, 32))
	key, err := noise.NewLocalKey(priv)
	if err != nil {
		panic(err)
	}
	m, err := peer.New(peer.Config{
		NodeKey:       key,
		Entropy:       fixedEntropy(seed),
		Chains:        []chainhash.Hash{*chaincfg.RegressionNetParams.GenesisHash},
		CustomHandler: h,
	})
	if err != nil {
		panic(err)
	}
	return m
}

// fixedEntropy is a test entropy source (never for real keys).
type fixedEntropy byte

func (e fixedEntropy) GetSecureRandomBytes() [32]byte { return [32]byte{1, byte(e)} }

// Test a custom message handler against a real peer.Manager, in memory.
func Example() {
	client, server := &recorder{}, &echo{}
	a, b := newManager(1, client), newManager(2, server)

	l, err := peertest.Connect(a, b) // handshake and init exchange
	if err != nil {
		panic(err)
	}
	client.Send(b.NodeID(), &wire.Custom{MsgType: 32768, Payload: []byte("hello")})
	l.Pump() // A sends, B's echo answers, A receives
	for _, m := range client.got {
		fmt.Printf("%d %s\n", m.MsgType, m.Payload)
	}

	a.DisconnectByNodeID(b.NodeID())
	l.Pump()
	fmt.Println("B still lists A:", len(b.Peers()) == 1)
	// Output:
	// 32769 hello
	// B still lists A: false
}
