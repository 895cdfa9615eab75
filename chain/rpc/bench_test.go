package rpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"
)

// benchBlock returns a serialized synthetic block of n P2WPKH-like
// transactions and its hash.
func benchBlock(n int) ([]byte, chainhash.Hash) {
	rng := rand.New(rand.NewPCG(1, 2))
	rnd := func(size int) []byte {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	block := &btcwire.MsgBlock{Header: btcwire.BlockHeader{Version: 4, Bits: 0x207fffff}}
	for range n {
		tx := btcwire.NewMsgTx(2)
		var h chainhash.Hash
		copy(h[:], rnd(32))
		tx.AddTxIn(btcwire.NewTxIn(&btcwire.OutPoint{Hash: h, Index: 1}, nil, btcwire.TxWitness{rnd(72), rnd(33)}))
		tx.AddTxOut(btcwire.NewTxOut(1000, append([]byte{0, 20}, rnd(20)...)))
		tx.AddTxOut(btcwire.NewTxOut(2000, append([]byte{0, 20}, rnd(20)...)))
		block.AddTransaction(tx)
	}
	var buf bytes.Buffer
	_ = block.Serialize(&buf)
	return buf.Bytes(), block.BlockHash()
}

// BenchmarkDecodeBlockResponse measures decoding a getblock answer (JSON
// envelope, hex, block) for a block of 2,000 transactions.
func BenchmarkDecodeBlockResponse(b *testing.B) {
	raw, _ := benchBlock(2000)
	body := []byte(`{"result":"` + hex.EncodeToString(raw) + `","error":null,"id":1}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := decodeResponse("getblock", body, 1)
		if err != nil {
			b.Fatal(err)
		}
		bin, err := decodeHexResult("getblock", res)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := parseBlock(bin); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientBlock measures Client.Block end to end over HTTP keep-alive
// against a local server answering a block of 2,000 transactions.
func BenchmarkClientBlock(b *testing.B) {
	raw, hash := benchBlock(2000)
	result := `{"result":"` + hex.EncodeToString(raw) + `","error":null,"id":`
	f := newFakeBitcoind(b, "u", "p")
	f.on("getblock", func(r rpcReq) reply { return reply{raw: []byte(result + string(r.ID) + "}")} })
	c, err := New(Config{Host: f.host(), User: "u", Password: "p"})
	require.NoError(b, err)
	defer c.Close()
	b.SetBytes(int64(len(result)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Block(context.Background(), hash); err != nil {
			b.Fatal(err)
		}
	}
}
