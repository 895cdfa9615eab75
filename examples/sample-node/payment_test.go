package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/persisttest"
	"github.com/lnkit/lnkit/wire"
)

// TestPaymentCommands: the payment commands parse their arguments and
// refuse bad input with a message that says what to do.
func TestPaymentCommands(t *testing.T) {
	tests := []struct {
		line string
		call string // the node call, "" when the line is refused
		err  string
	}{
		{"getinvoice 12345 3600", `getinvoice 12345 3600 ""`, ""},
		{"getinvoice 0 60   coffee  and   cake ", `getinvoice 0 60 "coffee  and   cake"`, ""},
		{"getinvoice 2100000000000000000 1 x", `getinvoice 2100000000000000000 1 "x"`, ""},
		{"getinvoice 1000", "", "usage: getinvoice <amount_msats> <expiry_secs>"},
		{"getinvoice -1 60", "", `getinvoice: amount "-1": want a whole number of millisatoshis, from 0 to`},
		{"getinvoice 2100000000000000001 60", "", "want a whole number of millisatoshis"},
		{"getinvoice 1000 0", "", `getinvoice: expiry "0": want a whole number of seconds, from 1 to 4294967295`},
		{"getinvoice 1000 4294967296", "", "want a whole number of seconds"},
		{"sendpayment lnbcrt1xyz", "sendpayment lnbcrt1xyz 0", ""},
		{"sendpayment lnbcrt1xyz 5000", "sendpayment lnbcrt1xyz 5000", ""},
		{"sendpayment", "", "usage: sendpayment <invoice> [amount_msats]"},
		{"sendpayment a 1 2", "", "usage: sendpayment"},
		{"sendpayment lnbcrt1xyz 0", "", `sendpayment: amount "0": want a whole number of millisatoshis, from 1 to`},
		{"keysend " + testNodeID + " 1001", "keysend " + testNodeID + " 1001", ""},
		{"keysend " + testNodeID, "", "usage: keysend <pubkey> <amount_msats>"},
		{"keysend 02ab 1000", "", "keysend: wire: node id"},
		{"keysend " + testNodeID + " 0", "", "keysend: amount \"0\": want a whole number of millisatoshis"},
		{"keysend " + testNodeID + " 1.5", "", "want a whole number of millisatoshis"},
		{"listpayments", "listpayments", ""},
		{"listpayments all", "", "usage: listpayments"},
		{"holdinvoices on", "holdinvoices true", ""},
		{"holdinvoices off", "holdinvoices false", ""},
		{"holdinvoices", "", "usage: holdinvoices on|off"},
		{"holdinvoices yes", "", "usage: holdinvoices on|off"},
		{"claim abababababababababababababababababababababababababababababababab", "claim abababababababababababababababababababababababababababababababab", ""},
		{"claim", "", "usage: claim <payment_hash>"},
		{"claim abcd", "", `claim: payment hash "abcd": want 64 hex characters`},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			f := &fakeNode{}
			r, err := execute(context.Background(), f, tc.line)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.Empty(t, f.calls)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, r)
			require.Equal(t, []string{tc.call}, f.calls)
		})
	}
}

// TestPaymentCommandsJSON: each payment command prints one JSON object
// with the contract's field names.
func TestPaymentCommandsJSON(t *testing.T) {
	input := "getinvoice 1000 60 tea\nsendpayment lnbcrt1xyz\nkeysend " + testNodeID + " 7\nlistpayments\n"
	_, out := runConsole(t, input, true)
	require.Equal(t, `{"invoice":"lnbcrt1","payment_hash":"hh","amount_msat":1000,"expiry_secs":60}`+"\n"+
		`{"payment_id":"ii","payment_hash":"hh","amount_msat":0,"status":"pending"}`+"\n"+
		`{"payment_id":"ii","payment_hash":"hh","amount_msat":7,"status":"pending"}`+"\n"+
		`{"payments":[]}`+"\n", out)
}

