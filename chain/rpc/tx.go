package rpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	lnwire "github.com/lnkit/lnkit/wire"
)

// SendRawTransaction calls sendrawtransaction and returns the txid. A
// transaction the daemon already has (in its mempool or in a block) counts as
// success; see IsAlreadyKnown.
func (c *Client) SendRawTransaction(ctx context.Context, tx *btcwire.MsgTx) (chainhash.Hash, error) {
	const method = "sendrawtransaction"
	var buf bytes.Buffer
	buf.Grow(tx.SerializeSize())
	if err := tx.Serialize(&buf); err != nil {
		return chainhash.Hash{}, fmt.Errorf("rpc: %s: serialize: %w", method, err)
	}
	txid := tx.TxHash()
	raw, err := c.Call(ctx, method, hex.EncodeToString(buf.Bytes()))
	if err != nil {
		if IsAlreadyKnown(err) {
			c.cfg.Logger.Debug("rpc: transaction already known", "txid", txid, "err", err)
			return txid, nil
		}
		return chainhash.Hash{}, err
	}
	got, err := decodeHashResult(method, raw)
	if err != nil {
		return chainhash.Hash{}, err
	}
	if got != txid {
		return chainhash.Hash{}, fmt.Errorf("%w: %s: daemon answered txid %s for %s", ErrMalformedResponse, method, got, txid)
	}
	return txid, nil
}

// BroadcastTransactions implements chain.Broadcaster: it sends each
// transaction in order and stops at the first failure.
func (c *Client) BroadcastTransactions(ctx context.Context, txs ...*btcwire.MsgTx) error {
	for i, tx := range txs {
		if _, err := c.SendRawTransaction(ctx, tx); err != nil {
			return fmt.Errorf("rpc: broadcast transaction %d of %d (%s): %w", i+1, len(txs), tx.TxHash(), err)
		}
	}
	return nil
}

// IsAlreadyKnown reports whether err is a sendrawtransaction refusal meaning
// the daemon already has the transaction: code -27 (already in the chain), or
// bitcoind's txn-already-known / txn-already-in-mempool, or btcd's "already
// have transaction". A conflicting transaction is not "already known".
func IsAlreadyKnown(err error) bool {
	var e *RPCError
	if !errors.As(err, &e) {
		return false
	}
	if e.Code == CodeVerifyAlreadyChain {
		return true
	}
	msg := strings.ToLower(e.Message)
	for _, s := range []string{
		"txn-already-known",
		"txn-already-in-mempool",
		"already in block chain",
		"already have transaction",
		"transaction already exists",
		"already in utxo set",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// RawTransaction calls getrawtransaction (non-verbose) and decodes the
// transaction, checking its txid. Transactions outside the mempool need the
// daemon's -txindex.
func (c *Client) RawTransaction(ctx context.Context, txid chainhash.Hash) (*btcwire.MsgTx, error) {
	const method = "getrawtransaction"
	raw, err := c.Call(ctx, method, txid.String())
	if err != nil {
		return nil, err
	}
	b, err := decodeHexResult(method, raw)
	if err != nil {
		return nil, err
	}
	tx, err := parseTx(b)
	if err != nil {
		return nil, err
	}
	if tx.TxHash() != txid {
		return nil, fmt.Errorf("%w: %s: transaction does not hash to %s", ErrMalformedResponse, method, txid)
	}
	return tx, nil
}

// parseTx decodes exactly one serialized transaction.
func parseTx(b []byte) (*btcwire.MsgTx, error) {
	r := bytes.NewReader(b)
	var tx btcwire.MsgTx
	if err := tx.Deserialize(r); err != nil {
		return nil, fmt.Errorf("%w: transaction: %v", ErrMalformedResponse, err)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: transaction: %d trailing bytes", ErrMalformedResponse, r.Len())
	}
	return &tx, nil
}

// TxOut is an unspent output as gettxout reports it.
type TxOut struct {
	// BestBlock is the tip the answer refers to.
	BestBlock chainhash.Hash

	// Confirmations is 0 for an output of a mempool transaction.
	Confirmations int64

	// Value is the output's amount.
	Value lnwire.Satoshi

	// PkScript is the output's script.
	PkScript []byte

	// Coinbase is true for an output of a coinbase transaction.
	Coinbase bool
}

// txOutJSON is the wire shape of gettxout.
type txOutJSON struct {
	BestBlock     string     `json:"bestblock"`
	Confirmations int64      `json:"confirmations"`
	Value         jsonNumber `json:"value"`
	ScriptPubKey  struct {
		Hex string `json:"hex"`
	} `json:"scriptPubKey"`
	Coinbase bool `json:"coinbase"`
}

// TxOut calls gettxout: the unspent output op, or nil when it is spent or
// never existed. includeMempool also reports outputs of mempool transactions;
// on bitcoind it also treats outputs spent in the mempool as spent, btcd
// ignores mempool spends. Gossip uses it to check that a channel's funding
// output exists.
func (c *Client) TxOut(ctx context.Context, op btcwire.OutPoint, includeMempool bool) (*TxOut, error) {
	const method = "gettxout"
	raw, err := c.Call(ctx, method, op.Hash.String(), op.Index, includeMempool)
	if err != nil {
		return nil, err
	}
	return parseTxOut(raw)
}

// parseTxOut decodes a gettxout result (nil for the JSON null).
func parseTxOut(raw []byte) (*TxOut, error) {
	const method = "gettxout"
	if isNull(raw) {
		return nil, nil
	}
	var j txOutJSON
	if err := decodeResult(method, raw, &j); err != nil {
		return nil, err
	}
	best, err := parseHash(method, j.BestBlock)
	if err != nil {
		return nil, err
	}
	sat, err := btcToSat(string(j.Value), false)
	if err != nil || sat < 0 {
		return nil, fmt.Errorf("%w: %s: value %.70q", ErrMalformedResponse, method, j.Value)
	}
	script, err := hex.DecodeString(j.ScriptPubKey.Hex)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: script is not hex", ErrMalformedResponse, method)
	}
	return &TxOut{
		BestBlock:     best,
		Confirmations: j.Confirmations,
		Value:         lnwire.Satoshi(sat),
		PkScript:      script,
		Coinbase:      j.Coinbase,
	}, nil
}

// jsonNumber is a JSON number kept as its literal text, so amounts never pass
// through float64.
type jsonNumber string

// UnmarshalJSON accepts a number literal only.
func (n *jsonNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		return fmt.Errorf("not a number: %.40q", b)
	}
	*n = jsonNumber(b)
	return nil
}
