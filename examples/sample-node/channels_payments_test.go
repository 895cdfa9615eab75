package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/invoice"
)

// Amounts of the payments of TestSampleNodeChannels, with millisatoshis
// so that a rounding shows.
const (
	invoiceMsat = 12_345_678
	keysendMsat = 2_345_001
	anyMsat     = 1_000_001 // paid to an invoice without an amount
)

// channelBalances is, by channel id, alice's and bob's local balances.
type channelBalances map[string][2]uint64

// balancesOf reads both nodes' listchannels; alice's remote balance must
// be bob's local one and the reverse.
func balancesOf(t *testing.T, alice, bob *testNode) channelBalances {
	t.Helper()
	out := channelBalances{}
	remote := map[string]uint64{}
	for _, c := range alice.channels() {
		out[c.ChannelID] = [2]uint64{c.LocalBalanceMsat, 0}
		remote[c.ChannelID] = c.RemoteBalanceMsat
	}
	for _, c := range bob.channels() {
		b, ok := out[c.ChannelID]
		require.True(t, ok, "bob's channel %s is alice's", c.ChannelID)
		b[1] = c.LocalBalanceMsat
		out[c.ChannelID] = b
		if remote[c.ChannelID] != c.LocalBalanceMsat || b[0] != c.RemoteBalanceMsat {
			out[c.ChannelID] = [2]uint64{} // not settled on both sides yet
		}
	}
	return out
}

// waitMoved waits until exactly one channel moved msat from alice to bob
// (negative: from bob to alice) since before, to the millisatoshi, and
// returns the new balances.
func waitMoved(t *testing.T, alice, bob *testNode, before channelBalances, msat int64) channelBalances {
	t.Helper()
	var now channelBalances
	require.Eventually(t, func() bool {
		now = balancesOf(t, alice, bob)
		moved := 0
		for id, b := range before {
			n := now[id]
			switch {
			case n == b:
			case int64(n[0]) == int64(b[0])-msat && int64(n[1]) == int64(b[1])+msat:
				moved++
			default:
				return false
			}
		}
		return moved == 1
	}, waitTimeout, 50*time.Millisecond, "a channel moves %d msat alice → bob: before %v, now %v", msat, before, now)
	return now
}

// paymentsOf returns n's listpayments.
func paymentsOf(n *testNode) []paymentEntry {
	n.t.Helper()
	var r listPaymentsResult
	n.mustCmd("listpayments", &r)
	return r.Payments
}

// checkPreimage checks that hex preimage p hashes to payment hash h.
func checkPreimage(t *testing.T, p, h string) {
	t.Helper()
	b, err := hex.DecodeString(p)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	require.Equal(t, h, hex.EncodeToString(sum[:]))
}

