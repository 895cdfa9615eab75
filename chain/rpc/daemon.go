package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Daemon is the kind of full node behind a [Client].
type Daemon uint8

// The daemon kinds.
const (
	// DaemonUnknown means not detected yet.
	DaemonUnknown Daemon = iota
	// DaemonBitcoind is Bitcoin Core (or a compatible node answering
	// getnetworkinfo).
	DaemonBitcoind
	// DaemonBtcd is btcd.
	DaemonBtcd
)

// String names the daemon kind.
func (d Daemon) String() string {
	switch d {
	case DaemonBitcoind:
		return "bitcoind"
	case DaemonBtcd:
		return "btcd"
	default:
		return "unknown"
	}
}

// Daemon returns the daemon kind, detecting it on the first call: bitcoind
// answers getnetworkinfo; btcd refuses it (unimplemented) but answers its own
// "version" method.
func (c *Client) Daemon(ctx context.Context) (Daemon, error) {
	c.infoMu.Lock()
	defer c.infoMu.Unlock()
	if c.daemon != DaemonUnknown {
		return c.daemon, nil
	}
	d, err := c.detect(ctx)
	if err != nil {
		return DaemonUnknown, err
	}
	c.daemon = d
	c.cfg.Logger.Debug("rpc: detected daemon", "daemon", d, "host", c.cfg.Host)
	return d, nil
}

// detect asks the daemon what it is.
func (c *Client) detect(ctx context.Context) (Daemon, error) {
	_, err := c.Call(ctx, "getnetworkinfo")
	if err == nil {
		return DaemonBitcoind, nil
	}
	var rpcErr *RPCError
	if !errors.As(err, &rpcErr) {
		return DaemonUnknown, err
	}
	raw, err := c.Call(ctx, "version")
	if err != nil {
		if errors.As(err, &rpcErr) {
			// Neither: treat as bitcoind-compatible.
			return DaemonBitcoind, nil
		}
		return DaemonUnknown, err
	}
	var versions map[string]json.RawMessage
	if err := json.Unmarshal(raw, &versions); err != nil {
		return DaemonUnknown, fmt.Errorf("%w: version: %v", ErrMalformedResponse, err)
	}
	if _, ok := versions["btcdjsonrpcapi"]; ok {
		return DaemonBtcd, nil
	}
	return DaemonBitcoind, nil
}
