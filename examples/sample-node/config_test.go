package main

import (
	"errors"
	"flag"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"
)

func TestParseArgs(t *testing.T) {
	const rpc = "user:pass@127.0.0.1:18334"
	tests := []struct {
		name string
		args []string
		want config // checked fields: everything but Params (checked by Net)
		net  chaincfg.Params
		err  string
	}{
		{
			name: "minimal, defaults",
			args: []string{rpc, "/data"},
			want: config{
				RPC: rpcEndpoint{User: "user", Pass: "pass", Host: "127.0.0.1:18334"}, DataDir: "/data",
				ListenPort: 9735, Network: "regtest", LogFile: filepath.Join("/data", "logs", "node.log"), Bind: "127.0.0.1",
			},
			net: chaincfg.RegressionNetParams,
		},
		{
			name: "everything",
			args: []string{"--json", "--rpccert", "/c/rpc.cert", "--log", "/l.log", "--loglevel", "debug", rpc, "/d", "0", "testnet", "alice", "1.2.3.4:9735", "example.com:9736"},
			want: config{
				JSON: true, RPCCert: "/c/rpc.cert", LogFile: "/l.log", LogLevel: "debug", Bind: "0.0.0.0",
				RPC: rpcEndpoint{User: "user", Pass: "pass", Host: "127.0.0.1:18334"}, DataDir: "/d",
				ListenPort: 0, Network: "testnet", Alias: "alice", AnnounceAddrs: []string{"1.2.3.4:9735", "example.com:9736"},
			},
			net: chaincfg.TestNet3Params,
		},
		{
			name: "single-dash flags and bind",
			args: []string{"-json", "-bind=::1", rpc, "/d", "9999", "mainnet"},
			want: config{
				JSON: true, Bind: "::1", LogFile: filepath.Join("/d", "logs", "node.log"),
				RPC: rpcEndpoint{User: "user", Pass: "pass", Host: "127.0.0.1:18334"}, DataDir: "/d",
				ListenPort: 9999, Network: "mainnet",
			},
			net: chaincfg.MainNetParams,
		},
		{
			name: "password with colon and at",
			args: []string{"u:p:a@ss@[::1]:8332", "/d", "9735", "signet"},
			want: config{
				RPC: rpcEndpoint{User: "u", Pass: "p:a@ss", Host: "[::1]:8332"}, DataDir: "/d",
				ListenPort: 9735, Network: "signet", LogFile: filepath.Join("/d", "logs", "node.log"), Bind: "0.0.0.0",
			},
			net: chaincfg.SigNetParams,
		},
		{
			name: "empty password",
			args: []string{"u:@localhost:1", "/d"},
			want: config{
				RPC: rpcEndpoint{User: "u", Host: "localhost:1"}, DataDir: "/d",
				ListenPort: 9735, Network: "regtest", LogFile: filepath.Join("/d", "logs", "node.log"), Bind: "127.0.0.1",
			},
			net: chaincfg.RegressionNetParams,
		},
		{
			name: "channel policy flags",
			args: []string{"--no-accept-inbound", "--to-self-delay", "10", rpc, "/d"},
			want: config{
				NoAcceptInbound: true, ToSelfDelay: 10,
				RPC: rpcEndpoint{User: "user", Pass: "pass", Host: "127.0.0.1:18334"}, DataDir: "/d",
				ListenPort: 9735, Network: "regtest", LogFile: filepath.Join("/d", "logs", "node.log"), Bind: "127.0.0.1",
			},
			net: chaincfg.RegressionNetParams,
		},
		{name: "to_self_delay too small", args: []string{"--to-self-delay", "5", rpc, "/d"}, err: "--to-self-delay 5: want 6 to 2016 blocks"},
		{name: "to_self_delay too large", args: []string{"--to-self-delay", "2017", rpc, "/d"}, err: "want 6 to 2016 blocks"},
		{name: "to_self_delay not a number", args: []string{"--to-self-delay", "soon", rpc, "/d"}, err: "invalid value"},
		{name: "no args", args: nil, err: "need at least"},
		{name: "no datadir", args: []string{rpc}, err: "need at least"},
		{name: "empty datadir", args: []string{rpc, ""}, err: "empty data directory"},
		{name: "rpc without at", args: []string{"user:pass", "/d"}, err: "<rpcuser>:<rpcpass>@<host>:<port>"},
		{name: "rpc without colon", args: []string{"user@h:1", "/d"}, err: "credentials"},
		{name: "rpc without user", args: []string{":p@h:1", "/d"}, err: "credentials"},
		{name: "rpc without port", args: []string{"u:p@host", "/d"}, err: "RPC address"},
		{name: "rpc port zero", args: []string{"u:p@host:0", "/d"}, err: "RPC address"},
		{name: "rpc port too big", args: []string{"u:p@host:65536", "/d"}, err: "RPC address"},
		{name: "rpc empty host", args: []string{"u:p@:1", "/d"}, err: "empty host"},
		{name: "bad listen port", args: []string{rpc, "/d", "port"}, err: "listen port"},
		{name: "listen port too big", args: []string{rpc, "/d", "70000"}, err: "listen port"},
		{name: "negative listen port", args: []string{rpc, "/d", "-1"}, err: "flag provided but not defined: -1"},
		{name: "unknown network", args: []string{rpc, "/d", "9735", "litecoin"}, err: "unknown network"},
		{name: "alias too long", args: []string{rpc, "/d", "9735", "regtest", "123456789012345678901234567890123"}, err: "alias"},
		{name: "bad announce address", args: []string{rpc, "/d", "9735", "regtest", "a", "nope"}, err: "announce address"},
		{name: "unknown flag", args: []string{"--nope", rpc, "/d"}, err: "not defined"},
		{name: "bad log level", args: []string{"--loglevel", "loud", rpc, "/d"}, err: "log level"},
		{name: "bad flag value after positionals", args: []string{rpc, "/d", "--loglevel", "loud"}, err: "log level"},
		{
			name: "flags anywhere",
			args: []string{rpc, "--json", "/d", "0", "--bind", "::1", "regtest", "--loglevel=debug"},
			want: config{
				JSON: true, Bind: "::1", LogLevel: "debug", LogFile: filepath.Join("/d", "logs", "node.log"),
				RPC: rpcEndpoint{User: "user", Pass: "pass", Host: "127.0.0.1:18334"}, DataDir: "/d",
				ListenPort: 0, Network: "regtest",
			},
			net: chaincfg.RegressionNetParams,
		},
		{
			name: "channel limits and fee floor",
			args: []string{"--min-channel-sat=50000", "--max-to-self-delay", "500", "--min-fee-rate=5000", rpc, "/d"},
			want: config{
				MinChannelSat: 50_000, MaxToSelfDelay: 500, MinFeeRate: 5000,
				RPC: rpcEndpoint{User: "user", Pass: "pass", Host: "127.0.0.1:18334"}, DataDir: "/d",
				ListenPort: 9735, Network: "regtest", LogFile: filepath.Join("/d", "logs", "node.log"), Bind: "127.0.0.1",
			},
			net: chaincfg.RegressionNetParams,
		},
		{name: "max to_self_delay above 2016", args: []string{"--max-to-self-delay=2017", rpc, "/d"}, err: "--max-to-self-delay 2017"},
		{
			name: "forwarding fee",
			args: []string{"--fee-base-msat=2500", "--fee-ppm", "350", "--gossip-interval=2s", "--tick-interval=1s", rpc, "/d"},
			want: config{
				FeeBaseMsat: ptrTo(uint32(2500)), FeePPM: ptrTo(uint32(350)), GossipInterval: 2 * time.Second, TickInterval: time.Second,
				RPC: rpcEndpoint{User: "user", Pass: "pass", Host: "127.0.0.1:18334"}, DataDir: "/d",
				ListenPort: 9735, Network: "regtest", LogFile: filepath.Join("/d", "logs", "node.log"), Bind: "127.0.0.1",
			},
			net: chaincfg.RegressionNetParams,
		},
		{name: "forwarding fee above 2^32", args: []string{"--fee-ppm=4294967296", rpc, "/d"}, err: "fee-ppm"},
		{name: "fee floor above 2^32", args: []string{"--min-fee-rate=4294967296", rpc, "/d"}, err: "--min-fee-rate"},
		{
			name: "double dash ends the flags",
			args: []string{"--json", rpc, "/d", "--", "9735", "regtest", "-alias-"},
			want: config{
				JSON: true, Bind: "127.0.0.1", LogFile: filepath.Join("/d", "logs", "node.log"),
				RPC: rpcEndpoint{User: "user", Pass: "pass", Host: "127.0.0.1:18334"}, DataDir: "/d",
				ListenPort: 9735, Network: "regtest", Alias: "-alias-",
			},
			net: chaincfg.RegressionNetParams,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseArgs(tt.args, io.Discard)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.net.Net, got.Params.Net)
			got.Params = nil
			if tt.want.LogLevel == "" {
				tt.want.LogLevel = "info"
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseArgsCookie(t *testing.T) {
	cfg, err := parseArgs([]string{"--rpccookie", "/home/u/.bitcoin/regtest/.cookie", "x:y@127.0.0.1:18443", t.TempDir()}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "/home/u/.bitcoin/regtest/.cookie", cfg.RPCCookie)
}

func TestParseArgsHelp(t *testing.T) {
	_, err := parseArgs([]string{"-h"}, io.Discard)
	require.True(t, errors.Is(err, flag.ErrHelp))
}

func TestRPCEndpointStringHidesPassword(t *testing.T) {
	e := rpcEndpoint{User: "u", Pass: "secret", Host: "h:1"}
	require.NotContains(t, e.String(), "secret")
}

// ptrTo returns a pointer to v.
func ptrTo[T any](v T) *T { return &v }
