package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/lnkit/lnkit/chain/rpc"
)

// dialChain connects to the chain daemon's JSON-RPC and checks that it is on
// the configured network, as ldk-sample does with bitcoind at start-up.
func dialChain(ctx context.Context, cfg config, log *slog.Logger) (*rpc.Client, error) {
	client, err := rpc.Dial(ctx, rpc.Config{
		Host:       cfg.RPC.Host,
		User:       cfg.RPC.User,
		Password:   cfg.RPC.Pass,
		CookieFile: cfg.RPCCookie,
		CACertFile: cfg.RPCCert,
		Params:     cfg.Params,
		Logger:     log,
	})
	if err != nil {
		return nil, fmt.Errorf("sample-node: chain RPC at %s: %w", cfg.RPC.Host, err)
	}
	return client, nil
}

// bestBlock asks the chain daemon for its best block.
func bestBlock(ctx context.Context, client *rpc.Client) (*blockResult, error) {
	hash, height, err := client.BestBlock(ctx)
	if err != nil {
		return nil, fmt.Errorf("sample-node: best block: %w", err)
	}
	return &blockResult{Height: height, Hash: hash.String()}, nil
}
