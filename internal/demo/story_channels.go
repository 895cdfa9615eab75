package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
)

// The amounts of the channel story, in satoshis.
const (
	aliceFunds = 1_000_000 // the faucet's payment to alice's wallet
	bobFunds   = 500_000   // to bob's: his anchor fee bumps come from it
	carolFunds = 1_000_000 // to carol's (lnd's) wallet

	aliceChannel = 400_000 // alice → bob, anchors
	alicePush    = 100_000 // given to bob at the opening
	carolChannel = 300_000 // carol → bob
	carolPush    = 50_000  // given to bob at the opening

	// carolCSV is the to_self_delay carol (lnd) asks of bob (lncli
	// openchannel --remote_csv_delay): how long bob waits for his own
	// funds after he force-closes. lnd would scale it with the capacity
	// (144 blocks and more); a small value keeps the demo short.
	carolCSV = 10
	// sampleToSelfDelay is the sample nodes' --to-self-delay: what they
	// ask of their peers (alice of bob, bob of carol).
	sampleToSelfDelay = 10
	// maxSweepBlocks bounds the blocks mined while waiting for a
	// force-close sweep beyond the delay.
	maxSweepBlocks = 20
)

// channelStory funds the wallets, opens alice → bob and carol → bob,
// closes the first cooperatively and force-closes the second, and shows
// the funds coming back to the wallets.
type channelStory struct {
	s          *story
	b          *btcd
	alice, bob *sampleNode
	carol      *lnd // nil: no lnd, the carol steps are left out
	ids        map[string]nodeInfo
	names      map[string]string // node id → name

	// What the story learns on the way, for the closing summary (sat).
	aliceFundingTx, carolFundingTx string
	aliceFundingFee, closingFee    int64
	carolFundingFee, commitFee     int64
	anchors, carolSweepFee         int64
	bobSweepFee, bobBumps          int64
}

