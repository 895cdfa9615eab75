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
// to us paying its hash, as an update of its own (made durable as any
// other): the monitor then claims that HTLC on chain. It returns those
// channels. The channel Manager calls it when the application claims a
// payment whose channel closed before the claim (ClaimFunds); open
// channels get their preimage through the Manager's updates.
func (c *ChainMonitor) ProvidePreimage(preimage lnwire.Preimage) []lnwire.ChannelID {
	hash := preimage.Hash()
	var ids []lnwire.ChannelID
	c.mu.Lock()
	for _, w := range c.sorted() {
		m := w.m
		if m.chain.spend == nil && !m.forceClosed || !m.holdsIncoming(hash) {
			continue
		}
		ids = append(ids, m.ChannelID())
	}
	c.mu.Unlock()
	var taken []lnwire.ChannelID
	for _, id := range ids {
		// The id is chosen under the lock the update is applied with: two
		// calls at once never share one (the second would be skipped).
		u := &Update{Steps: []Step{&PaymentPreimage{Preimage: preimage}}}
		if st, _ := c.updateChannel(id, u, true); st != Failed {
			taken = append(taken, id)
		}
	}
	return taken
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
