package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/channel"
)

// Defaults of the command line.
const (
	// defaultListenPort is the Lightning port (BOLT 1 suggests 9735).
	defaultListenPort = 9735
	// defaultNetwork is the chain the node runs on when none is given.
	// ldk-sample defaults to testnet; this sample node is mostly run
	// against a private regtest chain (make demo), so it defaults to
	// regtest.
	defaultNetwork = "regtest"
	// maxAliasLen is BOLT 7's limit on a node alias, in bytes.
	maxAliasLen = 32
	// seedFileName is the seed's file inside the data directory, as
	// ldk-sample names it.
	seedFileName = "keys_seed"
)

// usage is printed for -h and after an argument error.
const usage = `usage: sample-node [flags] <rpcuser>:<rpcpass>@<host>:<port> <datadir> [listen-port] [network] [alias] [announce-addr...]
(flags may also follow the arguments)

  <rpcuser>:<rpcpass>@<host>:<port>
                 JSON-RPC of the bitcoind or btcd the node follows (btcd: add --rpccert;
                 bitcoind with a cookie file: add --rpccookie)
  <datadir>      created if missing; holds the seed (keys_seed), the store (store/) and logs/
  listen-port    Lightning port to listen on (default 9735; 0 picks a free port)
  network        mainnet, testnet, signet or regtest (default regtest)
  alias          node alias, at most 32 bytes
  announce-addr  host:port to announce to the network (zero or more)

Commands are read from standard input, one per line ("help" lists them): with a
prompt when it is a terminal, silently from a pipe (the node stops at end of input).

flags:
`

// config is the node's configuration from the command line.
type config struct {
	// JSON prints every command result as one JSON object per line.
	JSON bool
	// RPCCert is btcd's TLS certificate (rpc.cert); set, the RPC uses TLS.
	RPCCert string
	// RPCCookie is bitcoind's .cookie file; set, it authenticates the RPC
	// instead of the user and password of the RPC argument.
	RPCCookie string
	// LogFile is where logs go. Default <DataDir>/logs/node.log.
	LogFile string
	// LogLevel is the least severe level logged: debug, info, warn or
	// error. Default info.
	LogLevel string
	// Bind is the host the Lightning listener binds to. Default 127.0.0.1
	// on regtest, 0.0.0.0 (every interface) on the other networks.
	Bind string
	// NoAcceptInbound refuses every channel a peer opens to us (default:
	// accept them all, as ldk-sample does).
	NoAcceptInbound bool
	// ToSelfDelay is the to_self_delay we ask of peers, in blocks: how
	// long a peer waits for its funds after it force-closes. 0 means
	// channel.DefaultToSelfDelay (144); small values are for tests and
	// demos on regtest.
	ToSelfDelay uint
	// MinChannelSat is the smallest channel a peer may open to us, in
	// satoshis. 0 means channel.DefaultMinFundingSatoshis (20,000).
	MinChannelSat uint64
	// MaxToSelfDelay is the largest to_self_delay we accept from a peer,
	// in blocks: how long our funds may be locked after we force-close.
	// 0 means channel.DefaultMaxToSelfDelay (2016).
	MaxToSelfDelay uint
	// MinFeeRate raises every fee estimate of the chain daemon to at least
	// this rate, in sat/kw, for the wallet and the channels. 0 leaves the
	// estimates alone. On regtest it is how fees "rise".
	MinFeeRate uint
	// CommitmentFeeRate, when not 0, is the commitment fee rate (sat/kw)
	// of the channels we open: the manager sends update_fee to follow it.
	CommitmentFeeRate uint
	// FeeBaseMsat and FeePPM are the forwarding fee of our channels'
	// channel_update: fee_base_msat and fee_proportional_millionths. nil
	// (the flags unset) means channel.DefaultForwardingFeeBaseMsat and
	// channel.DefaultForwardingFeeProportionalMillionths.
	FeeBaseMsat *uint32
	FeePPM      *uint32
	// GossipInterval is the period of the gossip broadcast (our own
	// announcements and relayed gossip). 0 means
	// graph.DefaultBroadcastInterval (60 s, as BOLT 7 suggests); a
	// regtest network of test nodes wants it short.
	GossipInterval time.Duration
	// TickInterval is the period of the channel manager's TimerTick: its
	// clock, which stamps our channel_updates (a peer does not relay an
	// update stamped before the gossip_timestamp_filter of the peer it
	// relays to), expires multi-part payments and follows the fee
	// estimate. 0 means once a minute.
	TickInterval time.Duration

	// RPC is the chain daemon's JSON-RPC endpoint.
	RPC rpcEndpoint
	// DataDir holds the seed and the logs.
	DataDir string
	// ListenPort is the Lightning listening port; 0 picks a free one.
	ListenPort uint16
	// Network is the network's name as given (mainnet, testnet, signet,
	// regtest) and Params its parameters.
	Network string
	Params  *chaincfg.Params
	// Alias is the node's alias (at most 32 bytes), possibly empty.
	Alias string
	// AnnounceAddrs are the addresses to announce, "host:port".
	AnnounceAddrs []string
}

