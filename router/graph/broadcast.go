package graph

import (
	"cmp"
	"slices"

	"github.com/lnkit/lnkit/wire"
)

// flushBroadcast sends the staggered broadcast: our own messages to every
// peer, and relayed gossip (announcement before its updates, then node
// announcements) to every peer whose timestamp filter matches, except the
// peer it came from.
func (s *syncer) flushBroadcast() {
	s.mu.Lock()
	entries := make([]stagEntry, 0, len(s.stag))
	for _, e := range s.stag {
		entries = append(entries, e)
	}
	clear(s.stag)
	own := s.own
	s.own = nil
	slices.SortFunc(entries, func(a, b stagEntry) int { return cmp.Compare(a.seq, b.seq) })
	// The announcement of a channel goes out with its first update.
	var withAnn []uint64
	for _, e := range entries {
		if u, ok := e.msg.(*wire.ChannelUpdate); ok {
			id := u.ShortChannelID.ToUint64()
			if _, ok := s.caPending[id]; ok {
				delete(s.caPending, id)
				withAnn = append(withAnn, id)
			}
		}
	}
	s.mu.Unlock()

	anns := s.g.announcements(withAnn)
	s.mu.Lock()
	defer s.mu.Unlock()
	peers := s.sortedPeers()
	for _, ps := range peers {
		for _, m := range own {
			s.send(ps.id, m)
		}
		if ps.filter == nil {
			continue
		}
		// channel announcements and updates first, node announcements
		// after (BOLT 7: a channel_announcement before its node's).
		annSent := make(map[uint64]bool)
		for _, e := range entries {
			m, ok := e.msg.(*wire.ChannelUpdate)
			if !ok || e.from == ps.id || !ps.filter.Matches(m.Timestamp) {
				continue
			}
			id := m.ShortChannelID.ToUint64()
			if a := anns[id]; a != nil && !annSent[id] {
				annSent[id] = true
				s.send(ps.id, a)
			}
			s.send(ps.id, m)
		}
		for _, e := range entries {
			if m, ok := e.msg.(*wire.NodeAnnouncement); ok && e.from != ps.id && ps.filter.Matches(m.Timestamp) {
				s.send(ps.id, m)
			}
		}
	}
}

// announcements returns the stored announcements of the given channels.
func (g *Graph) announcements(ids []uint64) map[uint64]*wire.ChannelAnnouncement {
	out := make(map[uint64]*wire.ChannelAnnouncement, len(ids))
	g.mu.RLock()
	defer g.mu.RUnlock()
	for _, id := range ids {
		if c, ok := g.chanBySCID[id]; ok {
			out[id] = g.ann[c]
		}
	}
	return out
}
