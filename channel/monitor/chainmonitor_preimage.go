package monitor

import (
	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// Preimage returns the payment preimage of hash that channel id's monitor
// holds (see ChannelMonitor.Preimage); false for a channel not watched.
// The channel Manager asks it of an HTLC it fulfilled and no longer
// tracks, still in our latest commitment, to know whether that HTLC
// forces it on chain before its expiry.
func (c *ChainMonitor) Preimage(id lnwire.ChannelID, hash lnwire.PaymentHash) (lnwire.Preimage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.channels[id]
	if !ok {
		return lnwire.Preimage{}, false
	}
	return w.m.Preimage(hash)
}

// ProvidePreimage hands preimage to the monitor of every channel that is
// closed (force-closed, or its funding spent) and holds an HTLC offered
// to us paying its hash, learnt as what the chain teaches is (no
// numbered update) and written whole: the monitor then claims that HTLC
// on chain. It returns those
// channels. The channel Manager calls it when the application claims a
// payment whose channel closed before the claim (ClaimFunds); open
// channels get their preimage through the Manager's updates.
func (c *ChainMonitor) ProvidePreimage(preimage lnwire.Preimage) []lnwire.ChannelID {
	hash := preimage.Hash()
	var ids []lnwire.ChannelID
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range c.sorted() {
		m := w.m
		if m.chain.spend == nil && !m.forceClosed || !m.holdsIncoming(hash) {
			continue
		}
		// Learnt like what the chain teaches, not as a numbered update:
		// the channel manager may still be numbering its own for a
		// channel whose funding it has not seen spent yet. The monitor is
		// written whole (a write keeps the updates above its latest).
		if m.preimages == nil {
			m.preimages = make(map[lnwire.PaymentHash]lnwire.Preimage)
		}
		m.preimages[hash] = preimage
		if c.persister.UpdatePersistedChannel(m.ChannelID(), nil, m) == Failed {
			m.chain.changed = true // written again at the next block
			continue
		}
		ids = append(ids, m.ChannelID())
	}
	return ids
}

// holdsIncoming reports whether a commitment the monitor knows (ours,
// the counterparty's unrevoked ones) holds an HTLC offered to us paying
// hash.
func (m *ChannelMonitor) holdsIncoming(hash lnwire.PaymentHash) bool {
	states := m.knownStates()
	for _, st := range states {
		for _, h := range st.HTLCs {
			if h.Offerer == commit.Remote && h.PaymentHash == hash {
				return true
			}
		}
	}
	return false
}
