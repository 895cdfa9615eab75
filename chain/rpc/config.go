package rpc

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/lnkit/lnkit/internal/configerr"
	lnwire "github.com/lnkit/lnkit/wire"
)

// DefaultRegtestFallbackFeeRate is the fallback fee rate on regtest and
// simnet when Config.FallbackFeeRate is zero: 2500 sat/kw (10 sat/vbyte).
// Those chains rarely have the fee history estimation needs.
const DefaultRegtestFallbackFeeRate lnwire.FeeRate = 2500

// Defaults of [Config].
const (
	// DefaultTimeout bounds each call.
	DefaultTimeout = 30 * time.Second

	// DefaultDialTimeout bounds establishing a connection.
	DefaultDialTimeout = 10 * time.Second

	// DefaultMaxIdleConns is how many keep-alive connections are kept.
	DefaultMaxIdleConns = 4

	// DefaultIdleConnTimeout closes idle keep-alive connections, below
	// bitcoind's own 30s.
	DefaultIdleConnTimeout = 20 * time.Second

	// DefaultMaxResponseSize bounds a response body: 64 MiB (a 4 MB block
	// is 8 MB of hex).
	DefaultMaxResponseSize int64 = 64 << 20
)

// Config configures a [Client]. The zero value of each optional field means
// its default; negative values are invalid.
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
	// rpc.cert. Setting it turns TLS on. New reads it and fails if it
	// holds no certificate.
	CACertFile string

	// TLS turns TLS on with the system's roots when CACertFile is empty.
	TLS bool

	// ServerName is the name checked against the server certificate.
	// Empty means the host part of Host.
	ServerName string

	// Timeout bounds each call, on top of the caller's context. Zero means
	// DefaultTimeout.
	Timeout time.Duration

	// DialTimeout bounds establishing a connection. Zero means
	// DefaultDialTimeout.
	DialTimeout time.Duration

	// MaxIdleConns is how many keep-alive connections are kept open. Zero
	// means DefaultMaxIdleConns.
	MaxIdleConns int

	// IdleConnTimeout closes keep-alive connections idle this long; keep it
	// below the daemon's own idle timeout (bitcoind: 30s). Zero means
	// DefaultIdleConnTimeout.
	IdleConnTimeout time.Duration

	// MaxResponseSize bounds a response body in bytes. Zero means
	// DefaultMaxResponseSize.
	MaxResponseSize int64

	// Params is the network the daemon must be on; Dial fails with
	// ErrWrongNetwork otherwise. Nil accepts any network.
	Params *chaincfg.Params

	// FallbackFeeRate answers FeeRate when the daemon has no estimate (or
	// its estimate fails). Zero means none, except on regtest and simnet,
	// where it is DefaultRegtestFallbackFeeRate. It is raised to 253
	// sat/kw if below.
	FallbackFeeRate lnwire.FeeRate

	// Logger receives debug information. Nil discards it.
	Logger *slog.Logger
}

// validate checks cfg and returns it with the defaults filled in.
func (cfg Config) validate() (Config, error) {
	if cfg.Host == "" {
		return cfg, configerr.New("rpc", "Host", "required")
	}
	if _, _, err := net.SplitHostPort(cfg.Host); err != nil {
		return cfg, configerr.New("rpc", "Host", fmt.Sprintf("want host:port, got %q", cfg.Host))
	}
	for _, f := range []struct {
		name     string
		negative bool
	}{
		{"Timeout", cfg.Timeout < 0},
		{"DialTimeout", cfg.DialTimeout < 0},
		{"MaxIdleConns", cfg.MaxIdleConns < 0},
		{"IdleConnTimeout", cfg.IdleConnTimeout < 0},
		{"MaxResponseSize", cfg.MaxResponseSize < 0},
	} {
		if f.negative {
			return cfg, configerr.New("rpc", f.name, "negative")
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.MaxIdleConns == 0 {
		cfg.MaxIdleConns = DefaultMaxIdleConns
	}
	if cfg.IdleConnTimeout == 0 {
		cfg.IdleConnTimeout = DefaultIdleConnTimeout
	}
	if cfg.MaxResponseSize == 0 {
		cfg.MaxResponseSize = DefaultMaxResponseSize
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}
