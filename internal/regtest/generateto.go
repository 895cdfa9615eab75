package regtest

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// GenerateTo mines n blocks whose coinbase pays pkScript (btcd's generate
// can only pay its configured mining address) and returns their hashes.
// Each block holds the coinbase alone; the mempool is left as it is. The
// blocks are built here, solved (regtest's proof of work is trivial) and
// handed to btcd with submitblock.
func (b *Btcd) GenerateTo(t testing.TB, pkScript []byte, n int) []chainhash.Hash {
	t.Helper()
	params := &chaincfg.RegressionNetParams
	hashes := make([]chainhash.Hash, 0, n)
	for range n {
		prevHash, height := b.BestBlock(t)
		var hdr struct {
			Time int64 `json:"time"`
		}
		b.rpcInto(t, &hdr, "getblockheader", prevHash.String(), true)
		height++
		sigScript, err := txscript.NewScriptBuilder().AddInt64(int64(height)).AddInt64(time.Now().UnixNano()).Script()
		if err != nil {
			t.Fatalf("regtest: coinbase script: %v", err)
		}
		cb := wire.NewMsgTx(1)
		cb.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, wire.MaxPrevOutIndex), sigScript, nil))
		cb.AddTxOut(wire.NewTxOut(blockchain.CalcBlockSubsidy(height, params), pkScript))
		ts := time.Unix(max(time.Now().Unix(), hdr.Time+1), 0)
		block := wire.NewMsgBlock(wire.NewBlockHeader(0x20000000, &prevHash, ptr(cb.TxHash()), params.PowLimitBits, 0))
		block.Header.Timestamp = ts
		if err := block.AddTransaction(cb); err != nil {
			t.Fatalf("regtest: block: %v", err)
		}
		target := blockchain.CompactToBig(params.PowLimitBits)
		for blockchain.HashToBig(ptr(block.Header.BlockHash())).Cmp(target) > 0 {
			block.Header.Nonce++
		}
		var buf bytes.Buffer
		if err := block.Serialize(&buf); err != nil {
			t.Fatalf("regtest: serialize block: %v", err)
		}
		res := b.RPC(t, "submitblock", hex.EncodeToString(buf.Bytes()))
		if s := string(res); s != "null" {
			t.Fatalf("regtest: submitblock refused block at height %d: %s", height, s)
		}
		hashes = append(hashes, block.Header.BlockHash())
	}
	return hashes
}
