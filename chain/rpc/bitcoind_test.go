package rpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
	lnwire "github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// The client implements the chain interfaces.
var (
	_ chain.Broadcaster     = (*Client)(nil)
	_ chain.FeeEstimator    = (*Client)(nil)
	_ chain.BlockSource     = (*Client)(nil)
	_ chain.BlockHashSource = (*Client)(nil)
)

// genesisHash is mainnet's genesis block hash, the block the fixtures
// describe.
var genesisHash = *chaincfg.MainNetParams.GenesisHash

// newBitcoind starts a fake bitcoind answering every fixture named after a
// method, and a client for it.
func newBitcoind(t *testing.T, mod func(*Config)) (*fakeBitcoind, *Client) {
	t.Helper()
	f := newFakeBitcoind(t, "alice", "secret")
	for _, m := range []string{"getnetworkinfo", "getblockchaininfo", "getbestblockhash", "getblockhash",
		"getblock", "getrawtransaction", "gettxout", "estimatesmartfee", "sendrawtransaction"} {
		f.onFixture(m, m)
	}
	f.on("getblockheader", func(r rpcReq) reply {
		if len(r.Params) > 1 && string(r.Params[1]) == "false" {
			return reply{fixture: fixture(t, "getblockheader_raw")}
		}
		return reply{fixture: fixture(t, "getblockheader_verbose")}
	})
	cfg := Config{Host: f.host(), User: "alice", Password: "secret"}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return f, c
}

// TestBitcoindCalls checks each wrapped call against recorded answers.
func TestBitcoindCalls(t *testing.T) {
	ctx := context.Background()
	f, c := newBitcoind(t, nil)

	d, err := c.Daemon(ctx)
	require.NoError(t, err)
	require.Equal(t, DaemonBitcoind, d)

	info, err := c.BlockchainInfo(ctx)
	require.NoError(t, err)
	require.Equal(t, "main", info.Chain)
	require.Equal(t, genesisHash, info.BestBlockHash)
	require.True(t, info.InitialBlockDownload)
	params, err := c.Params(ctx)
	require.NoError(t, err)
	require.Equal(t, chaincfg.MainNetParams.Net, params.Net)

	hash, height, err := c.BestBlock(ctx)
	require.NoError(t, err)
	require.Equal(t, genesisHash, hash)
	require.Zero(t, height)

	best, err := c.BestBlockHash(ctx)
	require.NoError(t, err)
	require.Equal(t, genesisHash, best)

	byHeight, err := c.BlockHash(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, genesisHash, byHeight)

	raw, err := c.RawHeader(ctx, genesisHash)
	require.NoError(t, err)
	require.Equal(t, chaincfg.MainNetParams.GenesisBlock.Header, *raw)

	hd, err := c.Header(ctx, genesisHash)
	require.NoError(t, err)
	require.Equal(t, genesisHash, hd.Hash)
	require.Zero(t, hd.Height)
	require.Equal(t, chaincfg.MainNetParams.GenesisBlock.Header.BlockHash(), hd.Header.BlockHash())

	block, err := c.Block(ctx, genesisHash)
	require.NoError(t, err)
	require.Len(t, block.Transactions, 1)
	coinbaseID := block.Transactions[0].TxHash()

	tx, err := c.RawTransaction(ctx, coinbaseID)
	require.NoError(t, err)
	require.Equal(t, coinbaseID, tx.TxHash())

	out, err := c.TxOut(ctx, btcwire.OutPoint{Hash: coinbaseID}, true)
	require.NoError(t, err)
	require.Equal(t, lnwire.Satoshi(50_0000_0000), out.Value)
	require.True(t, out.Coinbase)
	require.Equal(t, block.Transactions[0].TxOut[0].PkScript, out.PkScript)

	f.onFixture("gettxout", "gettxout_spent")
	out, err = c.TxOut(ctx, btcwire.OutPoint{Hash: coinbaseID}, false)
	require.NoError(t, err)
	require.Nil(t, out)

	// Parameters are sent the way bitcoind documents them.
	var sent []string
	for _, r := range f.requests() {
		params, _ := json.Marshal(r.Params)
		sent = append(sent, r.Method+string(params))
		require.Equal(t, "1.0", r.JSONRPC)
	}
	h := `"` + genesisHash.String() + `"`
	cb := `"` + coinbaseID.String() + `"`
	require.Equal(t, []string{
		"getnetworkinfo[]",
		"getblockchaininfo[]",
		"getblockchaininfo[]",
		"getblockchaininfo[]",
		"getbestblockhash[]",
		"getblockhash[0]",
		"getblockheader[" + h + ",false]",
		"getblockheader[" + h + ",true]",
		"getblock[" + h + ",0]",
		"getrawtransaction[" + cb + "]",
		"gettxout[" + cb + ",0,true]",
		"gettxout[" + cb + ",0,false]",
	}, sent)
}

