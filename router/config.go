package router

import (
	"sync"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/wire"
)

// Defaults of Config (and of the Request fields that fall back to it).
const (
	// DefaultMaxHops is the most hops a route has: 20 hops of plain TLV
	// payloads fit the 1,300-byte onion.
	DefaultMaxHops = 20
	// DefaultMaxTotalCLTV is the largest total CLTV delta of a route
	// (two weeks of blocks), the final hop's included.
	DefaultMaxTotalCLTV = 2016
	// DefaultMaxFeeBase and DefaultMaxFeeProportional make the fee limit
	// of a request without MaxFee: 10 sat plus 5% of the amount.
	DefaultMaxFeeBase         wire.MilliSatoshi = 10_000
	DefaultMaxFeeProportional uint32            = 50_000
	// DefaultMaxParts is the most parts FindRoutes splits a payment into.
	DefaultMaxParts = 16
	// DefaultMinPartSize is the smallest part FindRoutes makes (10,000
	// sat), unless the whole remaining amount is smaller.
	DefaultMinPartSize wire.MilliSatoshi = 10_000_000
	// DefaultFinalCLTVDelta is BOLT 11's min_final_cltv_expiry_delta when
	// an invoice has none.
	DefaultFinalCLTVDelta = 18
)

// maxHopsLimit bounds MaxHops: a hop payload is at least 35 bytes.
const maxHopsLimit = 27

// Config configures a Router. The zero value of every field but Graph
// means its default.
type Config struct {
	// Graph is the network graph (required).
	Graph *graph.Graph
	// Scorer penalizes channel uses; nil means NoPenalty{} (fees only).
	Scorer Scorer
	// MaxHops is the most channels in a route (default DefaultMaxHops, at
	// most 27).
	MaxHops int
	// MaxTotalCLTV is the default of Request.MaxTotalCLTV (default
	// DefaultMaxTotalCLTV).
	MaxTotalCLTV uint32
	// MaxFeeBase and MaxFeeProportional (millionths of the amount) make
	// the fee limit of a request without MaxFee (defaults
	// DefaultMaxFeeBase and DefaultMaxFeeProportional).
	MaxFeeBase         wire.MilliSatoshi
	MaxFeeProportional uint32
	// MaxParts is the default of Request.MaxParts (default
	// DefaultMaxParts).
	MaxParts int
	// MinPartSize is the default of Request.MinPartSize (default
	// DefaultMinPartSize).
	MinPartSize wire.MilliSatoshi
}

// Router finds routes. It is safe for concurrent use: each search takes
// its own graph View (the Scorer must then be safe for concurrent use).
type Router struct {
	cfg     Config
	scratch sync.Pool // *search
}

// New validates cfg and returns a Router.
func New(cfg Config) (*Router, error) {
	if cfg.Graph == nil {
		return nil, configerr.New("router", "Graph", "required")
	}
	if cfg.Scorer == nil {
		cfg.Scorer = NoPenalty{}
	}
	switch {
	case cfg.MaxHops == 0:
		cfg.MaxHops = DefaultMaxHops
	case cfg.MaxHops < 1 || cfg.MaxHops > maxHopsLimit:
		return nil, configerr.New("router", "MaxHops", "must be 1 to 27")
	}
	if cfg.MaxTotalCLTV == 0 {
		cfg.MaxTotalCLTV = DefaultMaxTotalCLTV
	}
	if cfg.MaxFeeBase == 0 {
		cfg.MaxFeeBase = DefaultMaxFeeBase
	}
	if cfg.MaxFeeProportional == 0 {
		cfg.MaxFeeProportional = DefaultMaxFeeProportional
	}
	switch {
	case cfg.MaxParts == 0:
		cfg.MaxParts = DefaultMaxParts
	case cfg.MaxParts < 0:
		return nil, configerr.New("router", "MaxParts", "must not be negative")
	}
	if cfg.MinPartSize == 0 {
		cfg.MinPartSize = DefaultMinPartSize
	}
	return &Router{cfg: cfg}, nil
}
