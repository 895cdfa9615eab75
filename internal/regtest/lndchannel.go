package regtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// LndChannel is one channel of `lncli listchannels`, as the harness reads
// it. Amounts are in satoshis.
type LndChannel struct {
	Active               bool   `json:"active"`
	RemotePubkey         string `json:"remote_pubkey"`
	ChannelPoint         string `json:"channel_point"`
	ChanID               string `json:"chan_id"`     // the BOLT 2 channel_id, hex (lnd v0.20)
	ShortChanID          uint64 `json:"scid,string"` // the short channel id as one integer
	ShortChanIDStr       string `json:"scid_str"`    // the same, "HxTxO"
	Capacity             int64  `json:"capacity,string"`
	LocalBalance         int64  `json:"local_balance,string"`
	RemoteBalance        int64  `json:"remote_balance,string"`
	CommitFee            int64  `json:"commit_fee,string"`
	FeePerKw             int64  `json:"fee_per_kw,string"`
	Private              bool   `json:"private"`
	Initiator            bool   `json:"initiator"`
	CommitmentType       string `json:"commitment_type"` // "ANCHORS", "STATIC_REMOTE_KEY"
	LocalChanReserveSat  int64  `json:"local_chan_reserve_sat,string"`
	RemoteChanReserveSat int64  `json:"remote_chan_reserve_sat,string"`
	LocalConstraints     struct {
		CsvDelay uint32 `json:"csv_delay"`
	} `json:"local_constraints"`
	RemoteConstraints struct {
		CsvDelay uint32 `json:"csv_delay"`
	} `json:"remote_constraints"`
}

// SCID returns the channel's short channel id as "<height>x<tx>x<output>"
// (lnd's chan_id is the BOLT 7 encoding as a decimal integer).
func (c LndChannel) SCID() string { return SCIDString(c.ShortChanID) }

// FundingTxid returns the txid part of the channel point.
func (c LndChannel) FundingTxid() string {
	txid, _, _ := strings.Cut(c.ChannelPoint, ":")
	return txid
}

// SCIDString formats a BOLT 7 short channel id (block height, transaction
// index and output index packed in 3, 3 and 2 bytes) as "HxTxO".
func SCIDString(id uint64) string {
	return fmt.Sprintf("%dx%dx%d", id>>40, (id>>16)&0xFFFFFF, id&0xFFFF)
}

// ListChannels returns `lncli listchannels` (active and inactive).
func (l *Lnd) ListChannels(t testing.TB) []LndChannel {
	t.Helper()
	var res struct {
		Channels []LndChannel `json:"channels"`
	}
	l.CLIJSON(t, &res, "listchannels")
	return res.Channels
}

// FindChannel returns the channel of `lncli listchannels` whose funding
// transaction is fundingTxid.
func (l *Lnd) FindChannel(t testing.TB, fundingTxid string) (LndChannel, bool) {
	t.Helper()
	for _, c := range l.ListChannels(t) {
		if c.FundingTxid() == fundingTxid {
			return c, true
		}
	}
	return LndChannel{}, false
}

// LndOpen are the options of OpenChannelTo beyond the peer and amount.
type LndOpen struct {
	// Private makes the channel unannounced (--private).
	Private bool
	// ChannelType is --channel_type: "anchors" or "tweakless"
	// (option_static_remotekey). Empty lets lnd choose (anchors when both
	// sides support them).
	ChannelType string
	// RemoteCSVDelay is --remote_csv_delay: the to_self_delay lnd asks of
	// the peer. Zero lets lnd choose (it grows with the capacity).
	RemoteCSVDelay int
	// PushSat is --push_amt. Zero pushes nothing.
	PushSat int64
}

