package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
)

// forced is what the force close step learns for the steps after it.
type forced struct {
	channelID   string
	bobBefore   int64          // bob's balance before the force close
	carolBefore btcutil.Amount // carol's
	commitBlock int32          // the height of bob's commitment
	toRemote    int64          // carol's output of bob's commitment
}

// force has bob force-close his channel with carol; the steps after it
// mine until both sides swept their outputs of bob's commitment.
func (c *channelStory) force(ctx context.Context) error {
	if c.carol == nil {
		return nil
	}
	s := c.s
	s.stepf("bob force-closes his channel with carol: he broadcasts his latest commitment transaction")
	s.say("why bob: on his own commitment, carol's output is hers after 1 block (anchors), while bob's output is locked")
	s.say("for the to_self_delay carol asked of him: %d blocks (--remote_csv_delay). The sample nodes' --to-self-delay=%d", carolCSV, sampleToSelfDelay)
	s.say("is what bob asks of carol; it would count had carol force-closed. Both are small here to keep the demo short;")
	s.say("on a real network the delay is 144 blocks or more. bob's node sweeps his output into his wallet once it can.")
	ch, err := c.bob.channel(c.carol.nodeID)
	if err != nil {
		return err
	}
	f := &c.forced
	f.channelID = ch.ChannelID
	if _, f.bobBefore, err = c.balances(); err != nil {
		return err
	}
	if f.carolBefore, err = c.carol.confirmedBalance(ctx); err != nil {
		return err
	}
	commit, height, err := c.closeOnChain(ctx, c.bob, "forceclosechannel", ch.ChannelID, c.carol.nodeID, "holder-force-closed", "bob's commitment")
	if err != nil {
		return err
	}
	f.commitBlock = height
	commitFee, commitTx, err := c.b.txFee(ctx, commit)
	if err != nil {
		return err
	}
	c.events(c.bob)
	c.commitFee = int64(commitFee)
	for _, out := range commitTx.TxOut { // carol's output: neither bob's nor an anchor
		switch {
		case out.Value == anchorValue:
			c.anchors += out.Value
		case out.Value != carolPush:
			f.toRemote += out.Value
		}
	}
	s.say("commitment %s confirmed at height %d, fee %s (paid by carol, the opener); outputs:", commit, f.commitBlock, sat(c.commitFee))
	s.say("  bob's to_local %s (after %d blocks), carol's to_remote %s, anchors %s",
		sat(carolPush), carolCSV, sat(f.toRemote), sat(c.anchors))
	if f.toRemote+c.anchors+c.commitFee != carolChannel-carolPush {
		return fmt.Errorf("demo: carol's side of the commitment: %d + %d + %d sat, want %d", f.toRemote, c.anchors, c.commitFee, carolChannel-carolPush)
	}
	return nil
}

// bobSweep mines through bob's delay until he swept his output, and checks
// his wallet.
func (c *channelStory) bobSweep(ctx context.Context) error {
	if c.carol == nil {
		return nil
	}
	s, f := c.s, &c.forced
	s.stepf("Mining until bob's delay has passed: he sweeps his output into his wallet")
	// With the commitment in block commitBlock, bob's output may be spent
	// in block commitBlock+carolCSV: mine up to the block before, then
	// wait for the sweep, a block at a time.
	ready, err := c.mine(ctx, carolCSV-1, fmt.Sprintf("(the commitment has %d confirmations: bob's output may go into the next block)", carolCSV))
	if err != nil {
		return err
	}
	c.events(c.bob)
	var sweep string
	err = c.mineUntil(ctx, "bob's sweep", "(no sweep yet)", func() (bool, string, error) {
		if l := c.bob.events.matching("sweep txid=", f.channelID); len(l) > 0 {
			sweep = field(l[0], "txid")
		}
		return sweep != "", "no sweep yet", nil
	})
	c.events(c.bob)
	if err != nil {
		return err
	}
	if err := c.b.waitMempool(ctx, "bob's sweep", sweep); err != nil {
		return err
	}
	h, err := c.mine(ctx, 1, "on bob's sweep")
	if err != nil {
		return err
	}
	s.say("bob's sweep %s confirmed at height %d: his commitment was in block %d, the delay %d blocks", sweep, h, f.commitBlock, carolCSV)
	if h > ready+1 {
		s.say("(the sweep came %d block(s) later than the delay allowed)", h-ready-1)
	}
	sweepFee, sweepTx, err := c.b.txFee(ctx, sweep)
	if err != nil {
		return err
	}
	swept := sweepTx.TxOut[0].Value
	c.bobSweepFee = int64(sweepFee)
	s.say("it spends bob's %s output (to_local) and pays his wallet %s: the sweep's fee is %s", sat(carolPush), sat(swept), sat(int64(sweepFee)))
	if swept+int64(sweepFee) != carolPush {
		return fmt.Errorf("demo: bob's sweep claims %d sat, want his %d", swept+int64(sweepFee), carolPush)
	}
	// An anchor CPFP (the bump EVENT) costs bob's wallet its fee.
	want := f.bobBefore + swept
	for _, l := range c.bob.events.matching("bump ", f.channelID) {
		net, ok, err := c.bob.walletNet(field(l, "child_txid"))
		if err != nil {
			return err
		}
		if ok {
			want += net
			c.bobBumps += net
			s.say("bob's anchor fee bump %s cost his wallet %s", short(field(l, "child_txid")), sat(-net))
		}
	}
	s.command("bob", "getbalance")
	b, err := c.bob.waitBalance(ctx, want)
	if err != nil {
		return err
	}
	s.say("confirmed_sat %s = %s before + %s swept", sat(b.ConfirmedSat), sat(f.bobBefore), sat(b.ConfirmedSat-f.bobBefore))
	return nil
}

