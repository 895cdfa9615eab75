package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
)

// BestBlockHash calls getbestblockhash.
func (c *Client) BestBlockHash(ctx context.Context) (chainhash.Hash, error) {
	const method = "getbestblockhash"
	raw, err := c.Call(ctx, method)
	if err != nil {
		return chainhash.Hash{}, err
	}
	return decodeHashResult(method, raw)
}

// BestBlock implements chain.BlockSource with getblockchaininfo, which
// answers hash and height together.
func (c *Client) BestBlock(ctx context.Context) (chainhash.Hash, int32, error) {
	info, err := c.BlockchainInfo(ctx)
	if err != nil {
		return chainhash.Hash{}, 0, err
	}
	return info.BestBlockHash, info.Blocks, nil
}

// BlockHash implements chain.BlockHashSource with getblockhash: the hash of
// the main-chain block at height.
func (c *Client) BlockHash(ctx context.Context, height int32) (chainhash.Hash, error) {
	const method = "getblockhash"
	raw, err := c.Call(ctx, method, height)
	if err != nil {
		return chainhash.Hash{}, err
	}
	return decodeHashResult(method, raw)
}

// RawHeader calls getblockheader with verbose=false and decodes the 80-byte
// header, checking it hashes to hash.
func (c *Client) RawHeader(ctx context.Context, hash chainhash.Hash) (*btcwire.BlockHeader, error) {
	const method = "getblockheader"
	raw, err := c.Call(ctx, method, hash.String(), false)
	if err != nil {
		return nil, err
	}
	b, err := decodeHexResult(method, raw)
	if err != nil {
		return nil, err
	}
	h, err := parseHeader(b)
	if err != nil {
		return nil, err
	}
	if h.BlockHash() != hash {
		return nil, fmt.Errorf("%w: %s: header does not hash to %s", ErrMalformedResponse, method, hash)
	}
	return h, nil
}

// maxStaleWalk bounds how many blocks Header walks back through a stale
// branch to find its height on btcd.
const maxStaleWalk = 2016

// Header implements chain.BlockSource. It calls getblockheader with
// verbose=true, which gives the height, rebuilds the 80-byte header from the
// fields and checks that it hashes to hash, so one round trip is enough.
//
// btcd answers verbose headers only for main-chain blocks. For a block on a
// stale branch it falls back to raw headers, walking parents back to the
// main chain (at most 2016 blocks) to learn the height.
func (c *Client) Header(ctx context.Context, hash chainhash.Hash) (*chain.HeaderData, error) {
	hd, err := c.verboseHeader(ctx, hash)
	var rpcErr *RPCError
	if err == nil || !errors.As(err, &rpcErr) || errors.Is(err, ErrNotFound) {
		return hd, err
	}
	// Stale on btcd: collect raw headers down to a block with a height.
	var stale []*btcwire.BlockHeader
	next := hash
	for len(stale) < maxStaleWalk {
		h, rerr := c.RawHeader(ctx, next)
		if rerr != nil {
			return nil, rerr
		}
		stale = append(stale, h)
		if h.PrevBlock == (chainhash.Hash{}) {
			return nil, err // a genesis the daemon has no height for
		}
		base, berr := c.verboseHeader(ctx, h.PrevBlock)
		if berr == nil {
			return &chain.HeaderData{Header: *stale[0], Hash: hash, Height: base.Height + int32(len(stale))}, nil
		}
		if !errors.As(berr, &rpcErr) || errors.Is(berr, ErrNotFound) {
			return nil, berr
		}
		next = h.PrevBlock
	}
	return nil, fmt.Errorf("rpc: getblockheader: block %s is more than %d blocks off the main chain: %w", hash, maxStaleWalk, err)
}

// verboseHeader calls getblockheader with verbose=true.
func (c *Client) verboseHeader(ctx context.Context, hash chainhash.Hash) (*chain.HeaderData, error) {
	const method = "getblockheader"
	raw, err := c.Call(ctx, method, hash.String(), true)
	if err != nil {
		return nil, err
	}
	hd, err := parseVerboseHeader(raw)
	if err != nil {
		return nil, err
	}
	if hd.Hash != hash {
		return nil, fmt.Errorf("%w: %s: header does not hash to %s", ErrMalformedResponse, method, hash)
	}
	return hd, nil
}

// Block implements chain.BlockSource with getblock at verbosity 0 (raw hex).
// Daemons that want the old boolean verbose flag are detected on the first
// refusal and asked with false from then on.
func (c *Client) Block(ctx context.Context, hash chainhash.Hash) (*btcwire.MsgBlock, error) {
	const method = "getblock"
	var raw json.RawMessage
	var err error
	if !c.blockVerboseBool.Load() {
		raw, err = c.Call(ctx, method, hash.String(), 0)
		var rpcErr *RPCError
		if errors.As(err, &rpcErr) && wantsBoolVerbose(rpcErr) {
			c.blockVerboseBool.Store(true)
		}
	}
	if c.blockVerboseBool.Load() {
		raw, err = c.Call(ctx, method, hash.String(), false)
	}
	if err != nil {
		return nil, err
	}
	b, err := decodeHexResult(method, raw)
	if err != nil {
		return nil, err
	}
	block, err := parseBlock(b)
	if err != nil {
		return nil, err
	}
	if block.Header.BlockHash() != hash {
		return nil, fmt.Errorf("%w: %s: block does not hash to %s", ErrMalformedResponse, method, hash)
	}
	return block, nil
}

