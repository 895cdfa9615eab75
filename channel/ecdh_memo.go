package channel

import (
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/keys"
)

// ecdhMemoSize bounds each generation of an ecdhMemo: with two
// generations, the products of the last 2048 to 4096 onions are kept, far
// more than the HTLCs a node has in flight between their acceptance and
// their removal.
const ecdhMemoSize = 2048

// ecdhMemo remembers the node key's ECDH with the ephemeral keys of
// recent onions. An incoming HTLC's onion is peeled when it is committed,
// peeled again when it is claimed (its purpose) and its shared secret
// taken once more for the attribution data of its fulfill or failure:
// three scalar multiplications by the node key where one suffices. The
// memo is a pure cache of a function (the same key always gives the same
// product), so it changes no outcome, only the CPU spent; it is bounded
// by two generations of maps, the older dropped when the newer fills.
// Safe for concurrent use.
type ecdhMemo struct {
	node keys.ECDH

	mu       sync.Mutex
	cur, old map[[33]byte][32]byte
}

// newECDHMemo returns a memo of node's ECDH.
func newECDHMemo(node keys.ECDH) *ecdhMemo {
	return &ecdhMemo{node: node, cur: make(map[[33]byte][32]byte)}
}

// ECDH implements keys.ECDH: the remembered product of pub, or the node's.
func (e *ecdhMemo) ECDH(pub *btcec.PublicKey) ([32]byte, error) {
	if pub == nil {
		return e.node.ECDH(pub)
	}
	var k [33]byte
	copy(k[:], pub.SerializeCompressed())
	e.mu.Lock()
	ss, ok := e.cur[k]
	if !ok {
		ss, ok = e.old[k]
	}
	e.mu.Unlock()
	if ok {
		return ss, nil
	}
	ss, err := e.node.ECDH(pub)
	if err != nil {
		return ss, err
	}
	e.mu.Lock()
	if len(e.cur) >= ecdhMemoSize {
		e.old, e.cur = e.cur, make(map[[33]byte][32]byte, ecdhMemoSize)
	}
	e.cur[k] = ss
	e.mu.Unlock()
	return ss, nil
}
