package regtest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// ConfirmedBalance returns lnd's confirmed on-chain wallet balance
// (`lncli walletbalance`).
func (l *Lnd) ConfirmedBalance(t testing.TB) btcutil.Amount {
	t.Helper()
	var bal struct {
		Confirmed int64 `json:"confirmed_balance,string"`
	}
	l.CLIJSON(t, &bal, "walletbalance")
	return btcutil.Amount(bal.Confirmed)
}

// Fund sends amount to a new P2WKH address of lnd's wallet, mines one
// block, and waits until lnd's confirmed balance has grown by amount.
func (l *Lnd) Fund(t testing.TB, amount btcutil.Amount) {
	t.Helper()
	var addr struct {
		Address string `json:"address"`
	}
	l.CLIJSON(t, &addr, "newaddress", "p2wkh")
	before := l.ConfirmedBalance(t)
	l.Btcd.SendToAddress(t, addr.Address, amount)
	l.Btcd.Generate(t, 1)
	l.WaitSynced(t)
	waitFor(t, WaitTimeout, fmt.Sprintf("%s confirmed balance %v", l.Alias, before+amount), func() (bool, string) {
		bal := l.ConfirmedBalance(t)
		return bal >= before+amount, bal.String()
	})
}

// ConnectPeer connects lnd to other over Lightning (`lncli connect`) and
// waits until other is in `lncli listpeers`. Being connected already is
// fine.
func (l *Lnd) ConnectPeer(t testing.TB, other *Lnd) {
	t.Helper()
	l.ConnectPeerAddr(t, other.NodeID, other.P2PAddr)
}

// ConnectPeerAddr connects lnd to any Lightning node (an lnkit node, say)
// given its hex node ID and "host:port", and waits until it is in
// `lncli listpeers`. Being connected already is fine.
func (l *Lnd) ConnectPeerAddr(t testing.TB, nodeID, addr string) {
	t.Helper()
	if _, err := l.TryCLI("connect", nodeID+"@"+addr); err != nil && !strings.Contains(err.Error(), "already connected") {
		t.Fatalf("%v", err)
	}
	waitFor(t, WaitTimeout, l.Alias+" connected to "+nodeID, func() (bool, string) {
		peers := l.peers(t)
		for _, p := range peers {
			if p == nodeID {
				return true, ""
			}
		}
		return false, fmt.Sprintf("peers %v", peers)
	})
}

// peers returns the node IDs in `lncli listpeers`.
func (l *Lnd) peers(t testing.TB) []string {
	t.Helper()
	var res struct {
		Peers []struct {
			PubKey string `json:"pub_key"`
		} `json:"peers"`
	}
	l.CLIJSON(t, &res, "listpeers")
	ids := make([]string, len(res.Peers))
	for i, p := range res.Peers {
		ids[i] = p.PubKey
	}
	return ids
}

// OpenChannel opens a channel of amount from lnd to other and makes it
// usable: it connects them, runs `lncli openchannel` (with extraArgs, for
// example "--private" or "--push_amt=50000"), waits for the funding
// transaction in btcd's mempool, mines max(6, both nodes' ChanConfs)
// blocks, waits until both sides list the channel active and until lnd
// finds a route to other. It returns the channel point "txid:index".
// lnd needs a confirmed balance above amount plus fees (see Fund) and
// channels of 20,000..16,777,215 sat (more with --protocol.wumbo-channels).
func (l *Lnd) OpenChannel(t testing.TB, other *Lnd, amount btcutil.Amount, extraArgs ...string) string {
	t.Helper()
	l.ConnectPeer(t, other)
	var res struct {
		FundingTxid string `json:"funding_txid"`
	}
	args := append([]string{"openchannel", "--node_key=" + other.NodeID, "--local_amt=" + strconv.FormatInt(int64(amount), 10)}, extraArgs...)
	l.CLIJSON(t, &res, args...)
	txid, err := chainhash.NewHashFromStr(res.FundingTxid)
	if err != nil {
		t.Fatalf("regtest: openchannel funding_txid %q: %v", res.FundingTxid, err)
	}
	l.Btcd.WaitMempoolTx(t, *txid)
	l.Btcd.Generate(t, max(6, l.chanConfs, other.chanConfs))
	l.WaitSynced(t)
	other.WaitSynced(t)
	chanPoint := l.WaitChannelActive(t, res.FundingTxid)
	other.WaitChannelActive(t, res.FundingTxid)
	l.WaitRoute(t, other.NodeID, 1)
	return chanPoint
}

// WaitChannelActive waits until `lncli listchannels --active_only` shows a
// channel whose funding transaction is fundingTxid (the prefix of its
// channel point) and returns the channel point "txid:index". Active is not
// yet routable: see WaitRoute.
func (l *Lnd) WaitChannelActive(t testing.TB, fundingTxid string) string {
	t.Helper()
	var chanPoint string
	waitFor(t, WaitTimeout, l.Alias+" channel "+fundingTxid+" active", func() (bool, string) {
		var res struct {
			Channels []struct {
				ChannelPoint string `json:"channel_point"`
			} `json:"channels"`
		}
		l.CLIJSON(t, &res, "listchannels", "--active_only")
		for _, c := range res.Channels {
			if strings.HasPrefix(c.ChannelPoint, fundingTxid+":") {
				chanPoint = c.ChannelPoint
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d active channels", len(res.Channels))
	})
	return chanPoint
}

// WaitRoute waits until `lncli queryroutes --dest=<nodeID> --amt=<amtSat>`
// succeeds. lnd adds a new channel to its router a moment after the
// channel is active; payments before that fail with "no route".
func (l *Lnd) WaitRoute(t testing.TB, nodeID string, amtSat int64) {
	t.Helper()
	waitFor(t, WaitTimeout, l.Alias+" route to "+nodeID, func() (bool, string) {
		_, err := l.TryCLI("queryroutes", "--dest="+nodeID, "--amt="+strconv.FormatInt(amtSat, 10))
		if err != nil {
			return false, err.Error()
		}
		return true, ""
	})
}