// TestBitcoindNotFound checks that code -5 matches ErrNotFound and
// *RPCError.
func TestBitcoindNotFound(t *testing.T) {
	f, c := newBitcoind(t, nil)
	f.onFixture("getblock", "error_block_not_found")
	_, err := c.Block(context.Background(), genesisHash)
	require.ErrorIs(t, err, ErrNotFound)
	var rpcErr *RPCError
	require.ErrorAs(t, err, &rpcErr)
	require.Equal(t, CodeNotFound, rpcErr.Code)
	require.Equal(t, "Block not found", rpcErr.Message)
	require.ErrorIs(t, err, &RPCError{Code: -5})
	require.NotErrorIs(t, err, &RPCError{Code: -8})
	require.Equal(t, "rpc: getblock: error -5: Block not found", rpcErr.Error())
}

// TestBitcoindGetblockBoolFallback checks the switch to verbose=false for a
// daemon refusing an integer verbosity, remembered for later calls.
func TestBitcoindGetblockBoolFallback(t *testing.T) {
	f, c := newBitcoind(t, nil)
	f.on("getblock", func(r rpcReq) reply {
		if string(r.Params[1]) != "false" {
			return reply{fixture: fixture(t, "getblock_wants_bool")}
		}
		return reply{fixture: fixture(t, "getblock")}
	})
	for range 2 {
		_, err := c.Block(context.Background(), genesisHash)
		require.NoError(t, err)
	}
	var params []string
	for _, r := range f.requests() {
		params = append(params, string(r.Params[1]))
	}
	require.Equal(t, []string{"0", "false", "false"}, params)
}

// TestBitcoindFeeRate covers estimatesmartfee: conversion to sat/kw
// rounding up, the 253 floor, the mode, and the fallback.
func TestBitcoindFeeRate(t *testing.T) {
	tests := []struct {
		name     string
		fixture  string
		info     string // getblockchaininfo fixture
		fallback lnwire.FeeRate
		target   chain.ConfirmationTarget
		want     lnwire.FeeRate
		wantErr  error
		wantMode string
	}{
		{name: "estimate", fixture: "estimatesmartfee", target: chain.TargetUrgentSweep, want: 3087, wantMode: `"CONSERVATIVE"`},
		{name: "economical", fixture: "estimatesmartfee", target: chain.TargetAnchorChannelFee, want: 3087, wantMode: `"ECONOMICAL"`},
		{name: "1 sat/vB is raised to the floor", fixture: "estimatesmartfee_low", target: chain.TargetAnchorChannelFee, want: 253},
		{name: "no data on regtest: default fallback", fixture: "estimatesmartfee_nodata", info: "getblockchaininfo_regtest", target: chain.TargetUrgentSweep, want: DefaultRegtestFallbackFeeRate},
		{name: "no data, configured fallback", fixture: "estimatesmartfee_nodata", fallback: 5000, target: chain.TargetUrgentSweep, want: 5000},
		{name: "fallback below floor", fixture: "estimatesmartfee_nodata", fallback: 100, target: chain.TargetUrgentSweep, want: 253},
		{name: "no data on mainnet, no fallback", fixture: "estimatesmartfee_nodata", target: chain.TargetUrgentSweep, wantErr: ErrNoFeeEstimate},
		{name: "rpc error: fallback", fixture: "error_method_not_found", fallback: 4000, target: chain.TargetMaximum, want: 4000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newBitcoind(t, func(cfg *Config) { cfg.FallbackFeeRate = tc.fallback })
			f.onFixture("estimatesmartfee", tc.fixture)
			if tc.info != "" {
				f.onFixture("getblockchaininfo", tc.info)
			}
			got, err := c.FeeRate(context.Background(), tc.target)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			if tc.wantMode != "" {
				for _, r := range f.requests() {
					if r.Method == "estimatesmartfee" {
						require.Equal(t, tc.wantMode, string(r.Params[1]))
						require.Equal(t, json.RawMessage(jsonInt(tc.target.Blocks())), r.Params[0])
					}
				}
			}
		})
	}
}

