package interop

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// sampleInvoice is getinvoice's answer.
type sampleInvoice struct {
	Invoice     string `json:"invoice"`
	PaymentHash string `json:"payment_hash"`
	AmountMsat  uint64 `json:"amount_msat"`
	ExpirySecs  int64  `json:"expiry_secs"`
}

// samplePayment is the answer of sendpayment and keysend.
type samplePayment struct {
	PaymentID   string `json:"payment_id"`
	PaymentHash string `json:"payment_hash"`
	AmountMsat  uint64 `json:"amount_msat"`
	Status      string `json:"status"`
}

// sampleListed is one entry of listpayments.
type sampleListed struct {
	PaymentID   string `json:"payment_id"`
	PaymentHash string `json:"payment_hash"`
	AmountMsat  uint64 `json:"amount_msat"`
	FeeMsat     uint64 `json:"fee_msat"`
	Status      string `json:"status"`
	Direction   string `json:"direction"`
	Preimage    string `json:"preimage"`
	Keysend     bool   `json:"keysend"`
}

// getInvoice runs getinvoice.
func (s *sampleProc) getInvoice(amtMsat uint64, expirySecs int, description string) sampleInvoice {
	s.t.Helper()
	var inv sampleInvoice
	s.run(&inv, "getinvoice "+strconv.FormatUint(amtMsat, 10)+" "+strconv.Itoa(expirySecs)+" "+description)
	require.NotEmpty(s.t, inv.Invoice)
	require.Len(s.t, inv.PaymentHash, 64)
	require.Equal(s.t, amtMsat, inv.AmountMsat)
	return inv
}

// sendPayment runs sendpayment (amtMsat 0: the invoice's amount) and
// checks the answer says pending.
func (s *sampleProc) sendPayment(bolt11 string, amtMsat uint64) samplePayment {
	s.t.Helper()
	cmd := "sendpayment " + bolt11
	if amtMsat != 0 {
		cmd += " " + strconv.FormatUint(amtMsat, 10)
	}
	var p samplePayment
	s.run(&p, cmd)
	require.Equal(s.t, "pending", p.Status, "%+v", p)
	require.Len(s.t, p.PaymentID, 64)
	require.Len(s.t, p.PaymentHash, 64)
	return p
}

// keysend runs keysend.
func (s *sampleProc) keysend(pubkey string, amtMsat uint64) samplePayment {
	s.t.Helper()
	var p samplePayment
	s.run(&p, "keysend "+pubkey+" "+strconv.FormatUint(amtMsat, 10))
	require.Equal(s.t, "pending", p.Status, "%+v", p)
	require.Equal(s.t, amtMsat, p.AmountMsat)
	return p
}

// payments returns listpayments by payment hash and direction
// ("outbound/<hash>", "inbound/<hash>").
func (s *sampleProc) payments() map[string]sampleListed {
	s.t.Helper()
	var res struct {
		Payments []sampleListed `json:"payments"`
	}
	s.run(&res, "listpayments")
	out := make(map[string]sampleListed, len(res.Payments))
	for _, p := range res.Payments {
		out[p.Direction+"/"+p.PaymentHash] = p
	}
	return out
}

// checkPreimage requires that preimage (hex) hashes to hash (hex).
func checkPreimage(t *testing.T, hash, preimage string) {
	t.Helper()
	pre, err := hex.DecodeString(preimage)
	require.NoError(t, err, "preimage %q", preimage)
	h := sha256.Sum256(pre)
	require.Equal(t, hash, hex.EncodeToString(h[:]), "sha256(preimage)")
}
