package graph

import (
	"time"

	"github.com/lnkit/lnkit/wire"
)

// FundingSpent records that the funding output of scid was spent in the
// block at height; BOLT 7 says to forget the channel 12 blocks later
// (Config.SpendDelay), so a splice's new announcement can propagate.
// BlockConnected removes it. The caller learns of spends from its chain
// watcher (chain.Watcher with the funding outpoints of FundingOutPoint).
func (g *Graph) FundingSpent(scid wire.ShortChannelID, height uint32) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.chanBySCID[scid.ToUint64()]
	if !ok {
		return
	}
	g.chans[c].Flags |= ChannelSpent
	g.spentAt[c] = height
	g.funding.forget(scid.ToUint64())
}

// BlockConnected removes the channels whose funding was spent at least
// Config.SpendDelay blocks before height. It returns how many were removed.
func (g *Graph) BlockConnected(height uint32) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	var gone []ChanIdx
	for c, h := range g.spentAt {
		if height >= h+g.cfg.SpendDelay {
			gone = append(gone, c)
		}
	}
	for _, c := range gone {
		g.removeChannel(c)
	}
	return len(gone)
}

// PruneZombies removes the zombie channels at now (BOLT 7, pruning stale
// entries): channels with no update newer than Config.StaleAfter in either
// direction, unless they were added less than StaleAfter ago. Nodes left
// without channels go too. It returns how many channels were removed.
func (g *Graph) PruneZombies(now time.Time) int {
	limit := now.Add(-g.cfg.StaleAfter).Unix()
	g.mu.Lock()
	defer g.mu.Unlock()
	var gone []ChanIdx
	for c := range g.chans {
		ch := &g.chans[c]
		if !ch.live {
			continue
		}
		fresh := false
		for _, p := range ch.Policy {
			if p.Flags&PolicyKnown != 0 && int64(p.Timestamp) >= limit {
				fresh = true
			}
		}
		if !fresh && int64(g.added[c]) < limit {
			gone = append(gone, ChanIdx(c))
		}
	}
	for _, c := range gone {
		g.removeChannel(c)
	}
	return len(gone)
}
