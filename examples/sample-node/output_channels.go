package main

import (
	"fmt"
	"io"
)

// openChannelResult is the answer of openchannel: the channel is being
// negotiated (EVENT lines follow its progress).
type openChannelResult struct {
	TemporaryChannelID string `json:"temporary_channel_id"`
	Counterparty       string `json:"counterparty"`
	CapacitySat        int64  `json:"capacity_sat"`
}

func (r openChannelResult) writeText(w io.Writer) {
	fmt.Fprintf(w, "SUCCESS: opening a channel of %d sat to %s, temporary_channel_id %s\n",
		r.CapacitySat, r.Counterparty, r.TemporaryChannelID)
}

// closeChannelResult is the answer of closechannel and forceclosechannel.
type closeChannelResult struct {
	ChannelID string `json:"channel_id"`
	// Status is "closing" (cooperative) or "force_closed".
	Status string `json:"status"`
}

func (r closeChannelResult) writeText(w io.Writer) {
	if r.Status == "force_closed" {
		fmt.Fprintf(w, "SUCCESS: channel %s force-closed: our commitment is broadcast; our funds come back after the delay\n", r.ChannelID)
		return
	}
	fmt.Fprintf(w, "SUCCESS: closing channel %s cooperatively\n", r.ChannelID)
}

// channelResult is one channel of listchannels.
type channelResult struct {
	ChannelID          string `json:"channel_id"`
	TemporaryChannelID string `json:"temporary_channel_id"`
	// ShortChannelID is "HxTxO", "" until the funding confirms.
	ShortChannelID     string `json:"short_channel_id"`
	Counterparty       string `json:"counterparty"`
	CapacitySat        int64  `json:"capacity_sat"`
	LocalBalanceMsat   uint64 `json:"local_balance_msat"`
	RemoteBalanceMsat  uint64 `json:"remote_balance_msat"`
	LocalReserveSat    int64  `json:"local_reserve_sat"`
	RemoteReserveSat   int64  `json:"remote_reserve_sat"`
	State              string `json:"state"`
	Usable             bool   `json:"usable"`
	Public             bool   `json:"public"`
	ChannelType        string `json:"channel_type"`
	Confirmations      uint32 `json:"confirmations"`
	IsOutbound         bool   `json:"is_outbound"`
	FundingTxid        string `json:"funding_txid"`
	FundingOutputIndex uint32 `json:"funding_output_index"`
	UserChannelID      uint64 `json:"user_channel_id"`
}

// listChannelsResult is the answer of listchannels.
type listChannelsResult struct {
	Channels []channelResult `json:"channels"`
}

func (r listChannelsResult) writeText(w io.Writer) {
	if len(r.Channels) == 0 {
		fmt.Fprintln(w, "no channels")
		return
	}
	for _, c := range r.Channels {
		dir := "inbound"
		if c.IsOutbound {
			dir = "outbound"
		}
		fmt.Fprintf(w, "channel %s (%s, %s, %s)\n", c.ChannelID, c.State, c.ChannelType, dir)
		fmt.Fprintf(w, "    counterparty:    %s\n", c.Counterparty)
		if c.ShortChannelID != "" {
			fmt.Fprintf(w, "    short_channel_id: %s\n", c.ShortChannelID)
		}
		if c.FundingTxid != "" {
			fmt.Fprintf(w, "    funding:         %s:%d (%d confirmations)\n", c.FundingTxid, c.FundingOutputIndex, c.Confirmations)
		}
		fmt.Fprintf(w, "    capacity:        %d sat; ours %d msat, theirs %d msat\n", c.CapacitySat, c.LocalBalanceMsat, c.RemoteBalanceMsat)
		fmt.Fprintf(w, "    reserves:        ours %d sat, theirs %d sat\n", c.LocalReserveSat, c.RemoteReserveSat)
		fmt.Fprintf(w, "    usable: %v  public: %v\n", c.Usable, c.Public)
	}
}

// closedResult is one closure of listclosed.
type closedResult struct {
	ChannelID    string `json:"channel_id"`
	Counterparty string `json:"counterparty"`
	// Reason is events.ClosureKind.String().
	Reason  string `json:"reason"`
	Message string `json:"message"`
	// ClosingTxid is the transaction that spent the funding, once seen
	// confirmed.
	ClosingTxid string `json:"closing_txid,omitempty"`
}

