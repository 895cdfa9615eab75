package tcp

import (
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/lnkit/lnkit/internal/configerr"
)

// Defaults of Config.
const (
	// DefaultDialTimeout bounds the TCP dial of Connect.
	DefaultDialTimeout = 10 * time.Second
	// DefaultConnectTimeout bounds the handshake and init exchange that
	// Connect waits for.
	DefaultConnectTimeout = 30 * time.Second
	// DefaultTickInterval is the period of Manager.TimerTick calls.
	DefaultTickInterval = 10 * time.Second
	// DefaultWriteBufferSize is how many bytes a connection's SendData
	// accepts before it pushes back.
	DefaultWriteBufferSize = 256 << 10
	// DefaultReadBufferSize is the size of each read.
	DefaultReadBufferSize = 64 << 10
	// DefaultFlushTimeout bounds how long a closing connection spends
	// writing out what it had accepted.
	DefaultFlushTimeout = 2 * time.Second
)

// ErrClosed means the Transport was closed.
var ErrClosed = errors.New("tcp: transport closed")

// ErrConnectTimeout means Connect gave up waiting for the handshake and
// the init exchange.
var ErrConnectTimeout = errors.New("tcp: timed out waiting for the peer's init")

// Config configures a Transport. The zero value uses the defaults; New
// rejects negative values.
type Config struct {
	// DialTimeout bounds the TCP dial. Default DefaultDialTimeout.
	DialTimeout time.Duration
	// ConnectTimeout bounds the wait for the handshake and init exchange
	// in Connect. Default DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// TickInterval is the period of Manager.TimerTick in Run. Default
	// DefaultTickInterval (the Manager's tick-based defaults assume it).
	TickInterval time.Duration
	// WriteBufferSize is the per-connection buffer SendData copies into;
	// while the writer writes one buffer the next fills, so up to twice
	// this much may be in flight. Default DefaultWriteBufferSize.
	WriteBufferSize int
	// ReadBufferSize is the size of each connection's read buffer.
	// Default DefaultReadBufferSize.
	ReadBufferSize int
	// FlushTimeout bounds how long a closing connection writes out the
	// bytes it had accepted. Default DefaultFlushTimeout.
	FlushTimeout time.Duration
	// Logger receives the Transport's logs. Default: discard.
	Logger *slog.Logger
}

// ConfigError is the error New returns for an invalid Config: it names the
// field and says what is wrong. It matches ErrInvalidConfig (errors.Is).
type ConfigError = configerr.Error

// ErrInvalidConfig is matched by every *ConfigError (the same value in
// every lnkit package).
var ErrInvalidConfig = configerr.ErrInvalidConfig

// validate rejects negative durations and sizes (zero means the default).
func (c Config) validate() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"DialTimeout", c.DialTimeout}, {"ConnectTimeout", c.ConnectTimeout},
		{"TickInterval", c.TickInterval}, {"FlushTimeout", c.FlushTimeout},
	} {
		if d.v < 0 {
			return configerr.New("tcp", d.name, d.v.String()+" is negative (0 means the default)")
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"WriteBufferSize", c.WriteBufferSize}, {"ReadBufferSize", c.ReadBufferSize}} {
		if n.v < 0 {
			return configerr.New("tcp", n.name, strconv.Itoa(n.v)+" is negative (0 means the default)")
		}
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.TickInterval <= 0 {
		c.TickInterval = DefaultTickInterval
	}
	if c.WriteBufferSize <= 0 {
		c.WriteBufferSize = DefaultWriteBufferSize
	}
	if c.ReadBufferSize <= 0 {
		c.ReadBufferSize = DefaultReadBufferSize
	}
	if c.FlushTimeout <= 0 {
		c.FlushTimeout = DefaultFlushTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
