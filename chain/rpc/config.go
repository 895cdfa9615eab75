package rpc

import (
	"log/slog"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	lnwire "github.com/lnkit/lnkit/wire"
)

// DefaultRegtestFallbackFeeRate is the fallback fee rate on regtest and
// simnet when Config.FallbackFeeRate is zero: 2500 sat/kw (10 sat/vbyte).
// Those chains rarely have the fee history estimation needs.
const DefaultRegtestFallbackFeeRate lnwire.FeeRate = 2500

// Config configures a [Client].
type Config struct {
	// Host is the daemon's RPC address, "host:port". Required.
	Host string

	// User and Password authenticate with HTTP basic auth (bitcoind
	// rpcuser/rpcpassword, btcd rpcuser/rpcpass).
	User, Password string

	// CookieFile is bitcoind's .cookie file. When set it is used instead
	// of User/Password, re-read when the daemon answers 401 (bitcoind
	// writes a new cookie each start).
	CookieFile string

	// CACertFile is a PEM file of the certificate(s) to trust, e.g. btcd's
	// rpc.cert. Setting it turns TLS on.
	CACertFile string

	// TLS turns TLS on with the system's roots when CACertFile is empty.
	TLS bool

	// ServerName is the name checked against the server certificate.
	// Default: the host part of Host.
	ServerName string

	// Timeout bounds each call, on top of the caller's context.
	// Default: 30s.
	Timeout time.Duration

	// DialTimeout bounds establishing a connection. Default: 10s.
	DialTimeout time.Duration

	// MaxIdleConns is how many keep-alive connections are kept open.
	// Default: 4.
	MaxIdleConns int

	// IdleConnTimeout closes keep-alive connections idle this long; keep it
	// below the daemon's own idle timeout (bitcoind: 30s). Default: 20s.
	IdleConnTimeout time.Duration

	// MaxResponseSize bounds a response body in bytes. Default: 64 MiB
	// (a 4 MB block is 8 MB of hex).
	MaxResponseSize int64

	// Params is the network the daemon must be on; Dial fails with
	// ErrWrongNetwork otherwise. Nil accepts any network.
	Params *chaincfg.Params

	// FallbackFeeRate answers FeeRate when the daemon has no estimate (or
	// its estimate fails). Zero means none, except on regtest and simnet,
	// where it defaults to DefaultRegtestFallbackFeeRate. It is raised to
	// 253 sat/kw if below.
	FallbackFeeRate lnwire.FeeRate

	// Logger receives debug information. Default: discard.
	Logger *slog.Logger
}

// withDefaults returns cfg with defaults filled in.
func (cfg Config) withDefaults() Config {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.MaxIdleConns <= 0 {
		cfg.MaxIdleConns = 4
	}
	if cfg.IdleConnTimeout <= 0 {
		cfg.IdleConnTimeout = 20 * time.Second
	}
	if cfg.MaxResponseSize <= 0 {
		cfg.MaxResponseSize = 64 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}