// listClosedResult is the answer of listclosed.
type listClosedResult struct {
	Closed []closedResult `json:"closed"`
}

func (r listClosedResult) writeText(w io.Writer) {
	if len(r.Closed) == 0 {
		fmt.Fprintln(w, "no channel closed since the node started")
		return
	}
	for _, c := range r.Closed {
		fmt.Fprintf(w, "channel %s with %s: %s", c.ChannelID, c.Counterparty, c.Reason)
		if c.Message != "" {
			fmt.Fprintf(w, " (%s)", c.Message)
		}
		if c.ClosingTxid != "" {
			fmt.Fprintf(w, ", closing tx %s", c.ClosingTxid)
		}
		fmt.Fprintln(w)
	}
}

// newAddressResult is the answer of newaddress.
type newAddressResult struct {
	Address string `json:"address"`
}

func (r newAddressResult) writeText(w io.Writer) { fmt.Fprintf(w, "address: %s\n", r.Address) }

// balanceResult is the answer of getbalance.
type balanceResult struct {
	ConfirmedSat   int64 `json:"confirmed_sat"`
	UnconfirmedSat int64 `json:"unconfirmed_sat"`
	ImmatureSat    int64 `json:"immature_sat"`
	LockedSat      int64 `json:"locked_sat"`
	TotalSat       int64 `json:"total_sat"`
}

func (r balanceResult) writeText(w io.Writer) {
	fmt.Fprintf(w, "confirmed:   %d sat\nunconfirmed: %d sat\nimmature:    %d sat\nlocked:      %d sat\ntotal:       %d sat\n",
		r.ConfirmedSat, r.UnconfirmedSat, r.ImmatureSat, r.LockedSat, r.TotalSat)
}

// sendResult is the answer of sendtoaddress.
type sendResult struct {
	Txid string `json:"txid"`
}

func (r sendResult) writeText(w io.Writer) { fmt.Fprintf(w, "SUCCESS: sent, txid %s\n", r.Txid) }

// transactionResult is one transaction of listtransactions.
type transactionResult struct {
	Txid string `json:"txid"`
	// AmountSat is what it did to the wallet: received minus spent.
	AmountSat int64 `json:"amount_sat"`
	// FeeSat is its fee when the wallet built it, else 0.
	FeeSat        int64 `json:"fee_sat"`
	Confirmations int32 `json:"confirmations"`
	Height        int32 `json:"height"`
}

// listTransactionsResult is the answer of listtransactions.
type listTransactionsResult struct {
	Transactions []transactionResult `json:"transactions"`
}

func (r listTransactionsResult) writeText(w io.Writer) {
	if len(r.Transactions) == 0 {
		fmt.Fprintln(w, "no transactions")
		return
	}
	for _, t := range r.Transactions {
		fmt.Fprintf(w, "%s %+d sat (fee %d) confirmations %d height %d\n", t.Txid, t.AmountSat, t.FeeSat, t.Confirmations, t.Height)
	}
}

// claimableBalance is one channel monitor's Balance.
type claimableBalance struct {
	ChannelID string `json:"channel_id"`
	// Kind is monitor.BalanceKind.String().
	Kind      string `json:"kind"`
	AmountSat int64  `json:"amount_sat"`
	// Height is the height the kind speaks of (0: none).
	Height      int32  `json:"height,omitempty"`
	PaymentHash string `json:"payment_hash,omitempty"`
}

// balancesResult is the answer of claimablebalances.
type balancesResult struct {
	Balances []claimableBalance `json:"balances"`
	TotalSat int64              `json:"total_sat"`
}

func (r balancesResult) writeText(w io.Writer) {
	if len(r.Balances) == 0 {
		fmt.Fprintln(w, "no channel balance")
		return
	}
	for _, b := range r.Balances {
		fmt.Fprintf(w, "channel %s: %d sat %s", b.ChannelID, b.AmountSat, b.Kind)
		if b.Height != 0 {
			fmt.Fprintf(w, " (height %d)", b.Height)
		}
		if b.PaymentHash != "" {
			fmt.Fprintf(w, " htlc %s", b.PaymentHash)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "total: %d sat\n", r.TotalSat)
}