// rpcEndpoint is the parsed <rpcuser>:<rpcpass>@<host>:<port> argument.
type rpcEndpoint struct {
	User, Pass string
	// Host is "host:port".
	Host string
}

// String describes the endpoint without its password.
func (e rpcEndpoint) String() string { return e.User + ":***@" + e.Host }

// listenAddr is the address the Lightning listener binds to.
func (c config) listenAddr() string {
	return net.JoinHostPort(c.Bind, strconv.Itoa(int(c.ListenPort)))
}

// uint32Flag parses a flag's value into a new *uint32 at dst.
func uint32Flag(dst **uint32) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return fmt.Errorf("want a number from 0 to %d", uint32(math.MaxUint32))
		}
		u := uint32(v)
		*dst = &u
		return nil
	}
}

// parseArgs parses the command line (without the program name). Flags may
// come before, between or after the positional arguments ("--" ends the
// flags). Usage text for errors goes to out. For -h or --help it returns
// flag.ErrHelp.
func parseArgs(args []string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("sample-node", flag.ContinueOnError)
	// The flag package would print each error before the caller does:
	// errors are returned instead, and the usage is printed here.
	fs.SetOutput(io.Discard)
	printUsage := func() {
		fmt.Fprint(out, usage)
		fs.SetOutput(out)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	fs.BoolVar(&cfg.JSON, "json", false, "print each command result as one JSON object per line")
	fs.StringVar(&cfg.RPCCert, "rpccert", "", "btcd's RPC TLS certificate (rpc.cert); turns TLS on")
	fs.StringVar(&cfg.RPCCookie, "rpccookie", "", "bitcoind's .cookie file, used instead of <rpcuser>:<rpcpass>")
	fs.StringVar(&cfg.LogFile, "log", "", "log file (default <datadir>/logs/node.log)")
	fs.StringVar(&cfg.LogLevel, "loglevel", "info", "least severe level logged: debug, info, warn or error")
	fs.StringVar(&cfg.Bind, "bind", "", "host to listen on (default 127.0.0.1 on regtest, 0.0.0.0 otherwise)")
	fs.BoolVar(&cfg.NoAcceptInbound, "no-accept-inbound", false, "refuse channels peers open to this node")
	fs.UintVar(&cfg.ToSelfDelay, "to-self-delay", 0, "to_self_delay asked of peers, in blocks (default 144; at least 6)")
	fs.Uint64Var(&cfg.MinChannelSat, "min-channel-sat", 0, "smallest channel accepted from peers, in satoshis (default 20000)")
	fs.UintVar(&cfg.MaxToSelfDelay, "max-to-self-delay", 0, "largest to_self_delay accepted from peers, in blocks (default 2016)")
	fs.UintVar(&cfg.MinFeeRate, "min-fee-rate", 0, "raise every fee estimate to at least this many sat/kw (default: the daemon's estimates)")
	fs.UintVar(&cfg.CommitmentFeeRate, "commitment-fee-rate", 0, "commitment fee rate of the channels we open, in sat/kw (default: the daemon's estimate)")
	fs.Func("fee-base-msat", "fee_base_msat of our channels' channel_update (default 1000)", uint32Flag(&cfg.FeeBaseMsat))
	fs.Func("fee-ppm", "fee_proportional_millionths of our channels' channel_update (default 0)", uint32Flag(&cfg.FeePPM))
	fs.DurationVar(&cfg.GossipInterval, "gossip-interval", 0, "period of the gossip broadcast (default 60s)")
	fs.DurationVar(&cfg.TickInterval, "tick-interval", 0, "period of the channel manager's clock tick (default 1m)")
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage()
		return config{}, err
	}
	if err != nil {
		return config{}, fmt.Errorf("sample-node: %w (-h shows the usage)", err)
	}
	if len(pos) < 2 {
		printUsage()
		return config{}, errors.New("sample-node: need at least <rpcuser>:<rpcpass>@<host>:<port> and <datadir>")
	}

	rpc, err := parseRPCEndpoint(pos[0])
	if err != nil {
		return config{}, err
	}
	cfg.RPC = rpc
	if pos[1] == "" {
		return config{}, errors.New("sample-node: empty data directory")
	}
	cfg.DataDir = pos[1]

	cfg.ListenPort = defaultListenPort
	if len(pos) > 2 {
		port, err := strconv.ParseUint(pos[2], 10, 16)
		if err != nil {
			return config{}, fmt.Errorf("sample-node: listen port %q: want a number from 0 to 65535", pos[2])
		}
		cfg.ListenPort = uint16(port)
	}

	cfg.Network = defaultNetwork
	if len(pos) > 3 {
		cfg.Network = pos[3]
	}
	if cfg.Params, err = networkParams(cfg.Network); err != nil {
		return config{}, err
	}

	if len(pos) > 4 {
		cfg.Alias = pos[4]
		if len(cfg.Alias) > maxAliasLen {
			return config{}, fmt.Errorf("sample-node: alias is %d bytes, at most %d allowed", len(cfg.Alias), maxAliasLen)
		}
	}
	for _, a := range pos[min(len(pos), 5):] {
		if _, err := parseHostPort(a); err != nil {
			return config{}, fmt.Errorf("sample-node: announce address: %w", err)
		}
		cfg.AnnounceAddrs = append(cfg.AnnounceAddrs, a)
	}

	if cfg.LogFile == "" {
		cfg.LogFile = filepath.Join(cfg.DataDir, "logs", "node.log")
	}
	if _, err := logLevel(cfg.LogLevel); err != nil {
		return config{}, err
	}
	if cfg.ToSelfDelay != 0 && (cfg.ToSelfDelay < uint(channel.MinToSelfDelay) || cfg.ToSelfDelay > uint(channel.DefaultMaxToSelfDelay)) {
		return config{}, fmt.Errorf("sample-node: --to-self-delay %d: want %d to %d blocks",
			cfg.ToSelfDelay, channel.MinToSelfDelay, channel.DefaultMaxToSelfDelay)
	}
	if cfg.CommitmentFeeRate > math.MaxUint32 || (cfg.CommitmentFeeRate != 0 && cfg.CommitmentFeeRate < 253) {
		return config{}, fmt.Errorf("sample-node: --commitment-fee-rate %d: want %d to %d sat/kw", cfg.CommitmentFeeRate, 253, uint64(math.MaxUint32))
	}
	if cfg.MinFeeRate > math.MaxUint32 {
		return config{}, fmt.Errorf("sample-node: --min-fee-rate %d: at most %d sat/kw", cfg.MinFeeRate, uint64(math.MaxUint32))
	}
	if cfg.MaxToSelfDelay > uint(channel.DefaultMaxToSelfDelay) {
		return config{}, fmt.Errorf("sample-node: --max-to-self-delay %d: at most %d blocks (peers refuse more)",
			cfg.MaxToSelfDelay, channel.DefaultMaxToSelfDelay)
	}
	if cfg.Bind == "" {
		cfg.Bind = "0.0.0.0"
		if cfg.Params.Net == chaincfg.RegressionNetParams.Net {
			cfg.Bind = "127.0.0.1"
		}
	}
	return cfg, nil
}