// TryOpenChannelTo runs `lncli openchannel` to nodeID (already connected)
// for amount and returns the funding txid lnd reports once the funding
// transaction is published. It never asks for a zero-conf channel. It
// returns lncli's error when lnd or the peer refuses.
func (l *Lnd) TryOpenChannelTo(nodeID string, amount btcutil.Amount, opts LndOpen) (string, error) {
	args := []string{"openchannel", "--node_key=" + nodeID, "--local_amt=" + strconv.FormatInt(int64(amount), 10)}
	if opts.Private {
		args = append(args, "--private")
	}
	if opts.ChannelType != "" {
		args = append(args, "--channel_type="+opts.ChannelType)
	}
	if opts.RemoteCSVDelay != 0 {
		args = append(args, "--remote_csv_delay="+strconv.Itoa(opts.RemoteCSVDelay))
	}
	if opts.PushSat != 0 {
		args = append(args, "--push_amt="+strconv.FormatInt(opts.PushSat, 10))
	}
	out, err := l.TryCLI(args...)
	if err != nil {
		return "", err
	}
	var res struct {
		FundingTxid string `json:"funding_txid"`
	}
	if err := json.Unmarshal(out, &res); err != nil || res.FundingTxid == "" {
		return "", fmt.Errorf("regtest: lncli openchannel (%s): no funding_txid in %q", l.Alias, truncate(out, 300))
	}
	return res.FundingTxid, nil
}

// OpenChannelTo is TryOpenChannelTo failing the test on error; it also
// waits for the funding transaction in btcd's mempool. Nothing is mined.
func (l *Lnd) OpenChannelTo(t testing.TB, nodeID string, amount btcutil.Amount, opts LndOpen) string {
	t.Helper()
	txid, err := l.TryOpenChannelTo(nodeID, amount, opts)
	if err != nil {
		t.Fatalf("%v", err)
	}
	h, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		t.Fatalf("regtest: openchannel funding_txid %q: %v", txid, err)
	}
	l.Btcd.WaitMempoolTx(t, *h)
	return txid
}

// LndPending is the part of `lncli pendingchannels` the harness reads:
// how many channels are in each pending state.
type LndPending struct {
	Open         []lndPendingEntry `json:"pending_open_channels"`
	WaitingClose []lndPendingEntry `json:"waiting_close_channels"`
	ForceClosing []struct {
		lndPendingEntry
		ClosingTxid       string `json:"closing_txid"`
		LimboBalance      int64  `json:"limbo_balance,string"`
		BlocksTilMaturity int32  `json:"blocks_til_maturity"`
	} `json:"pending_force_closing_channels"`
}

// lndPendingEntry is the channel part of every pending entry.
type lndPendingEntry struct {
	Channel struct {
		RemoteNodePub string `json:"remote_node_pub"`
		ChannelPoint  string `json:"channel_point"`
		Capacity      int64  `json:"capacity,string"`
	} `json:"channel"`
}

// Total returns how many channels are pending in any state.
func (p LndPending) Total() int { return len(p.Open) + len(p.WaitingClose) + len(p.ForceClosing) }

// PendingChannels returns `lncli pendingchannels`.
func (l *Lnd) PendingChannels(t testing.TB) LndPending {
	t.Helper()
	var p LndPending
	l.CLIJSON(t, &p, "pendingchannels")
	return p
}

// CloseChannel runs `lncli closechannel` on the channel point (with
// --force for a unilateral close) and returns the closing txid once the
// closing transaction is in btcd's mempool. Nothing is mined.
//
// lncli prints the txid when lnd reports the close pending; when the peer
// completes the negotiation within milliseconds and broadcasts first, lnd
// v0.20 sometimes never reports it and lncli waits on. So lncli runs in
// the background while btcd's mempool is watched for a spend of the
// channel point; whichever comes first gives the txid.
func (l *Lnd) CloseChannel(t testing.TB, chanPoint string, force bool) string {
	t.Helper()
	args := []string{"closechannel", "--chan_point=" + chanPoint}
	if force {
		args = append(args, "--force")
	}
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := l.TryCLI(args...)
		done <- result{out, err}
	}()
	var txid string
	waitFor(t, WaitTimeout, "closing transaction of "+chanPoint, func() (bool, string) {
		select {
		case r := <-done:
			if r.err != nil {
				t.Fatalf("%v", r.err)
			}
			var res struct {
				ClosingTxid string `json:"closing_txid"`
			}
			if err := json.Unmarshal(r.out, &res); err != nil || res.ClosingTxid == "" {
				t.Fatalf("regtest: lncli closechannel (%s): no closing_txid in %q", l.Alias, truncate(r.out, 300))
			}
			txid = res.ClosingTxid
			return true, ""
		default:
		}
		if spender, ok := l.Btcd.mempoolSpender(t, chanPoint); ok {
			txid = spender
			return true, ""
		}
		return false, "lncli still waiting, no spend in the mempool"
	})
	h, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		t.Fatalf("regtest: closechannel closing_txid %q: %v", txid, err)
	}
	l.Btcd.WaitMempoolTx(t, *h)
	return txid
}