// jsonInt formats n as JSON.
func jsonInt(n uint32) string { b, _ := json.Marshal(n); return string(b) }

// TestBitcoindSendRawTransaction covers the answers that count as success.
func TestBitcoindSendRawTransaction(t *testing.T) {
	tx := chaincfg.MainNetParams.GenesisBlock.Transactions[0]
	tests := []struct {
		fixture string
		ok      bool
		code    int
	}{
		{fixture: "sendrawtransaction", ok: true},
		{fixture: "sendraw_already_in_chain", ok: true},
		{fixture: "sendraw_outputs_in_utxo_set", ok: true},
		{fixture: "sendraw_already_in_mempool", ok: true},
		{fixture: "sendraw_already_known", ok: true},
		{fixture: "sendraw_missing_inputs", code: CodeVerifyError},
		{fixture: "sendraw_min_relay_fee", code: CodeVerifyRejected},
		{fixture: "sendraw_mempool_conflict", code: CodeVerifyRejected},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			f, c := newBitcoind(t, nil)
			f.onFixture("sendrawtransaction", tc.fixture)
			txid, err := c.SendRawTransaction(context.Background(), tx)
			berr := c.BroadcastTransactions(context.Background(), tx, tx)
			if tc.ok {
				require.NoError(t, err)
				require.NoError(t, berr)
				require.Equal(t, tx.TxHash(), txid)
				var buf bytes.Buffer
				require.NoError(t, tx.Serialize(&buf))
				require.Equal(t, `"`+hex.EncodeToString(buf.Bytes())+`"`, string(f.requests()[0].Params[0]))
				return
			}
			var rpcErr *RPCError
			require.ErrorAs(t, err, &rpcErr)
			require.Equal(t, tc.code, rpcErr.Code)
			require.ErrorAs(t, berr, &rpcErr)
			require.Len(t, f.requests(), 2, "broadcast stops at the first failure")
		})
	}
}

// TestBitcoindAuth covers a wrong password and cookie files, including a
// cookie rewritten by a daemon restart.
func TestBitcoindAuth(t *testing.T) {
	ctx := context.Background()
	t.Run("wrong password", func(t *testing.T) {
		_, c := newBitcoind(t, func(cfg *Config) { cfg.Password = "wrong" })
		_, err := c.BestBlockHash(ctx)
		require.ErrorIs(t, err, ErrAuth)
		var st *HTTPStatusError
		require.ErrorAs(t, err, &st)
		require.Equal(t, 401, st.StatusCode)
		require.NotErrorIs(t, err, ErrConnection)
	})
	t.Run("cookie", func(t *testing.T) {
		cookie := filepath.Join(t.TempDir(), ".cookie")
		require.NoError(t, os.WriteFile(cookie, []byte("__cookie__:first"), 0o600))
		f, c := newBitcoind(t, func(cfg *Config) { cfg.User, cfg.Password, cfg.CookieFile = "", "", cookie })
		f.setAuth("__cookie__", "first")
		_, err := c.BestBlockHash(ctx)
		require.NoError(t, err)

		// The daemon restarts with a new cookie: the client re-reads it.
		require.NoError(t, os.WriteFile(cookie, []byte("__cookie__:second\n"), 0o600))
		f.setAuth("__cookie__", "second")
		_, err = c.BestBlockHash(ctx)
		require.NoError(t, err)

		// A cookie that does not work fails with ErrAuth.
		f.setAuth("__cookie__", "third")
		_, err = c.BestBlockHash(ctx)
		require.ErrorIs(t, err, ErrAuth)
	})
	t.Run("bad cookie file", func(t *testing.T) {
		cookie := filepath.Join(t.TempDir(), ".cookie")
		require.NoError(t, os.WriteFile(cookie, []byte("no-colon"), 0o600))
		_, c := newBitcoind(t, func(cfg *Config) { cfg.CookieFile = cookie })
		_, err := c.BestBlockHash(ctx)
		require.Error(t, err)
		require.Contains(t, err.Error(), "cookie")
	})
}

