package sqlitestore

import (
	"time"

	"github.com/lnkit/lnkit/internal/configerr"
)

// DefaultBusyTimeout is Config.BusyTimeout's default.
const DefaultBusyTimeout = 5 * time.Second

// DefaultMaxReaders is Config.MaxReaders's default.
const DefaultMaxReaders = 4

// ErrInvalidConfig is matched by every error Open returns for a bad Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the invalid Config field.
type ConfigError = configerr.Error

// Config configures Open. The zero value is invalid only for lack of a Path.
type Config struct {
	// Path is the database file. It is created (mode 0600) when missing;
	// its directory must exist. Required.
	Path string
	// BusyTimeout is how long a write waits for another process that holds
	// the database's write lock before failing. Default
	// DefaultBusyTimeout.
	BusyTimeout time.Duration
	// MaxReaders is how many connections may read at once (writes use one
	// more connection of their own). Default DefaultMaxReaders.
	MaxReaders int
}

func (c Config) withDefaults() (Config, error) {
	if c.Path == "" {
		return c, configerr.New("sqlitestore", "Path", "required")
	}
	switch {
	case c.BusyTimeout < 0:
		return c, configerr.New("sqlitestore", "BusyTimeout", "negative")
	case c.BusyTimeout == 0:
		c.BusyTimeout = DefaultBusyTimeout
	case c.BusyTimeout < time.Millisecond:
		return c, configerr.New("sqlitestore", "BusyTimeout", "under 1ms (SQLite counts milliseconds)")
	}
	switch {
	case c.MaxReaders < 0:
		return c, configerr.New("sqlitestore", "MaxReaders", "negative")
	case c.MaxReaders == 0:
		c.MaxReaders = DefaultMaxReaders
	}
	return c, nil
}
