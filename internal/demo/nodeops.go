package main

import (
	"context"
	"fmt"
	"strings"
)

// balance runs getbalance.
func (n *sampleNode) balance() (balanceAnswer, error) {
	var b balanceAnswer
	err := n.run("getbalance", &b)
	return b, err
}

// waitBalance waits until the wallet holds exactly want sat, all of it
// confirmed.
func (n *sampleNode) waitBalance(ctx context.Context, want int64) (balanceAnswer, error) {
	var b balanceAnswer
	err := waitFor(ctx, fmt.Sprintf("%s's wallet to hold %s confirmed", n.name, sat(want)), func() (bool, string, error) {
		var err error
		b, err = n.balance()
		return b.ConfirmedSat == want && b.TotalSat == want, fmt.Sprintf("%+v", b), err
	})
	return b, err
}

// waitEvent waits until the node printed at least count EVENT lines
// containing every one of parts, and returns them.
func (n *sampleNode) waitEvent(ctx context.Context, count int, parts ...string) ([]string, error) {
	var lines []string
	what := fmt.Sprintf("%s's EVENT line %q", n.name, strings.Join(parts, " … "))
	err := waitFor(ctx, what, func() (bool, string, error) {
		select {
		case <-n.done:
			return false, "", fmt.Errorf("%s exited: %v (%s)", n.name, n.err, n.stderr())
		default:
		}
		lines = n.events.matching(parts...)
		return len(lines) >= count, fmt.Sprintf("%d of %d", len(lines), count), nil
	})
	return lines, err
}

// waitHeight waits until the node's best block is at height h.
func (n *sampleNode) waitHeight(ctx context.Context, h int32) error {
	return waitFor(ctx, fmt.Sprintf("%s at block %d", n.name, h), func() (bool, string, error) {
		var info nodeInfo
		if err := n.run("nodeinfo", &info); err != nil {
			return false, "", err
		}
		if info.BestBlock == nil {
			return false, "no best block", nil
		}
		return info.BestBlock.Height >= h, fmt.Sprintf("at %d", info.BestBlock.Height), nil
	})
}

// channel returns the channel of listchannels with the counterparty.
func (n *sampleNode) channel(counterparty string) (channelEntry, error) {
	var l channelList
	if err := n.run("listchannels", &l); err != nil {
		return channelEntry{}, err
	}
	for _, c := range l.Channels {
		if c.Counterparty == counterparty {
			return c, nil
		}
	}
	return channelEntry{}, fmt.Errorf("demo: %s has no channel with %s", n.name, counterparty)
}

// closingTxid waits until listclosed shows the transaction that spent the
// channel's funding output.
func (n *sampleNode) closingTxid(ctx context.Context, channelID string) (string, error) {
	var txid string
	err := waitFor(ctx, n.name+"'s closing transaction of "+short(channelID), func() (bool, string, error) {
		var l closedList
		if err := n.run("listclosed", &l); err != nil {
			return false, "", err
		}
		for _, c := range l.Closed {
			if c.ChannelID == channelID && c.ClosingTxid != "" {
				txid = c.ClosingTxid
				return true, "", nil
			}
		}
		return false, fmt.Sprintf("%d closed channels", len(l.Closed)), nil
	})
	return txid, err
}

// walletNet returns listtransactions' amount_sat (the net effect on the
// wallet) of txid, and whether the wallet knows it.
func (n *sampleNode) walletNet(txid string) (int64, bool, error) {
	var l transactionList
	if err := n.run("listtransactions", &l); err != nil {
		return 0, false, err
	}
	for _, t := range l.Transactions {
		if t.Txid == txid {
			return t.AmountSat, true, nil
		}
	}
	return 0, false, nil
}