// TestPaymentsResult: listpayments shows outbound payments (the preimage
// only once succeeded) and then inbound ones, with the contract's fields.
func TestPaymentsResult(t *testing.T) {
	pre := wire.Preimage{7}
	out := []channel.PaymentDetails{
		{ID: events.PaymentID{1}, PaymentHash: pre.Hash(), Amount: 12_345, Fee: 0, Status: channel.PaymentSucceeded, Preimage: wire.Some(pre)},
		{ID: events.PaymentID{2}, PaymentHash: wire.PaymentHash{2}, Amount: 5, Status: channel.PaymentPending, Keysend: true},
		{ID: events.PaymentID{3}, PaymentHash: wire.PaymentHash{3}, Amount: 6, Status: channel.PaymentFailed},
	}
	in := []inboundPayment{
		{hash: pre.Hash(), status: inboundClaimed, amount: 2_001, keysend: true, preimage: wire.Some(pre)},
		{hash: wire.PaymentHash{9}, status: inboundClaimable, amount: 3},
	}
	var b bytes.Buffer
	printer{w: &b, json: true}.result(paymentsResult(out, in))
	id := func(first byte) string { return hex.EncodeToString(append([]byte{first}, make([]byte, 31)...)) }
	require.JSONEq(t, `{"payments":[
		{"payment_id":"`+id(1)+`","payment_hash":"`+pre.Hash().String()+`","amount_msat":12345,"fee_msat":0,"status":"succeeded","direction":"outbound","preimage":"`+pre.Hex()+`","keysend":false},
		{"payment_id":"`+id(2)+`","payment_hash":"`+id(2)+`","amount_msat":5,"fee_msat":0,"status":"pending","direction":"outbound","keysend":true},
		{"payment_id":"`+id(3)+`","payment_hash":"`+id(3)+`","amount_msat":6,"fee_msat":0,"status":"failed","direction":"outbound","keysend":false},
		{"payment_hash":"`+pre.Hash().String()+`","amount_msat":2001,"fee_msat":0,"status":"claimed","direction":"inbound","preimage":"`+pre.Hex()+`","keysend":true},
		{"payment_hash":"`+id(9)+`","amount_msat":3,"fee_msat":0,"status":"claimable","direction":"inbound","keysend":false}
	]}`, b.String())
}

// testInvoice builds a signed invoice for net.
func testInvoice(t *testing.T, net *chaincfg.Params, amount wire.MilliSatoshi) string {
	t.Helper()
	signer := keys.NewManager(keys.Seed{1}, keys.Config{})
	b := invoice.NewBuilder(net, time.Unix(1_700_000_000, 0)).PaymentHash(wire.PaymentHash{5}).
		PaymentSecret(wire.PaymentSecret{6}).Description("test")
	if amount != 0 {
		b = b.Amount(amount)
	}
	inv, err := b.Build(signer)
	require.NoError(t, err)
	return inv.String()
}

// TestDecodeInvoiceFor: sendpayment takes invoices of the node's network
// only, in either case, with or without "lightning:".
func TestDecodeInvoiceFor(t *testing.T) {
	regtest := testInvoice(t, &chaincfg.RegressionNetParams, 12_345)
	mainnet := testInvoice(t, &chaincfg.MainNetParams, 12_345)
	for _, s := range []string{regtest, strings.ToUpper(regtest), "lightning:" + regtest, " LIGHTNING:" + strings.ToUpper(regtest)} {
		inv, err := decodeInvoiceFor(s, &chaincfg.RegressionNetParams, "regtest")
		require.NoError(t, err, s)
		a, ok := inv.Amount()
		require.True(t, ok)
		require.EqualValues(t, 12_345, a)
		require.Equal(t, invoicePaymentID(regtest), invoicePaymentID(s), "one invoice, one payment id")
	}
	require.Equal(t, events.PaymentID(sha256.Sum256([]byte(regtest))), invoicePaymentID(regtest), "the sha256 of the invoice string")

	_, err := decodeInvoiceFor(mainnet, &chaincfg.RegressionNetParams, "regtest")
	require.ErrorContains(t, err, "the invoice is for another network (prefix lnbc123450p), this node runs on regtest: ask for a regtest invoice")
	_, err = decodeInvoiceFor("lnbcrt1nonsense", &chaincfg.RegressionNetParams, "regtest")
	require.ErrorContains(t, err, "want a BOLT 11 invoice")
	_, err = decodeInvoiceFor(regtest[:len(regtest)-1]+"q", &chaincfg.RegressionNetParams, "regtest")
	require.ErrorIs(t, err, invoice.ErrInvalidChecksum)
}

// TestPaymentErrors: the manager's refusals say what to do.
func TestPaymentErrors(t *testing.T) {
	id := events.PaymentID{0xab}
	err := paymentError("sendpayment", id, channel.ErrDuplicatePayment)
	require.EqualError(t, err, "sendpayment: duplicate payment "+id.String()+
		": this invoice was already paid or tried (listpayments shows it); ask the payee for a new invoice")
	err = paymentError("keysend", id, channel.ErrNoRoute)
	require.ErrorIs(t, err, channel.ErrNoRoute)
	require.ErrorContains(t, err, "listchannels shows the channels")
}