// TestBitcoindKeepAlive checks that sequential calls reuse one connection.
func TestBitcoindKeepAlive(t *testing.T) {
	f, c := newBitcoind(t, nil)
	for range 20 {
		_, err := c.BestBlockHash(context.Background())
		require.NoError(t, err)
	}
	// Usually exactly one; the transport may dial a spare while a
	// finished connection is on its way back to the idle pool.
	require.LessOrEqual(t, f.conns.Load(), int32(3))
}

// TestDialChecksNetwork checks Dial's network check.
func TestDialChecksNetwork(t *testing.T) {
	f, _ := newBitcoind(t, nil)
	cfg := Config{Host: f.host(), User: "alice", Password: "secret", Params: &chaincfg.RegressionNetParams}
	_, err := Dial(context.Background(), cfg)
	require.ErrorIs(t, err, ErrWrongNetwork)
	cfg.Params = &chaincfg.MainNetParams
	c, err := Dial(context.Background(), cfg)
	require.NoError(t, err)
	c.Close()
}

// TestParamsForChain maps both daemons' network names.
func TestParamsForChain(t *testing.T) {
	tests := []struct {
		name string
		want *chaincfg.Params
	}{
		{"main", &chaincfg.MainNetParams}, {"mainnet", &chaincfg.MainNetParams},
		{"test", &chaincfg.TestNet3Params}, {"testnet3", &chaincfg.TestNet3Params},
		{"regtest", &chaincfg.RegressionNetParams},
		{"signet", &chaincfg.SigNetParams},
		{"simnet", &chaincfg.SimNetParams},
		{"testnet4", nil}, {"", nil}, {"Main", nil},
	}
	for _, tc := range tests {
		got, err := ParamsForChain(tc.name)
		if tc.want == nil {
			require.ErrorIs(t, err, ErrUnknownNetwork, tc.name)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.want.Net, got.Net, tc.name)
	}
}

// TestIsAlreadyKnown covers non-RPC errors.
func TestIsAlreadyKnown(t *testing.T) {
	require.False(t, IsAlreadyKnown(nil))
	require.False(t, IsAlreadyKnown(errors.New("txn-already-known")))
	require.True(t, IsAlreadyKnown(&RPCError{Code: -26, Message: "TX rejected: already have transaction in mempool abc"}))
	require.True(t, IsAlreadyKnown(&RPCError{Code: -27, Message: "TX rejected: transaction already exists in blockchain"}))
	require.False(t, IsAlreadyKnown(&RPCError{Code: -26, Message: "TX rejected: output already spent in mempool"}))
}

// TestDaemonString names the kinds.
func TestDaemonString(t *testing.T) {
	require.Equal(t, "bitcoind", DaemonBitcoind.String())
	require.Equal(t, "btcd", DaemonBtcd.String())
	require.Equal(t, "unknown", DaemonUnknown.String())
	require.True(t, strings.HasPrefix((&HTTPStatusError{Method: "m", StatusCode: 503, Body: "x"}).Error(), "rpc: m: HTTP 503"))
}