// tellChannels tells the channel part of the demo.
func tellChannels(ctx context.Context, s *story, b *btcd, alice, bob *sampleNode, carol *lnd) error {
	c := &channelStory{s: s, b: b, alice: alice, bob: bob, carol: carol, ids: map[string]nodeInfo{}, names: map[string]string{}}
	for _, n := range []*sampleNode{alice, bob} {
		var info nodeInfo
		if err := n.run("nodeinfo", &info); err != nil {
			return err
		}
		c.ids[n.name] = info
		c.names[info.NodeID] = n.name
	}
	if carol != nil {
		c.names[carol.nodeID] = "carol"
	}
	steps := []func(context.Context) error{c.fund, c.openAlice, c.openCarol, c.confirm, c.list, c.cooperative, c.force, c.summary}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// fund pays the three wallets from the faucet.
func (c *channelStory) fund(ctx context.Context) error {
	s := c.s
	s.stepf("Funding the wallets: btcd has no wallet, so the demo mined the first blocks to a key it holds and pays from one of those coinbases")
	var pays []payment
	for _, n := range []*sampleNode{c.alice, c.bob} {
		var a addressAnswer
		s.command(n.name, "newaddress")
		if err := n.run("newaddress", &a); err != nil {
			return err
		}
		s.say("address %s (P2WPKH, from the wallet's BIP 84 key chain)", a.Address)
		amt := btcutil.Amount(aliceFunds)
		if n == c.bob {
			amt = bobFunds
		}
		pays = append(pays, payment{a.Address, amt})
	}
	if c.carol != nil {
		s.lncli("newaddress p2wkh")
		addr, err := c.carol.newAddress(ctx)
		if err != nil {
			return err
		}
		s.say("address %s", addr)
		pays = append(pays, payment{addr, carolFunds})
	}
	txid, err := c.b.pay(ctx, pays...)
	if err != nil {
		return err
	}
	s.say("faucet transaction %s pays alice %s, bob %s%s", txid, sat(aliceFunds), sat(bobFunds),
		map[bool]string{true: ", carol " + sat(carolFunds)}[c.carol != nil])
	if err := c.b.waitMempool(ctx, "the faucet transaction", txid); err != nil {
		return err
	}
	if _, err := c.mine(ctx, 1, "to confirm it"); err != nil {
		return err
	}
	for _, n := range []*sampleNode{c.alice, c.bob} {
		want := int64(aliceFunds)
		if n == c.bob {
			want = bobFunds
		}
		s.command(n.name, "getbalance")
		bal, err := n.waitBalance(ctx, want)
		if err != nil {
			return err
		}
		s.say("confirmed_sat %s, unconfirmed_sat %d, total_sat %s", sat(bal.ConfirmedSat), bal.UnconfirmedSat, sat(bal.TotalSat))
	}
	if c.carol != nil {
		s.lncli("walletbalance")
		if err := c.waitCarolBalance(ctx, carolFunds, func(have btcutil.Amount) bool { return have == carolFunds }); err != nil {
			return err
		}
		s.say("confirmed_balance %s", sat(carolFunds))
	}
	return nil
}

// openAlice opens the channel alice → bob.
func (c *channelStory) openAlice(ctx context.Context) error {
	s := c.s
	s.stepf("alice opens a %s channel to bob with anchor outputs, giving him %s of it (--push-msat)", sat(aliceChannel), sat(alicePush))
	bob := c.ids["bob"]
	line := fmt.Sprintf("openchannel %s@%s %d --with-anchors --push-msat %d", bob.NodeID, bob.ListeningOn, aliceChannel, alicePush*1000)
	s.command("alice", line)
	var o openAnswer
	if err := c.alice.run(line, &o); err != nil {
		return err
	}
	s.say("temporary_channel_id %s, capacity_sat %s: negotiating (open_channel, accept_channel, funding_created, funding_signed)", short(o.TemporaryChannelID), sat(o.CapacitySat))
	s.say("(bob disconnected above: openchannel connects first)")
	pending, err := c.alice.waitEvent(ctx, 1, "channel_pending")
	if err != nil {
		return err
	}
	c.aliceFundingTx = field(pending[0], "funding_txid")
	if err := c.b.waitMempool(ctx, "alice's funding transaction", c.aliceFundingTx); err != nil {
		return err
	}
	c.events(c.alice, c.bob)
	s.say("alice's wallet funded the channel and broadcast the funding transaction; it confirms below")
	return nil
}

// openCarol opens the channel carol (lnd) → bob.
func (c *channelStory) openCarol(ctx context.Context) error {
	if c.carol == nil {
		return nil
	}
	s := c.s
	s.stepf("carol (lnd) opens a %s channel to bob, giving him %s, and asks him for a to_self_delay of %d blocks", sat(carolChannel), sat(carolPush), carolCSV)
	bob := c.ids["bob"]
	s.lncli("connect " + short(bob.NodeID) + "@" + bob.ListeningOn)
	var ignored struct{}
	if err := c.carol.cliJSON(ctx, &ignored, "connect", bob.NodeID+"@"+bob.ListeningOn); err != nil && !strings.Contains(err.Error(), "already connected") {
		return err
	}
	args := []string{"openchannel", "--node_key=" + bob.NodeID, "--local_amt=" + strconv.Itoa(carolChannel),
		"--push_amt=" + strconv.Itoa(carolPush), "--remote_csv_delay=" + strconv.Itoa(carolCSV)}
	s.lncli(strings.Join(append([]string{args[0], "--node_key=" + short(bob.NodeID)}, args[2:]...), " "))
	var o struct {
		FundingTxid string `json:"funding_txid"`
	}
	if err := c.carol.cliJSON(ctx, &o, args...); err != nil {
		return err
	}
	s.say("funding_txid %s", o.FundingTxid)
	c.carolFundingTx = o.FundingTxid
	if _, err := c.bob.waitEvent(ctx, 1, "channel_pending", "counterparty="+c.carol.nodeID); err != nil {
		return err
	}
	if err := c.b.waitMempool(ctx, "carol's funding transaction", o.FundingTxid); err != nil {
		return err
	}
	c.events(c.bob)
	s.say("--remote_csv_delay=%d: if bob force-closes, his own output waits %d blocks (lnd would ask 144 or more)", carolCSV, carolCSV)
	return nil
}

// confirm mines the funding transactions 6 deep: the channels are ready.
func (c *channelStory) confirm(ctx context.Context) error {
	s := c.s
	s.stepf("Mining 6 blocks: the sample nodes ask for 6 confirmations of a funding transaction (minimum_depth)")
	if _, err := c.mine(ctx, 6, "on the funding transactions"); err != nil {
		return err
	}
	want := 1
	if c.carol != nil {
		want = 2
	}
	if _, err := c.bob.waitEvent(ctx, want, "channel_ready"); err != nil {
		return err
	}
	if _, err := c.alice.waitEvent(ctx, 1, "channel_ready"); err != nil {
		return err
	}
	c.events(c.alice, c.bob)
	fee, _, err := c.b.txFee(ctx, c.aliceFundingTx)
	if err != nil {
		return err
	}
	c.aliceFundingFee = int64(fee)
	s.command("alice", "getbalance")
	a, err := c.alice.waitBalance(ctx, aliceFunds-aliceChannel-c.aliceFundingFee)
	if err != nil {
		return err
	}
	s.say("confirmed_sat %s = %s - %s in the channel - %s funding fee (the change came back to her wallet)",
		sat(a.ConfirmedSat), sat(aliceFunds), sat(aliceChannel), sat(c.aliceFundingFee))
	if c.carol != nil {
		fee, _, err := c.b.txFee(ctx, c.carolFundingTx)
		if err != nil {
			return err
		}
		c.carolFundingFee = int64(fee)
		err = waitFor(ctx, "carol's channel with bob active", func() (bool, string, error) {
			chans, err := c.carol.activeChannels(ctx)
			return len(chans) == 1, fmt.Sprintf("%d active channels", len(chans)), err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// list shows the channels on bob's side, and on carol's.
func (c *channelStory) list(ctx context.Context) error {
	s := c.s
	s.stepf("bob lists his channels")
	s.command("bob", "listchannels")
	var l channelList
	if err := c.bob.run("listchannels", &l); err != nil {
		return err
	}
	for _, ch := range l.Channels {
		dir := "opened by " + c.name(ch.Counterparty)
		if ch.IsOutbound {
			dir = "opened by bob"
		}
		s.say("with %s (%s): channel_id %s, short_channel_id %s, %s", c.name(ch.Counterparty), dir, short(ch.ChannelID), ch.ShortChannelID, ch.ChannelType)
		s.say("  capacity %s: bob %s, %s %s; state %s, usable %v, %d confirmations",
			sat(ch.CapacitySat), msat(ch.LocalBalanceMsat), c.name(ch.Counterparty), msat(ch.RemoteBalanceMsat), ch.State, ch.Usable, ch.Confirmations)
		s.say("  reserves: bob %s, %s %s (1%% of the capacity each must keep)", sat(ch.LocalReserveSat), c.name(ch.Counterparty), sat(ch.RemoteReserveSat))
	}
	if len(l.Channels) != 1+btoi(c.carol != nil) {
		return fmt.Errorf("demo: bob lists %d channels", len(l.Channels))
	}
	s.say("balances are each side's share of the channel: the opener also pays the commitment transaction's fee")
	s.say("and, with anchors, the two 330 sat anchor outputs from its share (lnd's local_balance below shows that)")
	for _, ch := range l.Channels {
		want := uint64(alicePush * 1000)
		if c.name(ch.Counterparty) == "carol" {
			want = carolPush * 1000
		}
		if ch.LocalBalanceMsat != want || !ch.Usable {
			return fmt.Errorf("demo: bob's channel with %s: balance %d msat (want %d), usable %v", c.name(ch.Counterparty), ch.LocalBalanceMsat, want, ch.Usable)
		}
	}
	if c.carol == nil {
		return nil
	}
	s.lncli("listchannels --active_only")
	chans, err := c.carol.activeChannels(ctx)
	if err != nil {
		return err
	}
	for _, ch := range chans {
		s.say("with %s: chan_id %s, scid_str %s, %s, capacity %s: carol %s, bob %s, commit_fee %s",
			c.name(ch.RemotePubkey), short(ch.ChanID), ch.ScidStr, ch.CommitmentType,
			sat(ch.Capacity), sat(ch.LocalBalance), sat(ch.RemoteBalance), sat(ch.CommitFee))
		s.say("  csv_delay: carol waits %d blocks after her own force close, bob %d after his",
			ch.LocalConstr.CsvDelay, ch.RemoteConstr.CsvDelay)
	}
	return nil
}

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
	pool, err := c.b.mempool(ctx)
	if err != nil {
		return err
	}
	line := "closechannel " + ch.ChannelID + " " + c.ids["bob"].NodeID
	s.command("alice", "closechannel "+short(ch.ChannelID)+" "+short(c.ids["bob"].NodeID))
	var r closeAnswer
	if err := c.alice.run(line, &r); err != nil {
		return err
	}
	s.say("status %q", r.Status)
	if _, err := c.alice.waitEvent(ctx, 1, "channel_closed", ch.ChannelID, "cooperative-by-us"); err != nil {
		return err
	}
	if _, err := c.bob.waitEvent(ctx, 1, "channel_closed", ch.ChannelID, "cooperative-by-peer"); err != nil {
		return err
	}
	// listclosed names the closing transaction once it is in a block.
	if err := c.b.waitNewMempoolTx(ctx, "the closing transaction", pool); err != nil {
		return err
	}
	if _, err := c.mine(ctx, 1, "on the closing transaction"); err != nil {
		return err
	}
	txid, err := c.alice.closingTxid(ctx, ch.ChannelID)
	if err != nil {
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

// force has bob force-close his channel with carol and mines until both
// sides swept their outputs of bob's commitment.
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
	_, bobBefore, err := c.balances()
	if err != nil {
		return err
	}
	carolBefore, err := c.carol.confirmedBalance(ctx)
	if err != nil {
		return err
	}
	pool, err := c.b.mempool(ctx)
	if err != nil {
		return err
	}
	line := "forceclosechannel " + ch.ChannelID + " " + c.carol.nodeID
	s.command("bob", "forceclosechannel "+short(ch.ChannelID)+" "+short(c.carol.nodeID))
	var r closeAnswer
	if err := c.bob.run(line, &r); err != nil {
		return err
	}
	s.say("status %q", r.Status)
	if _, err := c.bob.waitEvent(ctx, 1, "channel_closed", ch.ChannelID, "holder-force-closed"); err != nil {
		return err
	}
	if err := c.b.waitNewMempoolTx(ctx, "bob's commitment transaction", pool); err != nil {
		return err
	}
	start, err := c.mine(ctx, 1, "on bob's commitment")
	if err != nil {
		return err
	}
	commit, err := c.bob.closingTxid(ctx, ch.ChannelID)
	if err != nil {
		return err
	}
	commitFee, commitTx, err := c.b.txFee(ctx, commit)
	if err != nil {
		return err
	}
	c.events(c.bob)
	c.commitFee = int64(commitFee)
	var toRemote int64 // carol's output: what is neither bob's nor an anchor
	for _, out := range commitTx.TxOut {
		switch {
		case out.Value == anchorValue:
			c.anchors += out.Value
		case out.Value != carolPush:
			toRemote += out.Value
		}
	}
	s.say("commitment %s confirmed at height %d, fee %s (paid by carol, the opener); outputs:", commit, start, sat(c.commitFee))
	s.say("  bob's to_local %s (after %d blocks), carol's to_remote %s, anchors %s",
		sat(carolPush), carolCSV, sat(toRemote), sat(c.anchors))
	if toRemote+c.anchors+c.commitFee != carolChannel-carolPush {
		return fmt.Errorf("demo: carol's side of the commitment: %d + %d + %d sat, want %d", toRemote, c.anchors, c.commitFee, carolChannel-carolPush)
	}

	s.stepf("Mining until bob's delay has passed: he sweeps his output into his wallet")
	// With the commitment in block start, bob's output may be spent in
	// block start+carolCSV: mine up to the block before, then wait for the
	// sweep, a block at a time.
	ready, err := c.mine(ctx, carolCSV-1, fmt.Sprintf("(the commitment has %d confirmations: bob's output may go into the next block)", carolCSV))
	if err != nil {
		return err
	}
	c.events(c.bob)
	var sweep string
	for late := 0; ; late++ {
		err := waitWithin(ctx, blockWait, "bob's sweep", func() (bool, string, error) {
			l := c.bob.events.matching("sweep txid=", ch.ChannelID)
			if len(l) > 0 {
				sweep = field(l[0], "txid")
			}
			return sweep != "", "no sweep yet", nil
		})
		c.events(c.bob)
		if err == nil {
			break
		}
		if !errors.Is(err, errTimeout) || late == maxSweepBlocks {
			return err
		}
		if _, err := c.mine(ctx, 1, "(no sweep yet)"); err != nil {
			return err
		}
	}
	if err := c.b.waitMempool(ctx, "bob's sweep", sweep); err != nil {
		return err
	}
	h, err := c.mine(ctx, 1, "on bob's sweep")
	if err != nil {
		return err
	}
	s.say("bob's sweep %s confirmed at height %d: his commitment was in block %d, the delay %d blocks", sweep, h, start, carolCSV)
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
	want := bobBefore + swept
	for _, l := range c.bob.events.matching("bump ", ch.ChannelID) {
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
	s.say("confirmed_sat %s = %s before + %s swept", sat(b.ConfirmedSat), sat(bobBefore), sat(b.ConfirmedSat-bobBefore))
	// lnd sweeps carol's to_remote on its own schedule: a block at a time
	// until her balance grows.
	var carolAfter btcutil.Amount
	for late := 0; ; late++ {
		err := waitWithin(ctx, blockWait, "carol's sweep", func() (bool, string, error) {
			var err error
			carolAfter, err = c.carol.confirmedBalance(ctx)
			return carolAfter > carolBefore, carolAfter.String(), err
		})
		if err == nil {
			break
		}
		if !errors.Is(err, errTimeout) || late == maxSweepBlocks {
			return err
		}
		if _, err := c.mine(ctx, 1, "(carol's sweep to confirm)"); err != nil {
			return err
		}
	}
	s.lncli("walletbalance")
	c.carolSweepFee = toRemote - int64(carolAfter-carolBefore)
	s.say("confirmed_balance %s = %s before + %s: lnd swept her %s to_remote for a %s fee",
		sat(int64(carolAfter)), sat(int64(carolBefore)), sat(int64(carolAfter-carolBefore)), sat(toRemote), sat(c.carolSweepFee))

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

	s.stepf("Mining 5 more blocks: 6 deep, the sample node forgets the sweep (a reorg can no longer undo it)")
	if _, err := c.mine(ctx, 5, ""); err != nil {
		return err
	}
	if _, err := c.bob.waitEvent(ctx, 1, "sweep_confirmed", ch.ChannelID); err != nil {
		return err
	}
	c.events(c.alice, c.bob)
	return nil
}

// summary accounts for every satoshi that left or reached the wallets.
func (c *channelStory) summary(ctx context.Context) error {
	s := c.s
	s.stepf("Where the coins went (on-chain wallets, from the faucet's payments to now)")
	alice, bob, err := c.balances()
	if err != nil {
		return err
	}
	type line struct {
		what string
		sat  int64
	}
	account := func(name string, start, now int64, lines []line) error {
		sum := start
		var parts []string
		for _, l := range lines {
			if l.sat == 0 {
				continue
			}
			sum += l.sat
			parts = append(parts, fmt.Sprintf("%s %s", signed(l.sat), l.what))
		}
		s.say("%-6s %s → %s: %s", name, sat(start), sat(now), strings.Join(parts, ", "))
		if sum != now {
			return fmt.Errorf("demo: %s's wallet holds %d sat, the story accounts for %d", name, now, sum)
		}
		return nil
	}
	if err := account("alice", aliceFunds, alice, []line{
		{"pushed to bob", -alicePush}, {"funding fee", -c.aliceFundingFee}, {"closing fee", -c.closingFee},
	}); err != nil {
		return err
	}
	bobLines := []line{{"from alice", alicePush}}
	if c.carol != nil {
		bobLines = append(bobLines, line{"from carol", carolPush}, line{"sweep fee", -c.bobSweepFee}, line{"anchor fee bumps", c.bobBumps})
	}
	if err := account("bob", bobFunds, bob, bobLines); err != nil {
		return err
	}
	if c.carol == nil {
		return nil
	}
	carol, err := c.carol.confirmedBalance(ctx)
	if err != nil {
		return err
	}
	err = account("carol", carolFunds, int64(carol), []line{
		{"pushed to bob", -carolPush}, {"funding fee", -c.carolFundingFee}, {"commitment fee", -c.commitFee},
		{"anchor outputs", -c.anchors}, {"sweep fee", -c.carolSweepFee},
	})
	if err != nil {
		return err
	}
	s.say("(the two 330 sat anchors stay on chain: after 16 blocks anyone may spend them, to clean up the UTXO set)")
	return nil
}

// anchorValue is the value of an anchor output (BOLT 3).
const anchorValue = 330

// signed formats an amount with its sign.
func signed(n int64) string {
	if n < 0 {
		return "-" + sat(-n)
	}
	return "+" + sat(n)
}

// balances returns alice's and bob's confirmed balances.
func (c *channelStory) balances() (alice, bob int64, err error) {
	a, err := c.alice.balance()
	if err != nil {
		return 0, 0, err
	}
	b, err := c.bob.balance()
	return a.ConfirmedSat, b.ConfirmedSat, err
}

// waitCarolBalance waits until ok accepts carol's confirmed balance.
func (c *channelStory) waitCarolBalance(ctx context.Context, want btcutil.Amount, ok func(btcutil.Amount) bool) error {
	if err := c.carol.waitSynced(ctx, c.b); err != nil {
		return err
	}
	return waitFor(ctx, "carol's confirmed balance "+sat(int64(want)), func() (bool, string, error) {
		bal, err := c.carol.confirmedBalance(ctx)
		return ok(bal), bal.String(), err
	})
}

// mine mines n blocks, says so (unless why is empty and n is 1), and waits
// until every node is at the new tip. It returns the tip's height.
func (c *channelStory) mine(ctx context.Context, n int, why string) (int32, error) {
	h, err := c.b.generate(ctx, n)
	if err != nil {
		return 0, err
	}
	switch {
	case why != "":
		c.s.say("btcd: generate %d %s → height %d", n, why, h)
	default:
		c.s.say("btcd: generate %d → height %d", n, h)
	}
	for _, node := range []*sampleNode{c.alice, c.bob} {
		if err := node.waitHeight(ctx, h); err != nil {
			return 0, err
		}
	}
	if c.carol != nil {
		if err := c.carol.waitSynced(ctx, c.b); err != nil {
			return 0, err
		}
	}
	return h, nil
}

// events prints the EVENT lines the nodes printed since the last call,
// with the ids shortened and node ids named; of the progress lines
// (confirmation counts) only the last of each is shown.
func (c *channelStory) events(nodes ...*sampleNode) {
	for _, n := range nodes {
		for _, l := range lastProgress(n.events.unshown()) {
			fmt.Fprintf(c.s.w, "     %s EVENT: %s\n", n.name, c.abbreviate(l))
		}
	}
}

// hexID matches node ids (66 hex digits) and channel ids and txids (64).
var hexID = regexp.MustCompile(`\b[0-9a-f]{64}(?:[0-9a-f]{2})?\b`)

// abbreviate names the node ids of a line and shortens its other ids.
func (c *channelStory) abbreviate(line string) string {
	return hexID.ReplaceAllStringFunc(line, func(id string) string {
		if n, ok := c.names[id]; ok {
			return n
		}
		return short(id)
	})
}

// name names a node id.
func (c *channelStory) name(id string) string {
	if n, ok := c.names[id]; ok {
		return n
	}
	return short(id)
}

// lastProgress drops the progress lines (funding_confirmations,
// sweep_confirmations) followed by a later one of the same kind and
// channel.
func lastProgress(lines []string) []string {
	key := func(l string) string {
		kind, _, _ := strings.Cut(l, " ")
		if kind != "funding_confirmations" && kind != "sweep_confirmations" {
			return ""
		}
		return kind + field(l, "channel_id")
	}
	last := map[string]int{}
	for i, l := range lines {
		if k := key(l); k != "" {
			last[k] = i
		}
	}
	var out []string
	for i, l := range lines {
		if k := key(l); k == "" || last[k] == i {
			out = append(out, l)
		}
	}
	return out
}

// field returns the value of name=value in an EVENT line.
func field(line, name string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

// short shortens a hex id for the story.
func short(id string) string {
	if len(id) <= 12 {
		return id
	}
	return id[:8] + "…"
}

// sat formats an amount of satoshis with thousands separators.
func sat(n int64) string { return group(n) + " sat" }

// msat formats millisatoshis as satoshis when whole.
func msat(n uint64) string {
	if n%1000 == 0 {
		return sat(int64(n / 1000))
	}
	return group(int64(n)) + " msat"
}

// group writes n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// btoi is 1 for true.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