// TestPaymentResultsText: the payment answers read well in text mode.
func TestPaymentResultsText(t *testing.T) {
	tests := []struct {
		r    result
		want string
	}{
		{invoiceResult{Invoice: "lnbcrt1", PaymentHash: "hh", AmountMsat: 1000, ExpirySecs: 60},
			"SUCCESS: invoice for 1000 msat, valid 60 s\ninvoice:      lnbcrt1\npayment_hash: hh\n"},
		{invoiceResult{Invoice: "lnbcrt1", PaymentHash: "hh", ExpirySecs: 60}, "SUCCESS: invoice for any amount, valid 60 s\n"},
		{paymentResult{PaymentID: "ii", PaymentHash: "hh", AmountMsat: 7, Status: "pending"},
			"SUCCESS: payment ii of 7 msat is pending (payment_hash hh); EVENT payment_sent or payment_failed follows\n"},
		{holdResult{Hold: true}, "SUCCESS: payments are held once claimable; claim <payment_hash> claims one\n"},
		{holdResult{}, "SUCCESS: payments are claimed as soon as claimable\n"},
		{claimResult{PaymentHash: "hh", Status: "claiming"}, "SUCCESS: payment hh is claiming; EVENT payment_claimed follows once the peer takes the fulfill\n"},
		{listPaymentsResult{}, "no payments\n"},
		{listPaymentsResult{Payments: []paymentEntry{
			{PaymentID: "ii", PaymentHash: "hh", AmountMsat: 7, FeeMsat: 1, Status: "succeeded", Direction: "outbound", Preimage: "pp"},
			{PaymentHash: "gg", AmountMsat: 8, Status: "claimed", Direction: "inbound", Keysend: true},
		}}, "outbound invoice 7 msat (fee 1 msat) succeeded, payment_hash hh\n    payment_id: ii\n    preimage:   pp\n" +
			"inbound keysend 8 msat (fee 0 msat) claimed, payment_hash gg\n"},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		tc.r.writeText(&b)
		require.Contains(t, b.String(), tc.want)
	}
}

// TestNodeStoreInbound: inbound payments survive in the store; a
// malformed record is reported as corrupt.
func TestNodeStoreInbound(t *testing.T) {
	ctx := context.Background()
	kv := persisttest.NewCrashStore()
	s := nodeStore{kv: kv}
	pre := wire.Preimage{3}
	claimable := inboundPayment{hash: pre.Hash(), status: inboundClaimable, amount: 12_345_678, keysend: true}
	other := inboundPayment{hash: wire.PaymentHash{0}, status: inboundClaimable, amount: 1}
	require.NoError(t, s.saveInbound(ctx, claimable))
	require.NoError(t, s.saveInbound(ctx, other))
	got, ok, err := s.inbound(ctx, pre.Hash())
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, claimable, got)
	claimed := claimable
	claimed.status, claimed.preimage = inboundClaimed, wire.Some(pre)
	require.NoError(t, s.saveInbound(ctx, claimed))
	all, err := s.inboundPayments(ctx)
	require.NoError(t, err)
	require.Equal(t, []inboundPayment{other, claimed}, all, "by payment hash")
	_, ok, err = s.inbound(ctx, wire.PaymentHash{1})
	require.NoError(t, err)
	require.False(t, ok)

	bad := encodeInbound(claimed)
	bad[11] ^= 1 // the preimage no longer matches
	require.NoError(t, kv.Write(ctx, ns(inboundSecondary), pre.Hash().String(), bad))
	_, err = s.inboundPayments(ctx)
	require.ErrorIs(t, err, persist.ErrCorrupt)
	require.NoError(t, kv.Write(ctx, ns(inboundSecondary), "NOTHEX", encodeInbound(other)))
	_, err = s.inboundPayments(ctx)
	require.ErrorIs(t, err, persist.ErrCorrupt)
}

func TestDecodeInboundRejects(t *testing.T) {
	h := wire.PaymentHash{1}
	good := encodeInbound(inboundPayment{hash: h, status: inboundClaimable, amount: 5})
	mutate := func(i int, v byte) []byte {
		b := bytes.Clone(good)
		b[i] = v
		return b
	}
	tests := map[string][]byte{
		"short":                      good[:inboundLength-1],
		"long":                       append(bytes.Clone(good), 0),
		"version":                    mutate(0, 2),
		"status 0":                   mutate(1, 0),
		"status 3":                   mutate(1, 3),
		"unknown flag":               mutate(2, 4),
		"preimage without flag":      mutate(20, 1),
		"preimage not matching hash": mutate(2, inboundFlagPreimg),
	}
	for name, v := range tests {
		_, err := decodeInbound(h, v)
		require.ErrorIs(t, err, persist.ErrCorrupt, name)
	}
	p, err := decodeInbound(h, good)
	require.NoError(t, err)
	require.Equal(t, inboundPayment{hash: h, status: inboundClaimable, amount: 5}, p)
}

