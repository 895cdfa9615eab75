package rpc

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// BlockchainInfo is the answer of getblockchaininfo (the fields lnkit uses).
type BlockchainInfo struct {
	// Chain is the network name as the daemon spells it: bitcoind says
	// "main", "test", "testnet4", "signet", "regtest"; btcd says
	// "mainnet", "testnet3", "signet", "regtest", "simnet".
	Chain string

	// Blocks is the height of the best validated block.
	Blocks int32

	// Headers is the height of the best known header.
	Headers int32

	// BestBlockHash is the hash of the best validated block.
	BestBlockHash chainhash.Hash

	// InitialBlockDownload is true while the daemon is syncing (bitcoind
	// only; btcd leaves it false).
	InitialBlockDownload bool

	// Pruned is true when old blocks are deleted.
	Pruned bool
}

// Params maps Chain to chaincfg parameters.
func (i *BlockchainInfo) Params() (*chaincfg.Params, error) {
	return ParamsForChain(i.Chain)
}

// ParamsForChain maps a chain name, as bitcoind or btcd spells it, to chaincfg
// parameters. Names without parameters in btcd's chaincfg (bitcoind's
// "testnet4") give ErrUnknownNetwork. "signet" maps to the default signet; a
// custom signet has other parameters the caller must supply.
func ParamsForChain(name string) (*chaincfg.Params, error) {
	switch name {
	case "main", "mainnet":
		return &chaincfg.MainNetParams, nil
	case "test", "testnet", "testnet3":
		return &chaincfg.TestNet3Params, nil
	case "regtest":
		return &chaincfg.RegressionNetParams, nil
	case "signet":
		return &chaincfg.SigNetParams, nil
	case "simnet":
		return &chaincfg.SimNetParams, nil
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownNetwork, name)
	}
}

// blockchainInfoJSON is the wire shape of getblockchaininfo.
type blockchainInfoJSON struct {
	Chain                string `json:"chain"`
	Blocks               int32  `json:"blocks"`
	Headers              int32  `json:"headers"`
	BestBlockHash        string `json:"bestblockhash"`
	InitialBlockDownload bool   `json:"initialblockdownload"`
	Pruned               bool   `json:"pruned"`
}

// BlockchainInfo calls getblockchaininfo.
func (c *Client) BlockchainInfo(ctx context.Context) (*BlockchainInfo, error) {
	const method = "getblockchaininfo"
	raw, err := c.Call(ctx, method)
	if err != nil {
		return nil, err
	}
	var j blockchainInfoJSON
	if err := decodeResult(method, raw, &j); err != nil {
		return nil, err
	}
	hash, err := parseHash(method, j.BestBlockHash)
	if err != nil {
		return nil, err
	}
	if j.Blocks < 0 || j.Chain == "" {
		return nil, fmt.Errorf("%w: %s: chain %q at height %d", ErrMalformedResponse, method, j.Chain, j.Blocks)
	}
	return &BlockchainInfo{
		Chain:                j.Chain,
		Blocks:               j.Blocks,
		Headers:              j.Headers,
		BestBlockHash:        hash,
		InitialBlockDownload: j.InitialBlockDownload,
		Pruned:               j.Pruned,
	}, nil
}

// Params returns the daemon's network, asking getblockchaininfo once.
func (c *Client) Params(ctx context.Context) (*chaincfg.Params, error) {
	c.infoMu.Lock()
	params := c.params
	c.infoMu.Unlock()
	if params != nil {
		return params, nil
	}
	info, err := c.BlockchainInfo(ctx)
	if err != nil {
		return nil, err
	}
	params, err = info.Params()
	if err != nil {
		return nil, err
	}
	c.infoMu.Lock()
	c.params = params
	c.infoMu.Unlock()
	return params, nil
}

// parseHash parses a hash in the usual byte-reversed hex.
func parseHash(method, s string) (chainhash.Hash, error) {
	if len(s) != 2*chainhash.HashSize {
		return chainhash.Hash{}, fmt.Errorf("%w: %s: hash %.70q has the wrong length", ErrMalformedResponse, method, s)
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("%w: %s: hash %.70q: %v", ErrMalformedResponse, method, s, err)
	}
	return *h, nil
}
