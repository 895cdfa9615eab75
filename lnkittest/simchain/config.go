package simchain

import (
	"math"
	"time"

	"github.com/lnkit/lnkit/internal/configerr"
	lnwire "github.com/lnkit/lnkit/wire"
)

// ErrInvalidConfig is matched (errors.Is) by the error of [New] given an
// invalid Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError is the type of those errors: errors.As gives the field.
type ConfigError = configerr.Error

// Defaults of [Config].
const (
	// DefaultStart is the timestamp of the genesis block, in Unix seconds
	// (September 2020), as chain/chaintest's.
	DefaultStart int64 = 1_600_000_000

	// DefaultMinRelayFeeRate is the lowest fee rate the mempool accepts:
	// 250 sat/kw, Bitcoin Core's default minrelaytxfee of 1 sat/vbyte.
	DefaultMinRelayFeeRate lnwire.FeeRate = 250
)

// BlockInterval is the difference between the timestamps of two
// consecutive blocks.
const BlockInterval = 10 * time.Minute

// maxStart is the latest Start: 2038, which leaves block timestamps (32-bit
// in headers) room for millions of blocks.
const maxStart = math.MaxInt32

// Config configures a [Chain]. The zero value of each field means its
// default.
type Config struct {
	// Start is the timestamp of the genesis block; the block at height h
	// is timestamped Start + h×BlockInterval. It is truncated to the
	// second and must lie between 1970 and 2038. Zero means
	// DefaultStart.
	Start time.Time

	// MinRelayFeeRate is the lowest fee rate the mempool accepts, and the
	// rate at which a replacement must pay for its own size. The fee is
	// compared over the virtual size, as Bitcoin Core does: a transaction
	// of v vbytes needs at least MinRelayFeeRate × 4v / 1000 satoshis.
	// Zero means DefaultMinRelayFeeRate.
	MinRelayFeeRate lnwire.FeeRate
}

// withDefaults validates cfg and fills in the defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Start.IsZero() {
		cfg.Start = time.Unix(DefaultStart, 0)
	}
	if s := cfg.Start.Unix(); s < 0 || s > maxStart {
		return cfg, configerr.New("simchain", "Start", "must lie between 1970 and 2038")
	}
	if cfg.MinRelayFeeRate == 0 {
		cfg.MinRelayFeeRate = DefaultMinRelayFeeRate
	}
	return cfg, nil
}
