package main

import (
	"context"
)

// cooperative closes alice's channel with bob cooperatively.
func (c *channelStory) cooperative(ctx context.Context) error {
	s := c.s
	s.stepf("alice closes her channel with bob cooperatively (shutdown, closing_signed): one transaction pays each side at once")
	ch, err := c.alice.channel(c.ids["bob"].NodeID)
	if err != nil {
		return err
	}
	aliceBefore, bobBefore, err := c.balances()
	if err != nil {
		return err
	}
	txid, _, err := c.closeOnChain(ctx, c.alice, "closechannel", ch.ChannelID, c.ids["bob"].NodeID, "cooperative-by-us", "the closing transaction")
	if err != nil {
		return err
	}
	if _, err := c.bob.waitEvent(ctx, 1, "channel_closed", ch.ChannelID, "cooperative-by-peer"); err != nil {
		return err
	}
	fee, _, err := c.b.txFee(ctx, txid)
	if err != nil {
		return err
	}
	c.closingFee = int64(fee)
	c.events(c.alice, c.bob)
	s.say("closing transaction %s, fee %s (paid by alice, the opener)", txid, sat(int64(fee)))
	aliceGets := int64(aliceChannel - alicePush - int64(fee))
	s.command("alice", "getbalance")
	a, err := c.alice.waitBalance(ctx, aliceBefore+aliceGets)
	if err != nil {
		return err
	}
	s.say("confirmed_sat %s = %s before + %s (her %s less the closing fee)", sat(a.ConfirmedSat), sat(aliceBefore), sat(aliceGets), sat(aliceChannel-alicePush))
	s.command("bob", "getbalance")
	b, err := c.bob.waitBalance(ctx, bobBefore+alicePush)
	if err != nil {
		return err
	}
	s.say("confirmed_sat %s = %s before + %s (what alice pushed to him)", sat(b.ConfirmedSat), sat(bobBefore), sat(alicePush))
	return nil
}

// closeOnChain runs the close command (closechannel or forceclosechannel)
// on n, waits for n's channel_closed EVENT with reason and for the
// transaction it broadcasts (called what), mines it, and returns its txid
// and height.
func (c *channelStory) closeOnChain(ctx context.Context, n *sampleNode, command, channelID, peer, reason, what string) (string, int32, error) {
	pool, err := c.b.mempool(ctx)
	if err != nil {
		return "", 0, err
	}
	c.s.command(n.name, command+" "+short(channelID)+" "+short(peer))
	var r closeAnswer
	if err := n.run(command+" "+channelID+" "+peer, &r); err != nil {
		return "", 0, err
	}
	c.s.say("status %q", r.Status)
	if _, err := n.waitEvent(ctx, 1, "channel_closed", channelID, reason); err != nil {
		return "", 0, err
	}
	if err := c.b.waitNewMempoolTx(ctx, what, pool); err != nil {
		return "", 0, err
	}
	// listclosed names the closing transaction once it is in a block.
	h, err := c.mine(ctx, 1, "on "+what)
	if err != nil {
		return "", 0, err
	}
	txid, err := n.closingTxid(ctx, channelID)
	return txid, h, err
}
