// Package interop tests lnkit against a real lnd on a private regtest chain
// run by internal/regtest. It holds tests only (this file exists so the
// package builds): `go test ./internal/interop` starts btcd and lnd, which
// `make peers` builds once per machine.
//
// TestPeerLnd covers the peer layer (peer.Manager over peer/tcp):
// connections in both directions and the init features each side sees,
// 90 s of idle time with pings both ways, disconnection from either side,
// reconnection, and lnd-compatible message signatures, including through
// the sample node's command line. It takes about 100 s, most of it the idle
// period.
package interop
