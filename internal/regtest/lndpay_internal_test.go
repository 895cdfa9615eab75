package regtest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// failedPaymentJSON is what lncli v0.20 `payinvoice --json` prints for a
// payment the payee rejected (trimmed), before exiting 1.
const failedPaymentJSON = `{
    "payment_hash":  "a2786151c6ee4d8e49e8f92a7b112fadda94ef4cd7ff956b76c4cf81b6ea06d8",
    "value":  "5",
    "payment_preimage":  "0000000000000000000000000000000000000000000000000000000000000000",
    "value_sat":  "5",
    "value_msat":  "5000",
    "status":  "FAILED",
    "fee_sat":  "0",
    "fee_msat":  "0",
    "creation_time_ns":  "1796308771934197301",
    "htlcs":  [{"attempt_id": "1", "status": "FAILED"}],
    "payment_index":  "1",
    "failure_reason":  "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS",
    "first_hop_custom_records":  {}
}
`

// succeededPaymentJSON is a successful keysend as lncli v0.20 prints it
// (trimmed).
const succeededPaymentJSON = `{
    "payment_hash":  "babab48d2007d976925404234fb4b364ccbf7854becb253495671d4feee63a53",
    "payment_preimage":  "e77f38ac1e1100d0d64ff7981e640b9d9ab9c93780c5b2f39e9811dff11c19da",
    "value_msat":  "1000000",
    "status":  "SUCCEEDED",
    "fee_msat":  "1",
    "creation_time_ns":  "1796308700869479340",
    "htlcs":  [{"status": "FAILED"}, {"status": "SUCCEEDED"}],
    "payment_index":  "7",
    "failure_reason":  "FAILURE_REASON_NONE"
}
`

func TestLastPayment(t *testing.T) {
	tests := []struct {
		name       string
		out        string
		ok         bool
		wantErr    bool
		status     string
		reason     string
		amountMsat uint64
		feeMsat    uint64
		attempts   int
		index      uint64
	}{
		{name: "empty", out: ""},
		{name: "failed", out: failedPaymentJSON, ok: true, status: PaymentFailed,
			reason: "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS", amountMsat: 5000, attempts: 1, index: 1},
		{name: "in flight then succeeded", out: strings.Replace(failedPaymentJSON, `"FAILED"`, `"IN_FLIGHT"`, 1) + "\n" + succeededPaymentJSON,
			ok: true, status: PaymentSucceeded, reason: "FAILURE_REASON_NONE", amountMsat: 1_000_000, feeMsat: 1, attempts: 2, index: 7},
		{name: "table output", out: "+------------+\n| HTLC_STATE |\n", wantErr: true},
		{name: "truncated", out: succeededPaymentJSON[:40], wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok, err := lastPayment([]byte(tt.out))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			r, err := p.result()
			require.NoError(t, err)
			require.Equal(t, tt.status, r.Status)
			require.Equal(t, tt.reason, r.FailureReason)
			require.Equal(t, tt.amountMsat, r.AmountMsat)
			require.Equal(t, tt.feeMsat, r.FeeMsat)
			require.Equal(t, tt.attempts, r.Attempts)
			require.Equal(t, tt.index, r.PaymentIndex)
			require.False(t, r.Created.Before(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), "creation_time_ns")
		})
	}
}

func TestPaymentResultPreimage(t *testing.T) {
	p, ok, err := lastPayment([]byte(succeededPaymentJSON))
	require.NoError(t, err)
	require.True(t, ok)
	r, err := p.result()
	require.NoError(t, err)
	require.Equal(t, byte(0xba), r.Hash[0])
	require.Equal(t, byte(0xe7), r.Preimage[0])

	p.PaymentPreimage = "e77f"
	_, err = p.result()
	require.ErrorContains(t, err, "2 bytes, want 32")
	p.PaymentHash = "zz"
	_, err = p.result()
	require.ErrorContains(t, err, "not hex")
}

func TestWholeSats(t *testing.T) {
	tests := []struct {
		msat uint64
		want string
		ok   bool
	}{
		{0, "", false},
		{999, "", false},
		{1000, "1", true},
		{1500, "", false},
		{5_000_000, "5000", true},
	}
	for _, tt := range tests {
		got, err := wholeSats(tt.msat, "x --amt")
		if !tt.ok {
			require.Error(t, err, "%d msat", tt.msat)
			continue
		}
		require.NoError(t, err, "%d msat", tt.msat)
		require.Equal(t, tt.want, got)
	}
}

func TestPaymentFailedError(t *testing.T) {
	var err error = &PaymentFailedError{Node: "alice", Hash: [32]byte{0xab}, Reason: "FAILURE_REASON_NO_ROUTE"}
	wrapped := errors.Join(errors.New("context"), err)
	var failed *PaymentFailedError
	require.ErrorAs(t, wrapped, &failed)
	require.Equal(t, "FAILURE_REASON_NO_ROUTE", failed.Reason)
	require.Contains(t, err.Error(), "regtest: alice payment ab00")
}

// routedPaymentJSON is a two-hop payment as lncli v0.20 prints it
// (trimmed): one failed attempt, one that succeeded through a forwarder.
const routedPaymentJSON = `{
    "payment_hash":  "babab48d2007d976925404234fb4b364ccbf7854becb253495671d4feee63a53",
    "payment_preimage":  "e77f38ac1e1100d0d64ff7981e640b9d9ab9c93780c5b2f39e9811dff11c19da",
    "value_msat":  "45000000",
    "status":  "SUCCEEDED",
    "fee_msat":  "5500",
    "htlcs":  [
        {"status": "FAILED", "route": {"total_fees_msat": "5500", "total_amt_msat": "45005500",
            "hops": [{"chan_id": "477188046716929", "pub_key": "02aa", "fee_msat": "5500"},
                     {"chan_id": "477188046585857", "pub_key": "03bb", "fee_msat": "0"}]}},
        {"status": "SUCCEEDED", "route": {"total_fees_msat": "5500", "total_amt_msat": "45005500",
            "hops": [{"chan_id": "477188046651393", "pub_key": "02cc", "fee_msat": "5500"},
                     {"chan_id": "477188046520321", "pub_key": "03bb", "fee_msat": "0"}]}}
    ],
    "payment_index":  "3",
    "failure_reason":  "FAILURE_REASON_NONE"
}
`

// TestPaymentShards: each attempt's route is decoded.
func TestPaymentShards(t *testing.T) {
	p, ok, err := lastPayment([]byte(routedPaymentJSON))
	require.NoError(t, err)
	require.True(t, ok)
	res, err := p.result()
	require.NoError(t, err)
	require.Equal(t, []PaymentShard{
		{Status: PaymentFailed, AmountMsat: 45_005_500, FeeMsat: 5500, ChanIDs: []uint64{477188046716929, 477188046585857}, Nodes: []string{"02aa", "03bb"}},
		{Status: PaymentSucceeded, AmountMsat: 45_005_500, FeeMsat: 5500, ChanIDs: []uint64{477188046651393, 477188046520321}, Nodes: []string{"02cc", "03bb"}},
	}, res.Shards)
	require.Equal(t, 2, res.Attempts)
}
