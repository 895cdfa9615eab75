// Package interop tests lnkit against a real lnd on a private regtest chain
// run by internal/regtest. It holds tests only (this file exists so the
// package builds): `go test ./internal/interop` starts btcd and lnd, which
// `make peers` builds once per machine.
//
// TestPeerLnd covers the peer layer (peer.Manager over peer/tcp):
// connections in both directions and the init features each side sees,
// 90 s of idle time with pings both ways, disconnection from either side,
// reconnection, and lnd-compatible message signatures. It takes about
// 100 s, most of it the idle period.
//
// TestChannelsLnd covers channels (issue 16) through the sample node run
// as a process (examples/sample-node with --json, driven through its
// standard input): opening in both directions, public and private, both
// channel types; lnd's graph and verifymessage; cooperative and force
// closes from either side with balances to the satoshi; restarts of either
// node around channel_ready and while open; and open_channel parameters
// lnkit's limits refuse. Its scenarios run in parallel, each on its own
// btcd, lnd and sample node.
//
// TestPaymentsLnd covers payments (issue 17) over one channel of each
// type with the sample node: invoices and keysend both ways, failures
// decoded from lnd's onion errors, 200 payments each way at concurrency 1
// and 16, update_fee from either opener while the concurrency-16 payments
// flow (lnkit's anchor channel: the sample node's fee rate rises; lnd's
// static_remotekey channel: lnd-fastfee, whose links check the estimate
// every few seconds, with its estimate from a regtest.FeeServer that the
// test raises), HTLCs in flight across a disconnection and a crash of the
// sample node, and a cooperative close at the new rate; balances to the
// msat after every step. It takes about 4-5 minutes on a
// busy 2-core machine, most of it lnd's side of the concurrency-1
// payments (one lncli process per payment).
//
// TestForwardingLnd covers payments across the network (issue 19): per
// channel type, one chain with four lnds and the sample node (A-lnkit-B,
// A-C-B and C-D-B, all public): A pays B through lnkit (its fee exactly
// its policy's), lnkit pays C over its gossip graph and C pays lnkit, a
// multi-part payment each way that needs both paths, a failure at A for
// want of balance on A-C decoded by lnkit to A's channel and retried
// through B, a payment to D while lnd C is offline (A fails it with
// unknown_next_peer, lnkit decodes it to A-C and retries through B), and a
// forward whose downstream lnd force-closes with two HTLCs, settling one
// on chain (lnkit claims upstream with the preimage it reads there) and
// letting the other expire (lnkit times it out on chain and fails
// upstream). Balances to the msat on every node after each step, wallets
// to the satoshi after the force close. About 1.5-2.5 minutes on a busy
// 2-core machine, most of it starting the nodes (each lnd creating its
// wallet) and opening the channels, and the force close's blocks.
package interop