// mempoolSpender returns the txid of the transaction in btcd's mempool
// that spends the outpoint "txid:index", if any.
func (b *Btcd) mempoolSpender(t testing.TB, outpoint string) (string, bool) {
	t.Helper()
	for _, h := range b.mempool(t) {
		var tx struct {
			Vin []struct {
				Txid string `json:"txid"`
				Vout uint32 `json:"vout"`
			} `json:"vin"`
		}
		res, err := b.TryRPC("getrawtransaction", h.String(), 1)
		if err != nil {
			continue // mined or replaced meanwhile
		}
		if err := json.Unmarshal(res, &tx); err != nil {
			t.Fatalf("regtest: getrawtransaction %s: %v", h, err)
		}
		for _, in := range tx.Vin {
			if in.Txid+":"+strconv.FormatUint(uint64(in.Vout), 10) == outpoint {
				return h.String(), true
			}
		}
	}
	return "", false
}

// LndClosed is one channel of `lncli closedchannels`.
type LndClosed struct {
	ChannelPoint   string `json:"channel_point"`
	ClosingTxHash  string `json:"closing_tx_hash"`
	RemotePubkey   string `json:"remote_pubkey"`
	Capacity       int64  `json:"capacity,string"`
	SettledBalance int64  `json:"settled_balance,string"`
	// TimeLockedBalance is what lnd had to wait for (its to_local after
	// its own force close).
	TimeLockedBalance int64  `json:"time_locked_balance,string"`
	CloseType         string `json:"close_type"` // COOPERATIVE_CLOSE, LOCAL_FORCE_CLOSE, REMOTE_FORCE_CLOSE, FUNDING_CANCELED, ...
	CloseInitiator    string `json:"close_initiator"`
}

// ClosedChannels returns `lncli closedchannels`.
func (l *Lnd) ClosedChannels(t testing.TB) []LndClosed {
	t.Helper()
	var res struct {
		Channels []LndClosed `json:"channels"`
	}
	l.CLIJSON(t, &res, "closedchannels")
	return res.Channels
}

// GraphHasChannel reports whether `lncli describegraph` has the channel
// chanID (lnd's decimal short channel id) among its edges.
func (l *Lnd) GraphHasChannel(t testing.TB, chanID uint64) bool {
	t.Helper()
	var g struct {
		Edges []struct {
			ChannelID uint64 `json:"channel_id,string"`
		} `json:"edges"`
	}
	l.CLIJSON(t, &g, "describegraph")
	for _, e := range g.Edges {
		if e.ChannelID == chanID {
			return true
		}
	}
	return false
}

// WalletBalance is `lncli walletbalance` in satoshis.
type WalletBalance struct {
	Total       int64 `json:"total_balance,string"`
	Confirmed   int64 `json:"confirmed_balance,string"`
	Unconfirmed int64 `json:"unconfirmed_balance,string"`
	Locked      int64 `json:"locked_balance,string"`
	// ReservedAnchor is the part of the balance lnd keeps for bumping
	// anchor channels' commitments.
	ReservedAnchor int64 `json:"reserved_balance_anchor_chan,string"`
}

// WalletBalance returns `lncli walletbalance`.
func (l *Lnd) WalletBalance(t testing.TB) WalletBalance {
	t.Helper()
	var b WalletBalance
	l.CLIJSON(t, &b, "walletbalance")
	return b
}

// WaitFor polls cond until it reports done, failing the test after
// WaitTimeout with what cond saw last. It is the harness's polling loop,
// for conditions the test checks on lnd or on another node.
func WaitFor(t testing.TB, what string, cond func() (done bool, last string)) {
	t.Helper()
	waitFor(t, WaitTimeout, what, cond)
}