// carolSweep waits for lnd's sweep of carol's output, and shows her wallet
// and lnd's record of the close.
func (c *channelStory) carolSweep(ctx context.Context) error {
	if c.carol == nil {
		return nil
	}
	s, f := c.s, &c.forced
	// lnd sweeps carol's to_remote on its own schedule.
	var carolAfter btcutil.Amount
	err := c.mineUntil(ctx, "carol's sweep", "(carol's sweep to confirm)", func() (bool, string, error) {
		var err error
		carolAfter, err = c.carol.confirmedBalance(ctx)
		return carolAfter > f.carolBefore, carolAfter.String(), err
	})
	if err != nil {
		return err
	}
	s.lncli("walletbalance")
	got := int64(carolAfter - f.carolBefore)
	c.carolSweepFee = f.toRemote - got
	s.say("confirmed_balance %s = %s before + %s: lnd swept her %s to_remote for a %s fee",
		sat(int64(carolAfter)), sat(int64(f.carolBefore)), sat(got), sat(f.toRemote), sat(c.carolSweepFee))
	var closed struct {
		Channels []struct {
			ClosingTxHash  string `json:"closing_tx_hash"`
			CloseType      string `json:"close_type"`
			SettledBalance int64  `json:"settled_balance,string"`
			CloseInitiator string `json:"close_initiator"`
		} `json:"channels"`
	}
	s.lncli("closedchannels")
	if err := c.carol.cliJSON(ctx, &closed, "closedchannels"); err != nil {
		return err
	}
	if len(closed.Channels) == 0 {
		s.say("none yet: lnd lists a channel there once it resolved every output")
	}
	for _, cl := range closed.Channels {
		s.say("closing_tx_hash %s, close_type %s, close_initiator %s, settled_balance %s",
			short(cl.ClosingTxHash), cl.CloseType, cl.CloseInitiator, sat(cl.SettledBalance))
	}
	return nil
}

// sweepDeep mines bob's sweep 6 deep: the sample node forgets it.
func (c *channelStory) sweepDeep(ctx context.Context) error {
	if c.carol == nil {
		return nil
	}
	c.s.stepf("Mining 5 more blocks: 6 deep, the sample node forgets the sweep (a reorg can no longer undo it)")
	if _, err := c.mine(ctx, 5, ""); err != nil {
		return err
	}
	if _, err := c.bob.waitEvent(ctx, 1, "sweep_confirmed", c.forced.channelID); err != nil {
		return err
	}
	c.events(c.alice, c.bob)
	return nil
}

// mineUntil gives cond blockWait to be met after each block, mining one
// more block (saying why) each time it is not, at most maxSweepBlocks.
func (c *channelStory) mineUntil(ctx context.Context, what, why string, cond func() (bool, string, error)) error {
	for late := 0; ; late++ {
		err := waitWithin(ctx, blockWait, what, cond)
		if err == nil || !errors.Is(err, errTimeout) || late == maxSweepBlocks {
			return err
		}
		if _, err := c.mine(ctx, 1, why); err != nil {
			return err
		}
	}
}

// anchorValue is the value of an anchor output (BOLT 3).
const anchorValue = 330
