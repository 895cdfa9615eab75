package monitor

import lnwire "github.com/lnkit/lnkit/wire"

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