// wantsBoolVerbose reports a refusal of an integer where a boolean was
// expected: a type or parameter error, or a generic error that says so.
func wantsBoolVerbose(e *RPCError) bool {
	switch e.Code {
	case CodeTypeError, CodeInvalidParams:
		return true
	case CodeMiscError, CodeInvalidParameter:
		return strings.Contains(strings.ToLower(e.Message), "bool")
	}
	return false
}

// decodeHashResult decodes a result that is a hash string.
func decodeHashResult(method string, raw json.RawMessage) (chainhash.Hash, error) {
	var s string
	if err := decodeResult(method, raw, &s); err != nil {
		return chainhash.Hash{}, err
	}
	return parseHash(method, s)
}

// parseHeader decodes exactly one 80-byte block header.
func parseHeader(b []byte) (*btcwire.BlockHeader, error) {
	if len(b) != btcwire.MaxBlockHeaderPayload {
		return nil, fmt.Errorf("%w: header is %d bytes, want %d", ErrMalformedResponse, len(b), btcwire.MaxBlockHeaderPayload)
	}
	var h btcwire.BlockHeader
	if err := h.Deserialize(bytes.NewReader(b)); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformedResponse, err)
	}
	return &h, nil
}

// parseBlock decodes exactly one serialized block (with or without witness
// data).
func parseBlock(b []byte) (*btcwire.MsgBlock, error) {
	if len(b) < btcwire.MaxBlockHeaderPayload+1 {
		return nil, fmt.Errorf("%w: block is %d bytes", ErrMalformedResponse, len(b))
	}
	r := bytes.NewReader(b)
	var block btcwire.MsgBlock
	if err := block.Deserialize(r); err != nil {
		return nil, fmt.Errorf("%w: block: %v", ErrMalformedResponse, err)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%w: block: %d trailing bytes", ErrMalformedResponse, r.Len())
	}
	return &block, nil
}

// verboseHeaderJSON is the wire shape of getblockheader verbose=true, the same
// in bitcoind and btcd for these fields.
type verboseHeaderJSON struct {
	Hash              string `json:"hash"`
	Height            int32  `json:"height"`
	Version           int32  `json:"version"`
	MerkleRoot        string `json:"merkleroot"`
	Time              int64  `json:"time"`
	Nonce             uint64 `json:"nonce"`
	Bits              string `json:"bits"`
	PreviousBlockHash string `json:"previousblockhash"`
}

// parseVerboseHeader rebuilds a header from a verbose getblockheader result
// and checks that it hashes to the hash the daemon gave.
func parseVerboseHeader(raw json.RawMessage) (*chain.HeaderData, error) {
	const method = "getblockheader"
	var j verboseHeaderJSON
	if err := decodeResult(method, raw, &j); err != nil {
		return nil, err
	}
	hash, err := parseHash(method, j.Hash)
	if err != nil {
		return nil, err
	}
	merkle, err := parseHash(method, j.MerkleRoot)
	if err != nil {
		return nil, err
	}
	var prev chainhash.Hash
	if j.PreviousBlockHash != "" {
		if prev, err = parseHash(method, j.PreviousBlockHash); err != nil {
			return nil, err
		}
	}
	if len(j.Bits) != 8 {
		return nil, fmt.Errorf("%w: %s: bits %.20q", ErrMalformedResponse, method, j.Bits)
	}
	bits, err := strconv.ParseUint(j.Bits, 16, 32)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: bits %.20q", ErrMalformedResponse, method, j.Bits)
	}
	if j.Time < 0 || j.Time > math.MaxUint32 || j.Nonce > math.MaxUint32 || j.Height < 0 {
		return nil, fmt.Errorf("%w: %s: time %d, nonce %d or height %d out of range",
			ErrMalformedResponse, method, j.Time, j.Nonce, j.Height)
	}
	// bitcoind omits previousblockhash for genesis, btcd sends zeros.
	if (j.Height == 0) != (prev == chainhash.Hash{}) {
		return nil, fmt.Errorf("%w: %s: block at height %d with previous block %.70q",
			ErrMalformedResponse, method, j.Height, j.PreviousBlockHash)
	}
	hd := &chain.HeaderData{
		Header: btcwire.BlockHeader{
			Version:    j.Version,
			PrevBlock:  prev,
			MerkleRoot: merkle,
			Timestamp:  time.Unix(j.Time, 0),
			Bits:       uint32(bits),
			Nonce:      uint32(j.Nonce),
		},
		Hash:   hash,
		Height: j.Height,
	}
	if hd.Header.BlockHash() != hash {
		return nil, fmt.Errorf("%w: %s: header fields do not hash to %s", ErrMalformedResponse, method, hash)
	}
	return hd, nil
}
