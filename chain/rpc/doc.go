// Package rpc is a JSON-RPC client for the two Bitcoin full nodes lnkit
// talks to: Bitcoin Core (bitcoind) and btcd.
//
// A [Client] speaks HTTP/1.1 with keep-alive to one daemon: plain HTTP with
// user:password or cookie-file authentication (bitcoind), or TLS trusting a
// given CA certificate file (btcd's rpc.cert). Every call takes a context and
// is bounded by a per-call timeout. It detects the daemon kind once and
// papers over their differences (getblock verbosity, estimatesmartfee vs
// estimatefee, network names).
//
// The client implements chain.Broadcaster, chain.FeeEstimator,
// chain.BlockSource and chain.BlockHashSource, so it can drive a
// chain.Poller.
//
// Errors are typed: errors.Is(err, ErrConnection), ErrAuth, ErrTimeout,
// ErrMalformedResponse, ErrNotFound; errors.As(err, **RPCError) gives the
// daemon's code and message. New and Dial validate their Config first: an
// invalid field gives an error matching ErrInvalidConfig (a *ConfigError
// naming the field), before any connection is tried.
package rpc
