package main

import (
	"context"
	"fmt"
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
	forced                         forced
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
	steps := []func(context.Context) error{c.fund, c.openAlice, c.openCarol, c.confirm, c.list, c.payments, c.cooperative,
		c.force, c.bobSweep, c.carolSweep, c.sweepDeep, c.summary}
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
