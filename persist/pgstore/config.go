package pgstore

import (
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lnkit/lnkit/internal/configerr"
)

// Defaults of Config's fields.
const (
	// DefaultSchema is Config.Schema's default.
	DefaultSchema = "public"
	// DefaultTable is Config.Table's default.
	DefaultTable = "lnkit_kv"
	// DefaultMaxConns is Config.MaxConns's default.
	DefaultMaxConns = 8
	// DefaultTimeout is Config.Timeout's default.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRetries is Config.MaxRetries's default.
	DefaultMaxRetries = 20
)

// ErrInvalidConfig is matched by every error Open returns for a bad Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the invalid Config field.
type ConfigError = configerr.Error

// Config configures Open. Only ConnString is required.
type Config struct {
	// ConnString says where the server is: a libpq URL
	// ("postgres://user:pass@host:5432/db?sslmode=verify-full") or
	// key=value string, as pgxpool.ParseConfig reads it. Required.
	ConnString string
	// Schema is the PostgreSQL schema of the table, created when missing:
	// 1 to 63 bytes of [a-z0-9_], not starting with a digit. Default
	// DefaultSchema.
	Schema string
	// Table is the table's name, the same characters as Schema. Several
	// stores can share a database under different names. Default
	// DefaultTable.
	Table string
	// MaxConns is the most connections the pool opens. Default
	// DefaultMaxConns.
	MaxConns int
	// Timeout bounds each operation (and Open) when the caller's context
	// has no earlier deadline. Default DefaultTimeout.
	Timeout time.Duration
	// MaxRetries is how often an Apply that PostgreSQL aborted for a
	// serialization failure or a deadlock is retried before the error is
	// returned. Default DefaultMaxRetries.
	MaxRetries int
}

// identifier is a name Schema and Table accept: lower case, so that the
// quoted name is the one a user types unquoted.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func (c Config) withDefaults() (Config, *pgxpool.Config, error) {
	if c.ConnString == "" {
		return c, nil, configerr.New("pgstore", "ConnString", "required")
	}
	pcfg, err := pgxpool.ParseConfig(c.ConnString)
	if err != nil {
		// pgx's message leaves the password out.
		return c, nil, configerr.New("pgstore", "ConnString", err.Error())
	}
	for _, f := range []struct {
		name  string
		value *string
		def   string
	}{{"Schema", &c.Schema, DefaultSchema}, {"Table", &c.Table, DefaultTable}} {
		if *f.value == "" {
			*f.value = f.def
		}
		if !identifier.MatchString(*f.value) {
			return c, nil, configerr.New("pgstore", f.name, "must be 1 to 63 bytes of a-z, 0-9 and _, not starting with a digit")
		}
	}
	switch {
	case c.MaxConns < 0:
		return c, nil, configerr.New("pgstore", "MaxConns", "negative")
	case c.MaxConns == 0:
		c.MaxConns = DefaultMaxConns
	case c.MaxConns > 1<<20:
		return c, nil, configerr.New("pgstore", "MaxConns", "over 1048576")
	}
	switch {
	case c.Timeout < 0:
		return c, nil, configerr.New("pgstore", "Timeout", "negative")
	case c.Timeout == 0:
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.MaxRetries < 0:
		return c, nil, configerr.New("pgstore", "MaxRetries", "negative")
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	}
	pcfg.MaxConns = int32(c.MaxConns)
	return c, pcfg, nil
}
