package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

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
		err = fmt.Errorf("sample-node: chain RPC at %s: %w", cfg.RPC.Host, err)
		if cfg.RPCCert == "" && isHTTPToHTTPS(err) {
			err = fmt.Errorf("%w (the server speaks HTTPS, as btcd does: add --rpccert with btcd's rpc.cert, e.g. --rpccert ~/.btcd/rpc.cert)", err)
		}
		return nil, err
	}
	return client, nil
}

// isHTTPToHTTPS recognises the answer of a TLS server (btcd's RPC) to a
// plain HTTP request: status 400 and Go's "Client sent an HTTP request to an
// HTTPS server".
func isHTTPToHTTPS(err error) bool {
	var he *rpc.HTTPStatusError
	return errors.As(err, &he) && he.StatusCode == http.StatusBadRequest &&
		strings.Contains(he.Body, "HTTP request to an HTTPS server")
}

// bestBlock asks the chain daemon for its best block.
func bestBlock(ctx context.Context, client *rpc.Client) (*blockResult, error) {
	hash, height, err := client.BestBlock(ctx)
	if err != nil {
		return nil, fmt.Errorf("sample-node: best block: %w", err)
	}
	return &blockResult{Height: height, Hash: hash.String()}, nil
}
