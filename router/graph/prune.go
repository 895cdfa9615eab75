package graph

import (
	"context"
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

// BlockConnected records the chain tip and removes the channels whose
// funding was spent at least Config.SpendDelay blocks before height. It
// returns how many were removed.
func (g *Graph) BlockConnected(height uint32) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.height = height
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

// RecheckFunding asks the UTXOSource again about up to limit channels
// (round robin over the graph, within the funding lookup budget) and marks
// those whose output is gone as spent at the last BlockConnected height,
// so BlockConnected removes them Config.SpendDelay blocks later: removal
// of closed channels for a caller that does not watch every funding
// output. It returns how many were found spent; a budget or source error
// stops the sweep early.
func (g *Graph) RecheckFunding(ctx context.Context, limit int) (int, error) {
	if g.funding.src == nil {
		return 0, nil
	}
	g.mu.Lock()
	var batch []wire.ShortChannelID
	for i := 0; i < len(g.chans) && len(batch) < limit; i++ {
		c := (g.recheckAt + i) % len(g.chans)
		if ch := &g.chans[c]; ch.live && ch.Flags&ChannelSpent == 0 {
			batch = append(batch, ch.SCID)
		}
		if len(batch) == limit || i == len(g.chans)-1 {
			g.recheckAt = (c + 1) % len(g.chans)
		}
	}
	height := g.height
	g.mu.Unlock()
	spent := 0
	for _, scid := range batch {
		gone, err := g.funding.fresh(ctx, scid)
		if err != nil {
			return spent, err
		}
		if gone {
			g.FundingSpent(scid, height)
			spent++
		}
	}
	return spent, nil
}