// parseInterleaved parses flags wherever they are among args and returns
// the positional arguments in order. Everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseRPCEndpoint parses <rpcuser>:<rpcpass>@<host>:<port>. The password
// may contain ':' and '@' (the last '@' ends it); the user may not contain
// ':'.
func parseRPCEndpoint(s string) (rpcEndpoint, error) {
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return rpcEndpoint{}, errors.New("sample-node: RPC argument must be <rpcuser>:<rpcpass>@<host>:<port>")
	}
	cred, hostport := s[:at], s[at+1:]
	user, pass, ok := strings.Cut(cred, ":")
	if !ok || user == "" {
		return rpcEndpoint{}, errors.New("sample-node: RPC credentials must be <rpcuser>:<rpcpass>")
	}
	if _, err := parseHostPort(hostport); err != nil {
		return rpcEndpoint{}, fmt.Errorf("sample-node: RPC address: %w", err)
	}
	return rpcEndpoint{User: user, Pass: pass, Host: hostport}, nil
}

// parseHostPort checks a "host:port" address with a non-empty host and a
// port from 1 to 65535, and returns the port.
func parseHostPort(s string) (uint16, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want host:port", s)
	}
	if host == "" {
		return 0, fmt.Errorf("%q: empty host", s)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return 0, fmt.Errorf("%q: port must be a number from 1 to 65535", s)
	}
	return uint16(port), nil
}

// logLevel maps a --loglevel value to its slog level.
func logLevel(name string) (slog.Level, error) {
	switch name {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	default:
		return 0, fmt.Errorf("sample-node: unknown log level %q (want debug, info, warn or error)", name)
	}
}

// networkParams maps a network name to its chain parameters.
func networkParams(name string) (*chaincfg.Params, error) {
	switch name {
	case "mainnet", "bitcoin":
		return &chaincfg.MainNetParams, nil
	case "testnet", "testnet3":
		return &chaincfg.TestNet3Params, nil
	case "signet":
		return &chaincfg.SigNetParams, nil
	case "regtest":
		return &chaincfg.RegressionNetParams, nil
	default:
		return nil, fmt.Errorf("sample-node: unknown network %q (want mainnet, testnet, signet or regtest)", name)
	}
}
