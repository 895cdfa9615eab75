// Package regtest runs real Bitcoin and Lightning peers (btcd and lnd) on a
// private regtest chain for lnkit's tests. It is a test harness, not public
// API: import it only from _test.go files.
//
// # Programs
//
// The pinned btcd (BtcdVersion) and lnd (LndVersion, built with
// LndBuildTags) are built from the Go module proxy into a cache outside the
// work tree,
// ${XDG_CACHE_HOME:-$HOME/.cache}/lnkit/peers/<name>-<version>[-<tagshash>]/.
// Only the first run on a machine pays (about 20 s for btcd, 4-5 minutes for
// lnd and lncli on 2 cores, then a few minutes more for lnd-fastfee, below).
// `make peers` (go run ./internal/regtest/cmd/installpeers) builds them
// ahead of time, and `make test` runs it first; tests that find the cache
// empty build on demand, so plain `go test` works on a fresh machine given
// enough -timeout. Parallel test processes take turns with a file lock and
// each set is renamed into place only when complete. If the build fails the
// test fails with the reason: nothing here ever skips. Binaries returns the
// paths; Install is the same for non-test code.
//
// # lnd-fastfee
//
// The lnd directory also holds lnd-fastfee (Paths.LndFastFee, run with
// LndOptions.FastFee): the same lnd, module version, build tags and flags,
// with one difference in htlcswitch/link.go: the bounds of the timer at
// which each channel link checks its fee estimate and, as the channel's
// opener, sends update_fee when the estimate moved by 10% or more. Release
// lnd draws that interval between DefaultMinLinkFeeUpdateTimeout (10
// minutes) and DefaultMaxLinkFeeUpdateTimeout (60 minutes) and offers no
// flag for it; lnd-fastfee uses LndFastFeeMinUpdate and LndFastFeeMaxUpdate
// (2 and 5 seconds). The interval is a field of the link's configuration,
// which lnd's own link tests set (and they fire the timer directly to test
// update_fee); only the lnd binary leaves no way to set it. A test that
// needs lnd as a channel's opener to send update_fee (an lnkit node must
// accept it) would otherwise wait up to an hour. Everything else, including
// how lnd decides the new rate and what it sends, is release lnd. The
// installer vendors lnd's sources in its throw-away module, replaces the two
// constants' lines (failing the install if either is not found exactly once,
// as after an lnd upgrade that moved them) and builds with the go build
// cache still warm from lnd, so only the packages that import htlcswitch are
// compiled again. `lnd-fastfee --version` shows the variant in its commit.
//
// lnd's fee estimate comes from btcd's estimatefee unless LndOptions.FeeURL
// is set: StartFeeServer serves lnd's --fee.url format (sat/kvB by
// confirmation target) at a rate in sat/kw the test sets with SetRate, and
// lnd on regtest queries it at every estimate (it caches web estimates
// only on other networks).
//
// # A chain
//
//	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
//	btcd.ActivateSegwit(t)                   // mine to height 432
//	tx := btcd.SendTo(t, pkScript, 100_000)  // output 0 pays pkScript
//	btcd.Generate(t, 1)                      // confirm it
//
// StartBtcd starts btcd in its own temporary directory with TLS JSON-RPC
// (RPCAddr, RPCUser, RPCPass, RPCCertPath) and a P2P listener (P2PAddr), all
// on 127.0.0.1 with ports picked at run time. btcd has no wallet: every
// block pays a P2PKH MiningAddr whose key the harness holds, and SendTo
// spends those coinbases once mature (100 blocks). RPC calls any btcd
// method (TryRPC returns the error instead of failing the test); Broadcast
// sends a transaction the test signed itself. Segwit, CSV and taproot
// activate at height 432 (SegwitHeight): call ActivateSegwit before any
// witness spend and before starting lnd. For a reorg, start two nodes,
// Connect them, Disconnect, mine branches of different lengths on each,
// Connect again and WaitSyncedWith. btcd deletes its regtest chain when it
// starts, so it cannot be restarted; test restarts on the lnd or lnkit side.
//
// # Lightning nodes
//
//	alice := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "alice"})
//	bob := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "bob"})
//	alice.Fund(t, 1_000_000)                         // sat, confirmed
//	chanPoint := alice.OpenChannel(t, bob, 500_000)  // active and routable
//	var inv struct {
//		PaymentRequest string `json:"payment_request"`
//	}
//	bob.CLIJSON(t, &inv, "addinvoice", "--amt=1000")
//	alice.CLI(t, "payinvoice", "--force", "--pay_req="+inv.PaymentRequest)
//
// StartLnd returns once lnd is SERVER_ACTIVE and synced to btcd's tip.
// NodeID (hex) and PubKey identify it, P2PAddr is where Lightning peers
// connect (an lnkit node under test dials it, or lnd dials the lnkit node
// with ConnectPeerAddr). CLI runs lncli against the node and returns its
// JSON output (TryCLI returns the error instead); lncli prints 64-bit
// integers as strings, so decode them with `json:",string"`. After mining,
// WaitSynced before asking lnd about the new blocks. A channel is usable
// for payments only once WaitRoute succeeds, a moment after it is active.
// Restart stops lnd and starts it again with the same identity, wallet,
// channels and ports.
// LndOptions.REST serves lnd's REST API on RESTAddr (TLS with TLSCertPath,
// the macaroon at AdminMacaroonPath in the Grpc-Metadata-macaroon
// header), for a client that must not pay lncli's process start per call.
//
// For channels with another implementation (an lnkit node), OpenChannelTo
// runs `lncli openchannel` with LndOpen (--private, --channel_type anchors
// or tweakless, --remote_csv_delay, --push_amt; never zero-conf) and
// returns once the funding transaction is in btcd's mempool
// (TryOpenChannelTo returns lnd's or the peer's refusal instead).
// ListChannels/FindChannel (lnd v0.20's fields: chan_id is the hex channel
// id, scid the short channel id), PendingChannels, ClosedChannels,
// GraphHasChannel (describegraph) and WalletBalance read lnd's view;
// CloseChannel (cooperative or --force) returns the closing txid once the
// transaction is in the mempool.
//
// # Payments
//
// The payment helpers take a context.Context and return errors, so they
// also run in goroutines; amounts are in millisatoshis. AddInvoice,
// LookupInvoice (ErrInvoiceNotFound), CancelInvoice and WaitInvoiceSettled
// (ErrInvoiceCanceled) handle lnd's invoices; PayInvoice, PayInvoiceAmount
// (amountless invoices) and SendKeysend pay and return a PaymentResult
// (preimage, fee, status, failure reason), with a *PaymentFailedError when
// lnd reports the payment FAILED; PayConcurrently pays many invoices at a
// bounded concurrency; ListPayments lists them all. ChannelBalanceMsat
// gives the exact balances, ListChannelsDetail the per-channel view
// (pending HTLCs, commitment fee, satoshis only), and WaitHTLCsResolved
// waits until no HTLC is in flight, before reading balances. lnd runs with
// --accept-keysend. lncli takes keysend and amountless-invoice amounts in
// whole satoshis, and lnd sends no HTLC below 1000 msat (its default
// --bitcoin.minhtlcout).
//
// # Cleanup and failures
//
// Every daemon is stopped by its PID in t.Cleanup, also when the test fails
// (SIGTERM, then SIGKILL after a grace period), and the kernel kills it if
// the test binary dies first. When the test has failed, the cleanup prints
// the last lines of each daemon's log (its stdout and stderr, kept as
// *.out.log in its directory). Methods that take a testing.TB call t.Fatalf
// on error, so call them from the test's goroutine; use TryRPC and TryCLI
// elsewhere. Waits give up after WaitTimeout.
package regtest