// FuzzDecodeInbound: a stored inbound payment record never panics the
// decoder, and what decodes encodes back to the same bytes.
func FuzzDecodeInbound(f *testing.F) {
	pre := wire.Preimage{9}
	f.Add(pre.Hash().String(), encodeInbound(inboundPayment{hash: pre.Hash(), status: inboundClaimed, amount: 1, preimage: wire.Some(pre)}))
	f.Add(pre.Hash().String(), encodeInbound(inboundPayment{hash: pre.Hash(), status: inboundClaimable, amount: 1 << 60, keysend: true}))
	f.Add("00", []byte{1, 1, 0})
	f.Fuzz(func(t *testing.T, hashHex string, v []byte) {
		var h wire.PaymentHash
		if b, err := hex.DecodeString(hashHex); err == nil {
			copy(h[:], b)
		}
		p, err := decodeInbound(h, v)
		if err != nil {
			return
		}
		require.Equal(t, v, encodeInbound(p))
	})
}

// TestPaymentNotices: the payment events print the contract's EVENT
// lines.
func TestPaymentNotices(t *testing.T) {
	var b bytes.Buffer
	n := &node{notices: &notices{w: &b}}
	pre := wire.Preimage{1}
	id := events.PaymentID{2}
	n.onPaymentSent(&events.PaymentSent{PaymentID: id, PaymentHash: pre.Hash(), Preimage: pre, FeePaid: 0, Amount: 12_345})
	n.onPaymentFailed(&events.PaymentFailed{PaymentID: id, PaymentHash: pre.Hash(), Reason: events.FailureRecipientRejected,
		Failure: wire.Some(events.HTLCFailure{ErringNode: wire.NodeID{3}, Code: 0x400f})})
	n.onPaymentFailed(&events.PaymentFailed{PaymentID: id, PaymentHash: pre.Hash(), Reason: events.FailureRouteNotFound})
	require.Equal(t,
		"EVENT: payment_sent payment_id="+id.String()+" payment_hash="+pre.Hash().String()+" preimage="+pre.Hex()+" fee_msat=0 amount_msat=12345\n"+
			"EVENT: payment_failed payment_id="+id.String()+" payment_hash="+pre.Hash().String()+" reason=recipient-rejected failure_code=16399 erring_node="+wire.NodeID{3}.String()+"\n"+
			"EVENT: payment_failed payment_id="+id.String()+" payment_hash="+pre.Hash().String()+" reason=route-not-found failure_code=0 erring_node=\n",
		b.String())

	// PaymentClaimed records the payment as claimed, with its preimage.
	b.Reset()
	n.nstore = nodeStore{kv: persisttest.NewCrashStore()}
	require.NoError(t, n.onPaymentClaimed(context.Background(), &events.PaymentClaimed{PaymentHash: pre.Hash(), Amount: 2_000,
		Purpose: events.PaymentPurpose{Kind: events.PurposeSpontaneous, Preimage: wire.Some(pre)}}))
	require.Equal(t, "EVENT: payment_claimed payment_hash="+pre.Hash().String()+" amount_msat=2000\n", b.String())
	all, err := n.nstore.inboundPayments(context.Background())
	require.NoError(t, err)
	require.Equal(t, []inboundPayment{{hash: pre.Hash(), status: inboundClaimed, amount: 2_000, keysend: true, preimage: wire.Some(pre)}}, all)

	// A keysend recorded claimable stays a keysend when PaymentClaimed
	// says "invoice" (as the channel manager's does).
	pre2 := wire.Preimage{2}
	require.NoError(t, n.nstore.saveInbound(context.Background(), inboundPayment{hash: pre2.Hash(), status: inboundClaimable, amount: 5, keysend: true}))
	require.NoError(t, n.onPaymentClaimed(context.Background(), &events.PaymentClaimed{PaymentHash: pre2.Hash(), Amount: 5,
		Purpose: events.PaymentPurpose{Kind: events.PurposeInvoice, Preimage: wire.Some(pre2)}}))
	got, ok, err := n.nstore.inbound(context.Background(), pre2.Hash())
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, inboundPayment{hash: pre2.Hash(), status: inboundClaimed, amount: 5, keysend: true, preimage: wire.Some(pre2)}, got)
}

// TestHeldPayments: the hold mode keeps a preimage only while on, and
// take gives it back once.
func TestHeldPayments(t *testing.T) {
	var h heldPayments
	pre := wire.Preimage{1, 2, 3}
	require.False(t, h.hold(pre), "off: not held")
	_, ok := h.take(pre.Hash())
	require.False(t, ok)
	h.set(true)
	require.True(t, h.hold(pre))
	h.set(false)
	got, ok := h.take(pre.Hash())
	require.True(t, ok, "held payments stay held when the mode goes off")
	require.Equal(t, pre, got)
	_, ok = h.take(pre.Hash())
	require.False(t, ok, "taken once")
}
