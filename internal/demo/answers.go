package main

// The sample node's --json answers to the wallet and channel commands (the
// fields the demo reads).
type (
	addressAnswer struct {
		Address string `json:"address"`
	}
	balanceAnswer struct {
		ConfirmedSat   int64 `json:"confirmed_sat"`
		UnconfirmedSat int64 `json:"unconfirmed_sat"`
		ImmatureSat    int64 `json:"immature_sat"`
		LockedSat      int64 `json:"locked_sat"`
		TotalSat       int64 `json:"total_sat"`
	}
	openAnswer struct {
		TemporaryChannelID string `json:"temporary_channel_id"`
		Counterparty       string `json:"counterparty"`
		CapacitySat        int64  `json:"capacity_sat"`
	}
	closeAnswer struct {
		ChannelID string `json:"channel_id"`
		Status    string `json:"status"`
	}
	channelEntry struct {
		ChannelID         string `json:"channel_id"`
		ShortChannelID    string `json:"short_channel_id"`
		Counterparty      string `json:"counterparty"`
		CapacitySat       int64  `json:"capacity_sat"`
		LocalBalanceMsat  uint64 `json:"local_balance_msat"`
		RemoteBalanceMsat uint64 `json:"remote_balance_msat"`
		LocalReserveSat   int64  `json:"local_reserve_sat"`
		RemoteReserveSat  int64  `json:"remote_reserve_sat"`
		State             string `json:"state"`
		Usable            bool   `json:"usable"`
		ChannelType       string `json:"channel_type"`
		Confirmations     uint32 `json:"confirmations"`
		IsOutbound        bool   `json:"is_outbound"`
		FundingTxid       string `json:"funding_txid"`
	}
	channelList struct {
		Channels []channelEntry `json:"channels"`
	}
	closedList struct {
		Closed []struct {
			ChannelID   string `json:"channel_id"`
			Reason      string `json:"reason"`
			ClosingTxid string `json:"closing_txid"`
		} `json:"closed"`
	}
	transactionList struct {
		Transactions []struct {
			Txid          string `json:"txid"`
			AmountSat     int64  `json:"amount_sat"`
			FeeSat        int64  `json:"fee_sat"`
			Confirmations int64  `json:"confirmations"`
		} `json:"transactions"`
	}
)
