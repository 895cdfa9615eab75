package graph

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// inboxSize is how many gossip messages are gathered before they are
// verified as one batch; the rest are applied on the next Tick.
const inboxSize = 256

// queryAll is the query flag asking for everything about a channel.
const queryAll = wire.QueryFlagChannelAnnouncement | wire.QueryFlagChannelUpdate1 |
	wire.QueryFlagChannelUpdate2 | wire.QueryFlagNodeAnnouncement1 | wire.QueryFlagNodeAnnouncement2

// want is one channel we still want to ask a peer about.
type want struct {
	scid  uint64
	flags wire.QueryFlag
}

// peerSync is the gossip state of one connected peer.
type peerSync struct {
	id      wire.NodeID
	queries bool // offers gossip_queries
	ex      bool // offers gossip_queries_ex
	filter  *wire.GossipTimestampFilter

	// Our initial sync from this peer.
	syncing     bool
	rangeActive bool
	rangeEnd    uint64
	wants       []want
	scidActive  bool

	// rangeQueries counts their query_channel_range since the last tick.
	rangeQueries int

	// Their query_short_channel_ids being answered, paced by ticks.
	answering bool
	answer    []want
	// badSigs counts this peer's gossip with bad signatures; past
	// Config.MaxBadSignatures the peer is disconnected.
	badSigs int
	// The backlog of a gossip_timestamp_filter, paced by ticks.
	backlog    []uint64
	backlogMin uint32
	backlogMax uint64
}

// stagKey names one entry of the staggered broadcast: a channel_update
// (per direction) or a node_announcement; newer ones replace older.
type stagKey struct {
	scid uint64
	dir  int8 // 0, 1 for updates; -1 for a node_announcement
	node wire.NodeID
}

type stagEntry struct {
	msg  wire.Message
	from wire.NodeID
	seq  uint64
}

// syncer implements peer.RoutingMessageHandler for the Graph.
type syncer struct {
	g *Graph

	mu       sync.Mutex
	peers    map[wire.NodeID]*peerSync
	out      []peer.Outbound
	inbox    []wire.Message
	inboxSrc []wire.NodeID
	// staggered broadcast
	stag      map[stagKey]stagEntry
	caPending map[uint64]struct{}
	own       []wire.Message
	seq       uint64
	nextFlush time.Time
	now       time.Time
	// updates for channels not (yet) known, retried when the channel's
	// announcement is accepted; at most Config.MaxPendingUpdates.
	pending map[stagKey]pendingUpdate
	synced  bool
	syncing int
}

func newSyncer(g *Graph) *syncer {
	return &syncer{
		g:         g,
		peers:     make(map[wire.NodeID]*peerSync),
		stag:      make(map[stagKey]stagEntry),
		caPending: make(map[uint64]struct{}),
		pending:   make(map[stagKey]pendingUpdate),
	}
}

// Handler returns the graph's peer.RoutingMessageHandler: initial sync with
// gossip_queries, answers to queries, gossip_timestamp_filter and the
// staggered broadcast. It does its timed work on Graph.Tick.
func (g *Graph) Handler() peer.RoutingMessageHandler { return g.sync }

// Synced reports whether an initial sync with some peer has completed.
func (g *Graph) Synced() bool {
	g.sync.mu.Lock()
	defer g.sync.mu.Unlock()
	return g.sync.synced
}

// Broadcast adds our own channel_announcement, channel_update or
// node_announcement (from the channel manager) to the graph and sends it
// to every connected peer at the next broadcast, regardless of their
// timestamp filters. It returns the first error of a message the graph
// refused; those are not sent.
func (g *Graph) Broadcast(ctx context.Context, msgs ...wire.Message) error {
	errs := g.AddBatch(ctx, msgs)
	s := g.sync
	s.mu.Lock()
	defer s.mu.Unlock()
	var first error
	for i, err := range errs {
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		s.own = append(s.own, msgs[i])
	}
	return first
}

