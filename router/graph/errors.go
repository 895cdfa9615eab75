package graph

import (
	"errors"

	"github.com/lnkit/lnkit/internal/configerr"
)

// ErrInvalidConfig is matched by every Config error of New and Load.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError reports one invalid Config field.
type ConfigError = configerr.Error

// Reasons a gossip message is dropped. Every error the ingest methods return
// matches exactly one of them with errors.Is. None of them is a fault of the
// graph: the message is simply not applied.
var (
	// ErrWrongChain: the message is for another chain.
	ErrWrongChain = errors.New("graph: message for another chain")
	// ErrBadSignature: a signature does not verify, or a key is not a
	// valid point. BOLT 7 says to send a warning.
	ErrBadSignature = errors.New("graph: bad signature")
	// ErrMalformed: the message breaks a BOLT 7 rule that does not need
	// the graph to check (node ids out of order, a zero timestamp, ...).
	ErrMalformed = errors.New("graph: malformed gossip")
	// ErrUnknownChannel: a channel_update for a channel we have no
	// announcement of.
	ErrUnknownChannel = errors.New("graph: unknown channel")
	// ErrUnknownNode: a node_announcement for a node with no channel.
	ErrUnknownNode = errors.New("graph: node has no known channel")
	// ErrDuplicate: the channel is already known.
	ErrDuplicate = errors.New("graph: already known")
	// ErrOutdated: a timestamp not newer than the one we have.
	ErrOutdated = errors.New("graph: not newer than what we have")
	// ErrStale: a channel_update older than the staleness limit (two
	// weeks by default) or too far in the future.
	ErrStale = errors.New("graph: stale or future timestamp")
	// ErrRateLimited: too many updates for one channel direction, or too
	// many funding lookups for now; the message may come again later.
	ErrRateLimited = errors.New("graph: rate limited")
	// ErrTooLarge: a node_announcement over Config.MaxNodeAnnouncementSize.
	ErrTooLarge = errors.New("graph: message too large")
	// ErrFundingNotFound: the short_channel_id names no unspent output.
	ErrFundingNotFound = errors.New("graph: funding output not found or spent")
	// ErrFundingMismatch: the output is not the P2WSH 2-of-2 of the
	// announced bitcoin keys.
	ErrFundingMismatch = errors.New("graph: funding output does not match the announced keys")
	// ErrFundingLookup: the UTXOSource failed; the message may come again.
	ErrFundingLookup = errors.New("graph: funding lookup failed")
	// ErrZlibEncoding: a query or reply uses encoding 1 (zlib), which
	// BOLT 7 says must not be used.
	ErrZlibEncoding = errors.New("graph: zlib encoding is not accepted")
	// ErrProtocol: a peer broke the query protocol (an unsolicited
	// reply, a second query before the first was answered, ...).
	ErrProtocol = errors.New("graph: gossip query protocol violation")
	// ErrCorruptSnapshot: a persisted graph does not decode.
	ErrCorruptSnapshot = errors.New("graph: corrupt snapshot")
)

func newConfigError(field, reason string) error { return configerr.New("router/graph", field, reason) }
