package graph

import (
	"log/slog"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/wire"
)

// Defaults of Config.
const (
	// DefaultStaleAfter is the age after which a channel_update is stale
	// and a channel with no fresh update is a zombie (BOLT 7: two weeks).
	DefaultStaleAfter = 14 * 24 * time.Hour
	// DefaultMaxFutureSkew is how far in the future a timestamp may be.
	DefaultMaxFutureSkew = time.Hour
	// DefaultUpdateBurst is how many channel_updates one channel
	// direction may send back to back.
	DefaultUpdateBurst = 10
	// DefaultUpdateRefill is the time one more update is allowed after
	// the burst is used up.
	DefaultUpdateRefill = 5 * time.Minute
	// DefaultLookupsPerTick is how many funding lookups (UTXOSource
	// calls) are allowed between two Ticks; the unused ones accumulate
	// up to DefaultLookupBurst.
	DefaultLookupsPerTick = 200
	// DefaultLookupBurst bounds the accumulated funding lookups.
	DefaultLookupBurst = 20000
	// DefaultFundingCacheSize bounds the cache of funding lookups
	// (positive and negative results).
	DefaultFundingCacheSize = 4096
	// DefaultMaxNodeAnnouncementSize bounds the encoded size of a
	// node_announcement we accept; larger ones are dropped before their
	// signature is checked.
	DefaultMaxNodeAnnouncementSize = 1024
	// DefaultBroadcastInterval is the staggered broadcast period (BOLT 7
	// says once every 60 seconds).
	DefaultBroadcastInterval = 60 * time.Second
	// DefaultSyncPeers is how many peers get a full initial sync query.
	DefaultSyncPeers = 3
	// DefaultMaxPendingQuery bounds the short_channel_ids we still want
	// to ask one peer for.
	DefaultMaxPendingQuery = 200_000
	// DefaultQueryBatch is the short_channel_ids per
	// query_short_channel_ids.
	DefaultQueryBatch = 2000
	// DefaultReplyBatch is the short_channel_ids per reply_channel_range.
	DefaultReplyBatch = 2000
	// DefaultBacklogPerTick is how many channels of a timestamp-filter
	// backlog (or of a query reply) are queued to one peer per Tick.
	DefaultBacklogPerTick = 500
	// DefaultMaxBadSignatures is how many gossip messages with bad
	// signatures a peer may send before it is disconnected: each costs a
	// signature verification, so a flood of them is cut short.
	DefaultMaxBadSignatures = 16
	// DefaultMaxPendingUpdates bounds the channel_updates kept for
	// channels whose announcement has not been accepted yet.
	DefaultMaxPendingUpdates = 1000
	// DefaultSpendDelay is the blocks after a funding spend before the
	// channel is forgotten (BOLT 7: 12, to let a splice propagate).
	DefaultSpendDelay = 12
)