// PeerConnected implements peer.RoutingMessageHandler: it sends the peer a
// gossip_timestamp_filter and, while fewer than Config.SyncPeers syncs run
// and none has completed, starts an initial sync with a
// query_channel_range over every block.
func (s *syncer) PeerConnected(id wire.NodeID, init *wire.Init, _ bool) error {
	feats := init.Features
	ps := &peerSync{
		id:      id,
		queries: feats.HasFeature(wire.GossipQueriesOptional) || init.GlobalFeatures.HasFeature(wire.GossipQueriesOptional),
		ex:      feats.HasFeature(wire.GossipQueriesExOptional),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.peers[id]; old != nil && old.syncing {
		s.syncing--
	}
	s.peers[id] = ps
	chain := s.g.cfg.ChainHash
	if !ps.queries {
		s.send(id, &wire.GossipTimestampFilter{ChainHash: chain, FirstTimestamp: 0xFFFFFFFF})
		return nil
	}
	if !s.synced && s.syncing < s.g.cfg.SyncPeers {
		ps.syncing, ps.rangeActive = true, true
		ps.rangeEnd = 0xFFFFFFFF
		s.syncing++
		q := &wire.QueryChannelRange{ChainHash: chain, FirstBlockHeight: 0, NumBlocks: 0xFFFFFFFF}
		if ps.ex {
			q.QueryOption = wire.Some(wire.QueryOptionWantTimestamps | wire.QueryOptionWantChecksums)
		}
		s.send(id, q)
	}
	first := uint32(0)
	if !s.now.IsZero() {
		first = uint32(s.now.Unix())
	}
	s.send(id, &wire.GossipTimestampFilter{ChainHash: chain, FirstTimestamp: first, TimestampRange: 0xFFFFFFFF})
	return nil
}

// PeerDisconnected implements peer.RoutingMessageHandler.
func (s *syncer) PeerDisconnected(id wire.NodeID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ps := s.peers[id]; ps != nil && ps.syncing {
		s.syncing--
	}
	delete(s.peers, id)
}

// PendingMessages implements peer.RoutingMessageHandler.
func (s *syncer) PendingMessages(dst []peer.Outbound) []peer.Outbound {
	s.mu.Lock()
	defer s.mu.Unlock()
	dst = append(dst, s.out...)
	clear(s.out)
	s.out = s.out[:0]
	return dst
}

func (s *syncer) send(to wire.NodeID, m wire.Message) {
	s.out = append(s.out, peer.Outbound{To: to, Msg: m})
}

// HandleRoutingMessage implements peer.RoutingMessageHandler.
// Announcements and updates are gathered and verified in batches; queries
// are answered (paced by ticks); replies drive our sync. A peer that
// breaks the query protocol or uses the zlib encoding is disconnected
// (the returned error).
func (s *syncer) HandleRoutingMessage(from wire.NodeID, msg wire.Message) error {
	switch m := msg.(type) {
	case *wire.ChannelAnnouncement, *wire.NodeAnnouncement, *wire.ChannelUpdate:
		s.mu.Lock()
		if ps := s.peers[from]; ps != nil && ps.badSigs > s.g.cfg.MaxBadSignatures {
			s.mu.Unlock()
			return errorf("peer sent %d messages with bad signatures: %w", ps.badSigs, ErrBadSignature)
		}
		s.inbox = append(s.inbox, msg)
		s.inboxSrc = append(s.inboxSrc, from)
		full := len(s.inbox) >= inboxSize
		s.mu.Unlock()
		if full {
			s.flushInbox()
		}
		return nil
	case *wire.QueryChannelRange:
		return s.onQueryChannelRange(from, m)
	case *wire.ReplyChannelRange:
		return s.onReplyChannelRange(from, m)
	case *wire.QueryShortChanIDs:
		return s.onQueryShortChanIDs(from, m)
	case *wire.ReplyShortChanIDsEnd:
		return s.onReplyShortChanIDsEnd(from, m)
	case *wire.GossipTimestampFilter:
		return s.onTimestampFilter(from, m)
	}
	return nil
}

// flushInbox applies the gathered gossip as one batch and queues what was
// accepted for the staggered broadcast.
func (s *syncer) flushInbox() {
	s.mu.Lock()
	msgs, src := s.inbox, s.inboxSrc
	s.inbox, s.inboxSrc = nil, nil
	s.mu.Unlock()
	if len(msgs) == 0 {
		return
	}
	errs := s.g.AddBatch(context.Background(), msgs)
	msgs, src, errs = s.retryPending(msgs, src, errs)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, err := range errs {
		if u, ok := msgs[i].(*wire.ChannelUpdate); ok && errors.Is(err, ErrUnknownChannel) {
			s.park(u, src[i])
		}
		if err != nil {
			if ps := s.peers[src[i]]; ps != nil && errors.Is(err, ErrBadSignature) {
				ps.badSigs++
			}
			s.g.cfg.Logger.Debug("graph: gossip dropped", "type", msgs[i].Type(), "from", src[i], "err", err)
			continue
		}
		s.queueBroadcast(msgs[i], src[i])
	}
}

// queueBroadcast puts an accepted message into the staggered broadcast.
// Caller holds s.mu.
func (s *syncer) queueBroadcast(msg wire.Message, from wire.NodeID) {
	s.seq++
	switch m := msg.(type) {
	case *wire.ChannelAnnouncement:
		s.caPending[m.ShortChannelID.ToUint64()] = struct{}{}
	case *wire.ChannelUpdate:
		if m.MessageFlags.DontForward() {
			return
		}
		s.stag[stagKey{scid: m.ShortChannelID.ToUint64(), dir: int8(m.ChannelFlags.Direction())}] = stagEntry{msg: m, from: from, seq: s.seq}
	case *wire.NodeAnnouncement:
		if !forwardable(m) {
			return
		}
		s.stag[stagKey{dir: -1, node: m.NodeID}] = stagEntry{msg: m, from: from, seq: s.seq}
	}
}

// tick applies gathered gossip, paces replies and backlogs, and flushes the
// staggered broadcast when it is due.
func (s *syncer) tick(now time.Time) {
	s.flushInbox()
	s.mu.Lock()
	s.now = now
	for k, p := range s.pending {
		if now.Sub(p.at) > parkTTL {
			delete(s.pending, k)
		}
	}
	due := !now.Before(s.nextFlush)
	if due {
		s.nextFlush = now.Add(s.g.cfg.BroadcastInterval)
	}
	peers := s.sortedPeers()
	s.mu.Unlock()
	for _, ps := range peers {
		s.pace(ps)
	}
	if due {
		s.flushBroadcast()
	}
}

// checkChain returns an error for a query on another chain.
func (s *syncer) checkChain(h [32]byte) bool { return h == s.g.cfg.ChainHash }

func errorf(format string, args ...any) error {
	return fmt.Errorf("graph: "+format, args...)
}

type pendingUpdate struct {
	msg  *wire.ChannelUpdate
	from wire.NodeID
	at   time.Time // when it was parked
}

// parkTTL is how long an update of an unknown channel waits for the
// announcement: junk updates for channels that never come cannot hold the
// bounded set for good.
const parkTTL = 10 * time.Minute

// park keeps an update of an unknown channel, in case its announcement
// follows (say, after a rate-limited funding lookup). Newer replace older
// for a direction; when the set is full new ones are dropped; each is
// forgotten parkTTL after it was parked (on a tick). Caller holds s.mu.
func (s *syncer) park(u *wire.ChannelUpdate, from wire.NodeID) {
	k := stagKey{scid: u.ShortChannelID.ToUint64(), dir: int8(u.ChannelFlags.Direction())}
	old, ok := s.pending[k]
	switch {
	case ok && old.msg.Timestamp >= u.Timestamp:
	case ok || len(s.pending) < s.g.cfg.MaxPendingUpdates:
		s.pending[k] = pendingUpdate{msg: u, from: from, at: s.now}
	}
}

// retryPending applies the parked updates of the channels msgs announced
// and appends them (with their outcomes) to the batch's results.
func (s *syncer) retryPending(msgs []wire.Message, src []wire.NodeID, errs []error) ([]wire.Message, []wire.NodeID, []error) {
	var again []wire.Message
	var from []wire.NodeID
	s.mu.Lock()
	if len(s.pending) > 0 {
		for i, m := range msgs {
			a, ok := m.(*wire.ChannelAnnouncement)
			if !ok || errs[i] != nil {
				continue
			}
			for d := int8(0); d < 2; d++ {
				k := stagKey{scid: a.ShortChannelID.ToUint64(), dir: d}
				if p, ok := s.pending[k]; ok {
					again = append(again, p.msg)
					from = append(from, p.from)
					delete(s.pending, k)
				}
			}
		}
	}
	s.mu.Unlock()
	if len(again) == 0 {
		return msgs, src, errs
	}
	errs2 := s.g.AddBatch(context.Background(), again)
	return append(slices.Clone(msgs), again...), append(slices.Clone(src), from...), append(errs, errs2...)
}