// runPayments is the payment part of TestSampleNodeChannels, over the
// ready channels alice → bob: alice pays bob's invoice, bob keysends
// alice, alice pays bob's invoice without an amount, both list their
// payments; a duplicate sendpayment, an invoice of another network and a
// keysend too large for any channel are refused. It returns bob's local balance by
// channel afterwards, and bob's listpayments.
func runPayments(t *testing.T, alice, bob *testNode, aliceID, bobID string) (map[string]uint64, []paymentEntry) {
	t.Helper()
	before := balancesOf(t, alice, bob)

	// alice pays bob's invoice.
	var inv invoiceResult
	bob.mustCmd(fmt.Sprintf("getinvoice %d 3600 sample node test", invoiceMsat), &inv)
	require.Equal(t, invoiceResult{Invoice: inv.Invoice, PaymentHash: inv.PaymentHash, AmountMsat: invoiceMsat, ExpirySecs: 3600}, inv)
	decoded, err := invoice.Decode(inv.Invoice)
	require.NoError(t, err)
	require.Equal(t, inv.PaymentHash, decoded.PaymentHash().String())
	require.Equal(t, bobID, decoded.Payee().String())
	var sent paymentResult
	alice.mustCmd("sendpayment "+inv.Invoice, &sent)
	invoiceID := sha256.Sum256([]byte(inv.Invoice))
	require.Equal(t, paymentResult{PaymentID: hex.EncodeToString(invoiceID[:]), PaymentHash: inv.PaymentHash,
		AmountMsat: invoiceMsat, Status: "pending"}, sent)
	bob.waitEvent(1, fmt.Sprintf("payment_claimable payment_hash=%s amount_msat=%d", inv.PaymentHash, invoiceMsat))
	bob.waitEvent(1, fmt.Sprintf("payment_claimed payment_hash=%s amount_msat=%d", inv.PaymentHash, invoiceMsat))
	alice.waitEvent(1, "payment_sent payment_id="+sent.PaymentID+" payment_hash="+inv.PaymentHash+" preimage=",
		fmt.Sprintf(" fee_msat=0 amount_msat=%d", invoiceMsat))
	mid := waitMoved(t, alice, bob, before, invoiceMsat)

	// bob keysends alice.
	var ks paymentResult
	bob.mustCmd(fmt.Sprintf("keysend %s %d", aliceID, keysendMsat), &ks)
	require.Equal(t, paymentResult{PaymentID: ks.PaymentID, PaymentHash: ks.PaymentHash, AmountMsat: keysendMsat, Status: "pending"}, ks)
	require.Len(t, ks.PaymentID, 64)
	require.NotEqual(t, ks.PaymentID, ks.PaymentHash)
	alice.waitEvent(1, fmt.Sprintf("payment_claimed payment_hash=%s amount_msat=%d", ks.PaymentHash, keysendMsat))
	bob.waitEvent(1, "payment_sent payment_id="+ks.PaymentID+" payment_hash="+ks.PaymentHash)
	after := waitMoved(t, alice, bob, mid, -keysendMsat)

	// An invoice without an amount: the payer gives it.
	var anyInv invoiceResult
	bob.mustCmd("getinvoice 0 600", &anyInv)
	require.Zero(t, anyInv.AmountMsat)
	var e errorResult
	alice.cmd("sendpayment "+anyInv.Invoice, &e)
	require.Equal(t, "sendpayment: the invoice has no amount: give one (sendpayment <invoice> [amount_msats])", e.Error)
	var anySent paymentResult
	alice.mustCmd(fmt.Sprintf("sendpayment %s %d", anyInv.Invoice, anyMsat), &anySent)
	require.Equal(t, paymentResult{PaymentID: anySent.PaymentID, PaymentHash: anyInv.PaymentHash, AmountMsat: anyMsat, Status: "pending"}, anySent)
	bob.waitEvent(1, fmt.Sprintf("payment_claimed payment_hash=%s amount_msat=%d", anyInv.PaymentHash, anyMsat))
	alice.waitEvent(1, "payment_sent payment_id="+anySent.PaymentID)
	after = waitMoved(t, alice, bob, after, anyMsat)

	// The same invoice again, an invoice of another network and a
	// keysend larger than any channel are refused; nothing moves.
	alice.cmd("sendpayment "+inv.Invoice, &e)
	require.Equal(t, "sendpayment: duplicate payment "+sent.PaymentID+
		": this invoice was already paid or tried (listpayments shows it); ask the payee for a new invoice", e.Error)
	alice.cmd("sendpayment "+testInvoice(t, &chaincfg.MainNetParams, 1000), &e)
	require.Contains(t, e.Error, "sendpayment: the invoice is for another network (prefix lnbc10n), this node runs on regtest")
	bob.cmd(fmt.Sprintf("keysend %s %d", aliceID, 500_000_000), &e)
	require.Contains(t, e.Error, "keysend: channel: no usable channel to the payee")
	require.Contains(t, e.Error, "listchannels shows the channels")
	require.Equal(t, after, balancesOf(t, alice, bob))
	require.Zero(t, alice.countEvents("payment_failed"))
	require.Zero(t, bob.countEvents("payment_failed"))

	// Both list both payments, in both directions.
	ap, bp := paymentsOf(alice), paymentsOf(bob)
	preimages := map[string]string{} // by payment hash
	for _, p := range append(append([]paymentEntry{}, ap...), bp...) {
		checkPreimage(t, p.Preimage, p.PaymentHash)
		preimages[p.PaymentHash] = p.Preimage
	}
	outbound := func(id, hash string, msat uint64, keysend bool) paymentEntry {
		return paymentEntry{PaymentID: id, PaymentHash: hash, AmountMsat: msat, Status: "succeeded", Direction: "outbound", Preimage: preimages[hash], Keysend: keysend}
	}
	inbound := func(hash string, msat uint64, keysend bool) paymentEntry {
		return paymentEntry{PaymentHash: hash, AmountMsat: msat, Status: "claimed", Direction: "inbound", Preimage: preimages[hash], Keysend: keysend}
	}
	// Outbound payments first (by payment id), then inbound ones.
	require.Len(t, ap, 3)
	require.ElementsMatch(t, []paymentEntry{outbound(sent.PaymentID, inv.PaymentHash, invoiceMsat, false),
		outbound(anySent.PaymentID, anyInv.PaymentHash, anyMsat, false)}, ap[:2])
	require.Equal(t, inbound(ks.PaymentHash, keysendMsat, true), ap[2])
	require.Len(t, bp, 3)
	require.Equal(t, outbound(ks.PaymentID, ks.PaymentHash, keysendMsat, true), bp[0])
	require.ElementsMatch(t, []paymentEntry{inbound(inv.PaymentHash, invoiceMsat, false), inbound(anyInv.PaymentHash, anyMsat, false)}, bp[1:])
	require.Equal(t, 1, alice.countEvents("payment_sent", preimages[inv.PaymentHash]), "the preimage of the EVENT line")

	bobBalance := map[string]uint64{}
	for id, b := range after {
		bobBalance[id] = b[1]
	}
	return bobBalance, bp
}