// Config configures a Graph. The zero Config means the defaults on
// mainnet.
type Config struct {
	// ChainHash is the chain whose gossip is kept (default: bitcoin
	// mainnet's genesis hash).
	ChainHash chainhash.Hash
	// UTXOSource looks up funding outputs. Nil accepts channel
	// announcements without a funding check and with zero capacity:
	// only for tests and trusted setups.
	UTXOSource UTXOSource
	// StaleAfter: see DefaultStaleAfter.
	StaleAfter time.Duration
	// MaxFutureSkew: see DefaultMaxFutureSkew.
	MaxFutureSkew time.Duration
	// UpdateBurst: see DefaultUpdateBurst.
	UpdateBurst int
	// UpdateRefill: see DefaultUpdateRefill.
	UpdateRefill time.Duration
	// LookupsPerTick: see DefaultLookupsPerTick.
	LookupsPerTick int
	// LookupBurst: see DefaultLookupBurst.
	LookupBurst int
	// FundingCacheSize: see DefaultFundingCacheSize.
	FundingCacheSize int
	// MaxNodeAnnouncementSize: see DefaultMaxNodeAnnouncementSize.
	MaxNodeAnnouncementSize int
	// BroadcastInterval: see DefaultBroadcastInterval.
	BroadcastInterval time.Duration
	// SyncPeers: see DefaultSyncPeers.
	SyncPeers int
	// MaxPendingQuery: see DefaultMaxPendingQuery.
	MaxPendingQuery int
	// QueryBatch: see DefaultQueryBatch.
	QueryBatch int
	// ReplyBatch: see DefaultReplyBatch.
	ReplyBatch int
	// BacklogPerTick: see DefaultBacklogPerTick.
	BacklogPerTick int
	// MaxBadSignatures: see DefaultMaxBadSignatures.
	MaxBadSignatures int
	// MaxPendingUpdates: see DefaultMaxPendingUpdates.
	MaxPendingUpdates int
	// SpendDelay: see DefaultSpendDelay.
	SpendDelay uint32
	// VerifyWorkers is how many goroutines AddBatch verifies signatures
	// on (default 1: no goroutine). Verification is pure, so the result
	// does not depend on it.
	VerifyWorkers int
	// KnownFeatures are the feature bits this node understands; an
	// announcement with another even bit is kept but marked unroutable
	// (default: wire's known features).
	KnownFeatures *wire.FeatureVector
	// Logger receives debug logs of dropped gossip (default: discard).
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.ChainHash == (chainhash.Hash{}) {
		c.ChainHash = *chaincfg.MainNetParams.GenesisHash
	}
	type durField struct {
		p    *time.Duration
		def  time.Duration
		name string
	}
	for _, f := range []durField{
		{&c.StaleAfter, DefaultStaleAfter, "StaleAfter"},
		{&c.MaxFutureSkew, DefaultMaxFutureSkew, "MaxFutureSkew"},
		{&c.UpdateRefill, DefaultUpdateRefill, "UpdateRefill"},
		{&c.BroadcastInterval, DefaultBroadcastInterval, "BroadcastInterval"},
	} {
		if *f.p < 0 {
			return c, newConfigError(f.name, "must not be negative")
		}
		if *f.p == 0 {
			*f.p = f.def
		}
	}
	type intField struct {
		p    *int
		def  int
		name string
	}
	for _, f := range []intField{
		{&c.UpdateBurst, DefaultUpdateBurst, "UpdateBurst"},
		{&c.LookupsPerTick, DefaultLookupsPerTick, "LookupsPerTick"},
		{&c.LookupBurst, DefaultLookupBurst, "LookupBurst"},
		{&c.FundingCacheSize, DefaultFundingCacheSize, "FundingCacheSize"},
		{&c.MaxNodeAnnouncementSize, DefaultMaxNodeAnnouncementSize, "MaxNodeAnnouncementSize"},
		{&c.SyncPeers, DefaultSyncPeers, "SyncPeers"},
		{&c.MaxPendingQuery, DefaultMaxPendingQuery, "MaxPendingQuery"},
		{&c.QueryBatch, DefaultQueryBatch, "QueryBatch"},
		{&c.ReplyBatch, DefaultReplyBatch, "ReplyBatch"},
		{&c.BacklogPerTick, DefaultBacklogPerTick, "BacklogPerTick"},
		{&c.VerifyWorkers, 1, "VerifyWorkers"},
		{&c.MaxBadSignatures, DefaultMaxBadSignatures, "MaxBadSignatures"},
		{&c.MaxPendingUpdates, DefaultMaxPendingUpdates, "MaxPendingUpdates"},
	} {
		if *f.p < 0 {
			return c, newConfigError(f.name, "must not be negative")
		}
		if *f.p == 0 {
			*f.p = f.def
		}
	}
	if c.QueryBatch > 8000 {
		return c, newConfigError("QueryBatch", "at most 8000 short_channel_ids fit a message")
	}
	if c.ReplyBatch > 2500 {
		return c, newConfigError("ReplyBatch", "at most 2500 short_channel_ids with timestamps and checksums fit a message")
	}
	if c.UpdateBurst > 255 {
		return c, newConfigError("UpdateBurst", "at most 255")
	}
	if c.SpendDelay == 0 {
		c.SpendDelay = DefaultSpendDelay
	}
	if c.KnownFeatures == nil {
		var k wire.FeatureVector
		for _, info := range wire.KnownFeatures() {
			k.Set(info.Required)
		}
		c.KnownFeatures = &k
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
