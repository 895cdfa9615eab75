// Package graph is the Lightning network graph built from BOLT 7 gossip,
// and the gossip protocol that keeps it: checking and storing
// channel_announcement, node_announcement and channel_update, syncing with
// peers through gossip queries, relaying gossip with a staggered
// broadcast, pruning closed and zombie channels, and persisting the graph.
//
// # Ingest
//
// AddBatch (and AddChannelAnnouncement, AddNodeAnnouncement,
// AddChannelUpdate for one message) applies gossip. The checks run
// cheapest first, so hostile gossip costs little whatever its volume:
// chain hash, duplicates, key order, timestamps (zero, stale after
// Config.StaleAfter, too far ahead, not newer than what we have), the
// per-direction update rate limit, the node_announcement size bound and
// the cache of funding outputs known not to exist are all checked before
// any signature; then the signatures (four per announcement), verified in
// parallel on Config.VerifyWorkers goroutines (pure, so the outcome does
// not depend on them); then the funding output, looked up through a
// UTXOSource (RPCUTXOSource wraps chain/rpc's client) within a budget of
// lookups refilled by ticks and behind a bounded cache of answers; and
// last the application, in message order under the write lock, with the
// graph checks repeated. Every refusal matches one Err… reason.
//
// Channel and node facts follow BOLT 7: an announcement with an unknown
// even feature is kept but marked ChannelUnknownFeature; a node with one,
// NodeUnknownFeature; an update with htlc_maximum_msat below the minimum
// or above the capacity is kept but PolicyUnusable; node addresses of every
// known kind (IPv4, IPv6, Tor v3, DNS) are kept, Tor v2 and a second DNS
// name are left out of NodeInfo, and an announcement with two DNS names is
// not relayed.
//
// # Reading the graph (pathfinding)
//
// Graph.View takes the read lock and returns a View until Release. Nodes
// and channels have dense indexes (NodeIdx, ChanIdx) below
// View.NodeSlots/ChannelSlots, stable while the graph holds them, so a
// search keeps its own per-node state in plain slices. View.Edges(n) is the
// adjacency list of n ([]HalfEdge: channel, peer, n's direction);
// View.Policy(c, d) is the 40-byte Policy of direction d (forwarding from
// Channel(c).Node[d]). For a Dijkstra from the payee back to the payer, at
// node n each edge e gives the hop e.Peer → n with Policy(e.Chan, 1-e.Dir).
// Every accessor is a slice index: no map lookup, lock or allocation per
// edge visit (BenchmarkViewScan: 0 allocs). NodeIndex and ChannelIndex map
// keys and short_channel_ids to indexes. Writers wait while a View is
// held: hold one for one search.
//
// # Sync
//
// Handler returns the peer.RoutingMessageHandler. On connection it sends
// a gossip_timestamp_filter from now on (or nothing wanted, to a peer
// without gossip_queries) and, with up to Config.SyncPeers peers until one
// sync completes, a query_channel_range over every block (asking for
// timestamps and checksums from peers with gossip_queries_ex); the replies
// are compared with the graph and the missing channels and newer updates
// asked for with query_short_channel_ids (with query flags), one query at a
// time. It answers query_channel_range (replies split on block boundaries
// as lnd checks), query_short_channel_ids and gossip_timestamp_filter
// backlogs, paced by ticks. The zlib encoding, which BOLT 7 now forbids,
// is refused with ErrZlibEncoding, which disconnects the peer, as do
// other query protocol violations (ErrProtocol).
//
// Accepted gossip is relayed with a staggered broadcast: newer messages
// replace older ones for the same channel direction or node, and every
// Config.BroadcastInterval the batch goes to each peer whose filter
// matches, never back to the peer it came from, a channel_announcement
// with its first update. Our own announcements and updates (from the
// channel manager, through Broadcast) go to every peer regardless of
// filters.
//
// # Time and determinism
//
// The graph starts no goroutine outside AddBatch's verification workers
// and reads no clock: Tick(now) sets the time for staleness and rate
// limits, refills the lookup budget, applies gathered gossip, paces
// answers and flushes the broadcast. Before the first Tick no time checks
// run.
//
// # Pruning and persistence
//
// FundingSpent and BlockConnected forget a channel 12 blocks after its
// funding output is spent (BOLT 7); a caller that does not watch every
// funding output calls RecheckFunding now and then, which asks the
// UTXOSource again about a slice of the channels within the lookup
// budget. PruneZombies forgets channels with no update in two weeks. Save writes a versioned snapshot (the signed
// messages, so a loaded graph can answer queries) to a persist.KVStore in
// chunks with a SHA-256; Load reads it back without re-verifying
// signatures or decompressing keys.
//
// The graphtest package generates deterministic mainnet-size networks for
// tests and benchmarks of this package and of the router.
package graph
