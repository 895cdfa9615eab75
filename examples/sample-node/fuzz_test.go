package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzExecute feeds arbitrary command lines to the console's parser: it
// must never panic, and a line either fails or yields a result.
func FuzzExecute(f *testing.F) {
	for _, s := range []string{
		"help", "nodeinfo", "listpeers", "quit", "", "  \t ",
		"connectpeer " + testNodeID + "@127.0.0.1:9735",
		"connectpeer " + testNodeID + "@[::1]:1",
		"connectpeer @:", "connectpeer x@y@z:1",
		"disconnectpeer " + testNodeID, "disconnectpeer 02",
		"signmessage hello  world ", "signmessage",
		"nodeinfo nodeinfo", "\x00\xff",
		"openchannel " + testNodeID + "@127.0.0.1:9735 100000 --public --with-anchors --push-msat 1000",
		"openchannel " + testNodeID + "@h:1 1 --push-msat=", "openchannel --push-msat",
		"closechannel " + strings.Repeat("0", 64) + " " + testNodeID,
		"forceclosechannel zz " + testNodeID, "listchannels", "listclosed", "getbalance",
		"newaddress", "listtransactions", "sendtoaddress bcrt1q 1", "sendtoaddress x -1",
		"getinvoice 1000 60 a  b", "getinvoice 0 1", "getinvoice 1 0", "sendpayment lnbcrt1x 5", "sendpayment",
		"keysend " + testNodeID + " 1", "keysend x 0", "listpayments", "listpayments x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := execute(context.Background(), &fakeNode{}, line)
		require.False(t, err == nil && r == nil && strings.TrimSpace(line) != "", "%q: no result and no error", line)
		if r != nil {
			r.writeText(io.Discard)
			printer{w: io.Discard, json: true}.result(r)
		}
	})
}

// FuzzParseArgs parses arbitrary argument lists (NUL-separated): it must
// never panic, and an accepted configuration is complete.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{
		"u:p@127.0.0.1:18334\x00/d",
		"--json\x00--rpccert\x00c\x00u:p@h:1\x00/d\x000\x00testnet\x00alias\x00a:1\x00b:2",
		"u:p:a@b@[::1]:8332\x00/d\x009735\x00signet",
		"-h", "", "u@h\x00d", "u:p@h:99999\x00d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		var args []string
		if joined != "" {
			args = strings.Split(joined, "\x00")
		}
		cfg, err := parseArgs(args, io.Discard)
		if err != nil {
			return
		}
		require.NotNil(t, cfg.Params, "incomplete config from %q: %+v", args, cfg)
		require.NotEqual(t, "", cfg.DataDir, "incomplete config from %q: %+v", args, cfg)
		require.NotEqual(t, "", cfg.RPC.Host, "incomplete config from %q: %+v", args, cfg)
		require.NotEqual(t, "", cfg.LogFile, "incomplete config from %q: %+v", args, cfg)
		require.NotEqual(t, "", cfg.Bind, "incomplete config from %q: %+v", args, cfg)
		require.LessOrEqual(t, len(cfg.Alias), maxAliasLen, "alias too long: %q", cfg.Alias)
	})
}
