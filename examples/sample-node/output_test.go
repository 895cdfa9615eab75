package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestChannelResultsText: each new answer prints something a person can
// read, with its key values.
func TestChannelResultsText(t *testing.T) {
	ch := channelResult{ChannelID: "cc", ShortChannelID: "435x1x0", Counterparty: "02aa", CapacitySat: 300000,
		LocalBalanceMsat: 250000000, RemoteBalanceMsat: 50000000, LocalReserveSat: 3000, RemoteReserveSat: 3000,
		State: "ready", Usable: true, ChannelType: "anchors", Confirmations: 6, IsOutbound: true, FundingTxid: "ff"}
	tests := []struct {
		r    result
		want []string
	}{
		{openChannelResult{TemporaryChannelID: "tt", Counterparty: "02aa", CapacitySat: 100000}, []string{"100000 sat", "tt", "02aa"}},
		{closeChannelResult{ChannelID: "cc", Status: "closing"}, []string{"closing channel cc"}},
		{closeChannelResult{ChannelID: "cc", Status: "force_closed"}, []string{"cc force-closed"}},
		{listChannelsResult{}, []string{"no channels"}},
		{listChannelsResult{Channels: []channelResult{ch}}, []string{"channel cc (ready, anchors, outbound)", "435x1x0", "ff:0 (6 confirmations)", "250000000 msat"}},
		{listClosedResult{}, []string{"no channel closed"}},
		{listClosedResult{Closed: []closedResult{{ChannelID: "cc", Counterparty: "02aa", Reason: "cooperative-by-us", ClosingTxid: "ee"}}}, []string{"cooperative-by-us", "closing tx ee"}},
		{newAddressResult{Address: "bcrt1q"}, []string{"bcrt1q"}},
		{balanceResult{ConfirmedSat: 5, TotalSat: 5}, []string{"confirmed:   5 sat", "total:       5 sat"}},
		{sendResult{Txid: "ab"}, []string{"txid ab"}},
		{listTransactionsResult{}, []string{"no transactions"}},
		{listTransactionsResult{Transactions: []transactionResult{{Txid: "ab", AmountSat: -1200, FeeSat: 200, Confirmations: 1, Height: 440}}}, []string{"ab -1200 sat (fee 200)"}},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		tc.r.writeText(&b)
		for _, w := range tc.want {
			require.Contains(t, b.String(), w)
		}
	}
}
