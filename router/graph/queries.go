package graph

import (
	"bytes"
	"slices"

	"github.com/lnkit/lnkit/wire"
)

// rangeEntry is one channel of a reply_channel_range.
type rangeEntry struct {
	scid uint64
	ts   wire.ChannelUpdateTimestamps
	cs   wire.ChannelUpdateChecksums
}

// channelsInRange lists the channels whose block is in [first, end),
// sorted, with their update timestamps and checksums.
func (g *Graph) channelsInRange(first, end uint64) []rangeEntry {
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []rangeEntry
	for id, c := range g.chanBySCID {
		h := id >> 40
		if h < first || h >= end {
			continue
		}
		e := rangeEntry{scid: id}
		if u := g.upd[c][0]; u != nil {
			e.ts.Node1, e.cs.Node1 = u.Timestamp, u.Checksum()
		}
		if u := g.upd[c][1]; u != nil {
			e.ts.Node2, e.cs.Node2 = u.Timestamp, u.Checksum()
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b rangeEntry) int {
		switch {
		case a.scid < b.scid:
			return -1
		case a.scid > b.scid:
			return 1
		}
		return 0
	})
	return out
}

// rangeReplies splits a sorted channel list into reply_channel_range
// messages answering q. Each reply's range covers its ids; the next starts
// at the block after the previous one's last block, or at that last block
// when a block's channels are split (what lnd checks).
func rangeReplies(q *wire.QueryChannelRange, entries []rangeEntry, batch int) []*wire.ReplyChannelRange {
	opt, _ := q.QueryOption.Get()
	wantTS := opt&wire.QueryOptionWantTimestamps != 0
	wantCS := opt&wire.QueryOptionWantChecksums != 0
	end := q.EndHeight()
	var out []*wire.ReplyChannelRange
	first := uint64(q.FirstBlockHeight)
	for i := 0; i == 0 || i < len(entries); i += batch {
		part := entries[i:min(i+batch, len(entries))]
		last := len(part) == 0 || i+batch >= len(entries)
		r := &wire.ReplyChannelRange{ChainHash: q.ChainHash, FirstBlockHeight: uint32(first), Encoding: wire.QueryEncodingUncompressed}
		var stop uint64
		if last {
			stop = end
			r.SyncComplete = true
		} else {
			stop = part[len(part)-1].scid>>40 + 1 // cover every id of the reply
		}
		r.NumBlocks = uint32(min(stop-first, 0xFFFFFFFF))
		r.ShortChannelIDs = make([]wire.ShortChannelID, len(part))
		var ts []wire.ChannelUpdateTimestamps
		var cs []wire.ChannelUpdateChecksums
		for j, e := range part {
			r.ShortChannelIDs[j] = wire.NewShortChannelID(e.scid)
			ts = append(ts, e.ts)
			cs = append(cs, e.cs)
		}
		if wantTS {
			r.Timestamps = wire.Some(wire.TimestampsTLV{Encoding: wire.QueryEncodingUncompressed, Timestamps: ts})
		}
		if wantCS {
			r.Checksums = wire.Some(cs)
		}
		out = append(out, r)
		if !last {
			// the next reply starts at the last block of this one when the
			// block is split, else right after it.
			next := part[len(part)-1].scid >> 40
			if entries[i+batch].scid>>40 != next {
				next++
			}
			first = next
		}
	}
	return out
}

// rangeQueriesPerTick is how many query_channel_range a peer may send
// between two ticks; a sync needs one.
const rangeQueriesPerTick = 2

func (s *syncer) onQueryChannelRange(from wire.NodeID, q *wire.QueryChannelRange) error {
	if !s.checkChain(q.ChainHash) {
		s.mu.Lock()
		s.send(from, &wire.ReplyChannelRange{ChainHash: q.ChainHash, FirstBlockHeight: q.FirstBlockHeight, NumBlocks: q.NumBlocks})
		s.mu.Unlock()
		return nil
	}
	if q.NumBlocks == 0 {
		return errorf("query_channel_range with number_of_blocks 0: %w", ErrProtocol)
	}
	// Each query scans the graph and queues its whole answer: a peer gets
	// rangeQueriesPerTick of them per tick, so a flood of 40-byte queries
	// cannot make us scan and queue without bound.
	s.mu.Lock()
	if ps := s.peers[from]; ps != nil {
		ps.rangeQueries++
		if ps.rangeQueries > rangeQueriesPerTick {
			s.mu.Unlock()
			return errorf("more than %d query_channel_range in one tick: %w", rangeQueriesPerTick, ErrRateLimited)
		}
	}
	s.mu.Unlock()
	replies := rangeReplies(q, s.g.channelsInRange(uint64(q.FirstBlockHeight), q.EndHeight()), s.g.cfg.ReplyBatch)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range replies {
		s.send(from, r)
	}
	return nil
}

