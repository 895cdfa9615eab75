package main

import (
	"context"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"

	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/wire"
)

// waitPoll is the polling period of the set-up's waits.
const waitPoll = 50 * time.Millisecond

// waitUntil polls cond every waitPoll until it holds, failing after
// regtest.WaitTimeout with what it waited for and what cond saw last.
func waitUntil(ctx context.Context, what string, cond func() (bool, string)) error {
	ctx, cancel := context.WithTimeout(ctx, regtest.WaitTimeout)
	defer cancel()
	for {
		ok, last := cond()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("benchpay: waiting for %s: %w (last: %s)", what, ctx.Err(), last)
		case <-time.After(waitPoll):
		}
	}
}

// fund pays amount from btcd's coinbases to a new address of n's wallet,
// mines a block and waits until the wallet has it confirmed.
func fund(ctx context.Context, r *runner, btcd *regtest.Btcd, n *lnkitNode, amount btcutil.Amount) error {
	addr, err := n.wallet.NewAddress(ctx, wallet.P2WPKH)
	if err != nil {
		return err
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return err
	}
	before := n.wallet.Balance().Confirmed
	btcd.SendTo(r, script, amount)
	btcd.Generate(r, 1)
	return waitUntil(ctx, n.name+"'s wallet funded", func() (bool, string) {
		b := n.wallet.Balance()
		return b.Confirmed >= before+amount, fmt.Sprintf("balance %+v", b)
	})
}

// openChannel opens a channel of capacity from a to b (connected), mines
// the funding transaction six blocks deep and waits until both sides list
// it usable.
func openChannel(ctx context.Context, r *runner, btcd *regtest.Btcd, a, b *lnkitNode, capacity wire.Satoshi) error {
	if _, err := a.channels.CreateChannel(b.keys.NodeID(), capacity, 0, 0, nil); err != nil {
		return fmt.Errorf("benchpay: %s opening to %s: %w", a.name, b.name, err)
	}
	a.wakeEvents()
	a.tcp.Notify()
	if err := waitUntil(ctx, a.name+"'s funding transaction", func() (bool, string) {
		for _, c := range a.channels.ListChannels() {
			if c.CounterpartyNodeID == b.keys.NodeID() && c.FundingOutPoint.Hash != ([32]byte{}) {
				return true, ""
			}
		}
		return false, "not funded yet"
	}); err != nil {
		return err
	}
	btcd.WaitMempool(r, 1)
	btcd.Generate(r, int(channel.DefaultMinimumDepth))
	for _, pair := range [][2]*lnkitNode{{a, b}, {b, a}} {
		n, peer := pair[0], pair[1]
		if err := waitUntil(ctx, n.name+"'s channel with "+peer.name+" usable", func() (bool, string) {
			_, ok := usableChannel(n, peer)
			return ok, fmt.Sprintf("%d channels", len(n.channels.ListChannels()))
		}); err != nil {
			return err
		}
	}
	return nil
}

// usableChannel returns a usable channel of n with peer.
func usableChannel(n, peer *lnkitNode) (channel.ChannelDetails, bool) {
	for _, c := range n.channels.ListChannels() {
		if c.CounterpartyNodeID == peer.keys.NodeID() && c.Usable {
			return c, true
		}
	}
	return channel.ChannelDetails{}, false
}