// wantFlags says what we want to ask about one channel of a reply: all of
// it when unknown; the updates the peer has newer (and, with checksums,
// different) versions of when known. Zero: nothing.
func (g *Graph) wantFlags(scid uint64, ts *wire.ChannelUpdateTimestamps, cs *wire.ChannelUpdateChecksums) wire.QueryFlag {
	g.mu.RLock()
	defer g.mu.RUnlock()
	c, ok := g.chanBySCID[scid]
	if !ok {
		return queryAll
	}
	if ts == nil {
		return 0
	}
	var f wire.QueryFlag
	theirs := [2]uint32{ts.Node1, ts.Node2}
	var sums [2]uint32
	if cs != nil {
		sums = [2]uint32{cs.Node1, cs.Node2}
	}
	for d, flag := range [2]wire.QueryFlag{wire.QueryFlagChannelUpdate1, wire.QueryFlagChannelUpdate2} {
		u := g.upd[c][d]
		switch {
		case theirs[d] == 0:
		case u == nil:
			f |= flag
		case theirs[d] > u.Timestamp && (cs == nil || sums[d] != u.Checksum()):
			f |= flag
		}
	}
	return f
}

func (s *syncer) onReplyChannelRange(from wire.NodeID, r *wire.ReplyChannelRange) error {
	tsTLV, hasTS := r.Timestamps.Get()
	if r.Encoding == wire.QueryEncodingZlib || (hasTS && tsTLV.Encoding == wire.QueryEncodingZlib) {
		return errorf("reply_channel_range: %w", ErrZlibEncoding)
	}
	if hasTS && len(tsTLV.Timestamps) != len(r.ShortChannelIDs) {
		return errorf("reply_channel_range with %d timestamps for %d channels: %w", len(tsTLV.Timestamps), len(r.ShortChannelIDs), ErrProtocol)
	}
	sums, hasCS := r.Checksums.Get()
	if hasCS && len(sums) != len(r.ShortChannelIDs) {
		return errorf("reply_channel_range with %d checksums for %d channels: %w", len(sums), len(r.ShortChannelIDs), ErrProtocol)
	}
	s.mu.Lock()
	ps := s.peers[from]
	active := ps != nil && ps.rangeActive
	s.mu.Unlock()
	if !active {
		return errorf("unsolicited reply_channel_range: %w", ErrProtocol)
	}
	if !s.checkChain(r.ChainHash) {
		return errorf("reply_channel_range for another chain: %w", ErrProtocol)
	}
	var wants []want
	for i, id := range r.ShortChannelIDs {
		var ts *wire.ChannelUpdateTimestamps
		var cs *wire.ChannelUpdateChecksums
		if hasTS {
			ts = &tsTLV.Timestamps[i]
		}
		if hasCS {
			cs = &sums[i]
		}
		if f := s.g.wantFlags(id.ToUint64(), ts, cs); f != 0 {
			wants = append(wants, want{scid: id.ToUint64(), flags: f})
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ps = s.peers[from]; ps == nil {
		return nil
	}
	room := s.g.cfg.MaxPendingQuery - len(ps.wants)
	ps.wants = append(ps.wants, wants[:min(len(wants), max(room, 0))]...)
	if r.EndHeight() >= ps.rangeEnd {
		ps.rangeActive = false
		s.nextQuery(ps)
	}
	return nil
}

// nextQuery sends the next query_short_channel_ids of our sync with ps, or
// ends the sync. Caller holds s.mu.
func (s *syncer) nextQuery(ps *peerSync) {
	if ps.scidActive || ps.rangeActive || !ps.syncing {
		return
	}
	if len(ps.wants) == 0 {
		ps.syncing = false
		s.syncing--
		s.synced = true
		return
	}
	n := min(len(ps.wants), s.g.cfg.QueryBatch)
	batch := ps.wants[:n]
	slices.SortFunc(batch, func(a, b want) int {
		switch {
		case a.scid < b.scid:
			return -1
		case a.scid > b.scid:
			return 1
		}
		return 0
	})
	q := &wire.QueryShortChanIDs{ChainHash: s.g.cfg.ChainHash, Encoding: wire.QueryEncodingUncompressed}
	flags := make([]wire.QueryFlag, n)
	for i, w := range batch {
		q.ShortChannelIDs = append(q.ShortChannelIDs, wire.NewShortChannelID(w.scid))
		flags[i] = w.flags
	}
	if ps.ex {
		q.QueryFlags = wire.Some(wire.QueryFlagsTLV{Encoding: wire.QueryEncodingUncompressed, Flags: flags})
	}
	ps.wants = ps.wants[n:]
	ps.scidActive = true
	s.send(ps.id, q)
}

func (s *syncer) onReplyShortChanIDsEnd(from wire.NodeID, r *wire.ReplyShortChanIDsEnd) error {
	s.flushInbox() // apply what the reply carried before asking more
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.peers[from]
	if ps == nil || !ps.scidActive {
		return errorf("unsolicited reply_short_channel_ids_end: %w", ErrProtocol)
	}
	ps.scidActive = false
	s.nextQuery(ps)
	return nil
}

func (s *syncer) onQueryShortChanIDs(from wire.NodeID, q *wire.QueryShortChanIDs) error {
	fl, hasFlags := q.QueryFlags.Get()
	if q.Encoding == wire.QueryEncodingZlib || (hasFlags && fl.Encoding == wire.QueryEncodingZlib) {
		return errorf("query_short_channel_ids: %w", ErrZlibEncoding)
	}
	if hasFlags && len(fl.Flags) != len(q.ShortChannelIDs) {
		return errorf("query_short_channel_ids with %d flags for %d channels: %w", len(fl.Flags), len(q.ShortChannelIDs), ErrProtocol)
	}
	s.mu.Lock()
	ps := s.peers[from]
	if ps == nil {
		s.mu.Unlock()
		return nil
	}
	if ps.answering {
		s.mu.Unlock()
		return errorf("query_short_channel_ids before the previous one was answered: %w", ErrProtocol)
	}
	if !s.checkChain(q.ChainHash) {
		s.send(from, &wire.ReplyShortChanIDsEnd{ChainHash: q.ChainHash})
		s.mu.Unlock()
		return nil
	}
	ps.answering = true
	ps.answer = ps.answer[:0]
	for i, id := range q.ShortChannelIDs {
		f := queryAll
		if hasFlags {
			f = fl.Flags[i]
		}
		ps.answer = append(ps.answer, want{scid: id.ToUint64(), flags: f})
	}
	s.mu.Unlock()
	s.pace(ps) // BOLT 7: should not wait for the next flush
	return nil
}

// answerMessages returns the messages answering one queried channel, in
// the order BOLT 7 wants (announcement, updates, node announcements),
// leaving out nodes already in sent.
func (g *Graph) answerMessages(w want, sent map[wire.NodeID]bool, dst []wire.Message) []wire.Message {
	g.mu.RLock()
	defer g.mu.RUnlock()
	c, ok := g.chanBySCID[w.scid]
	if !ok {
		return dst
	}
	if w.flags&wire.QueryFlagChannelAnnouncement != 0 {
		dst = append(dst, g.ann[c])
	}
	for d, f := range [2]wire.QueryFlag{wire.QueryFlagChannelUpdate1, wire.QueryFlagChannelUpdate2} {
		if w.flags&f != 0 && g.upd[c][d] != nil {
			dst = append(dst, g.upd[c][d])
		}
	}
	for d, f := range [2]wire.QueryFlag{wire.QueryFlagNodeAnnouncement1, wire.QueryFlagNodeAnnouncement2} {
		n := g.chans[c].Node[d]
		if w.flags&f != 0 && g.nodeAnn[n] != nil && !sent[g.nodes[n].ID] {
			sent[g.nodes[n].ID] = true
			dst = append(dst, g.nodeAnn[n])
		}
	}
	return dst
}

// pace queues up to Config.BacklogPerTick channels of ps's pending answer
// and then of its filter backlog.
func (s *syncer) pace(ps *peerSync) {
	s.mu.Lock()
	ps.rangeQueries = 0
	budget := s.g.cfg.BacklogPerTick
	n := min(len(ps.answer), budget)
	answer := slices.Clone(ps.answer[:n])
	ps.answer = ps.answer[n:]
	done := ps.answering && len(ps.answer) == 0
	if done {
		ps.answering = false
	}
	m := min(len(ps.backlog), budget-n)
	backlog := slices.Clone(ps.backlog[:m])
	ps.backlog = ps.backlog[m:]
	lo, hi := ps.backlogMin, ps.backlogMax
	s.mu.Unlock()

	var msgs []wire.Message
	sent := make(map[wire.NodeID]bool)
	for _, w := range answer {
		msgs = s.g.answerMessages(w, sent, msgs)
	}
	nAnswer := len(msgs)
	for _, id := range backlog {
		msgs = s.g.filteredMessages(id, lo, hi, sent, msgs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peers[ps.id] != ps {
		return
	}
	for _, m := range msgs[:nAnswer] {
		s.send(ps.id, m)
	}
	if done {
		s.send(ps.id, &wire.ReplyShortChanIDsEnd{ChainHash: s.g.cfg.ChainHash, FullInformation: true})
	}
	for _, m := range msgs[nAnswer:] {
		s.send(ps.id, m)
	}
}

func (s *syncer) onTimestampFilter(from wire.NodeID, f *wire.GossipTimestampFilter) error {
	if !s.checkChain(f.ChainHash) {
		return nil
	}
	backlog := s.g.channelsUpdatedIn(f.FirstTimestamp, f.EndTimestamp())
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.peers[from]
	if ps == nil {
		return nil
	}
	cp := *f
	ps.filter = &cp
	ps.backlog = backlog
	ps.backlogMin, ps.backlogMax = f.FirstTimestamp, f.EndTimestamp()
	return nil
}

// channelsUpdatedIn lists (sorted) the channels with an update whose
// timestamp is in [lo, hi).
func (g *Graph) channelsUpdatedIn(lo uint32, hi uint64) []uint64 {
	if uint64(lo) >= hi {
		return nil
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	var out []uint64
	for id, c := range g.chanBySCID {
		for _, u := range g.upd[c] {
			if u != nil && u.Timestamp >= lo && uint64(u.Timestamp) < hi {
				out = append(out, id)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// filteredMessages returns one channel's gossip matching a timestamp
// filter: the announcement (dated by its newest update), the updates in
// range, and its nodes' announcements in range.
func (g *Graph) filteredMessages(id uint64, lo uint32, hi uint64, sent map[wire.NodeID]bool, dst []wire.Message) []wire.Message {
	in := func(ts uint32) bool { return ts >= lo && uint64(ts) < hi }
	g.mu.RLock()
	defer g.mu.RUnlock()
	c, ok := g.chanBySCID[id]
	if !ok {
		return dst
	}
	var upd []wire.Message
	for _, u := range g.upd[c] {
		if u != nil && in(u.Timestamp) && !u.MessageFlags.DontForward() {
			upd = append(upd, u)
		}
	}
	if len(upd) == 0 {
		return dst
	}
	dst = append(dst, g.ann[c])
	dst = append(dst, upd...)
	for _, n := range g.chans[c].Node {
		a := g.nodeAnn[n]
		if a != nil && in(a.Timestamp) && !sent[a.NodeID] && forwardable(a) {
			sent[a.NodeID] = true
			dst = append(dst, a)
		}
	}
	return dst
}

// sortedPeers returns the peers in key order (deterministic pacing).
// Caller holds s.mu.
func (s *syncer) sortedPeers() []*peerSync {
	out := make([]*peerSync, 0, len(s.peers))
	for _, p := range s.peers {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *peerSync) int { return bytes.Compare(a.id[:], b.id[:]) })
	return out
}
