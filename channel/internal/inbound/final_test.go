package inbound

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Fixed chain state and clock of the CheckFinal tests.
const (
	testHeight        uint32 = 800_000
	testNow           uint64 = 1_700_000_000
	testKeysendDelta  uint16 = 144
	testInvoiceAmount        = wire.MilliSatoshi(100_000)
)

// finalCase is a fixture of CheckFinal: an HTLC, its payload, and the
// payment it pays.
type finalCase struct {
	htlc     HTLC
	payload  onion.HopPayload
	height   uint32
	now      uint64
	preimage wire.Preimage
	secret   wire.PaymentSecret
}

// newFinalCase returns a correct single-part payment of the test invoice
// (testParams, derived preimage).
func newFinalCase(t *testing.T, k *Keys) finalCase {
	t.Helper()
	hash, secret, preimage, err := k.Create(testParams(), testIV(1))
	require.NoError(t, err)
	cltv := testHeight + 40 + 10
	return finalCase{
		htlc: HTLC{Amount: testInvoiceAmount, CLTVExpiry: cltv, PaymentHash: hash},
		payload: onion.HopPayload{
			AmountToForward: wire.Some(testInvoiceAmount),
			OutgoingCLTV:    wire.Some(cltv),
			PaymentData:     wire.Some(onion.PaymentData{PaymentSecret: secret, TotalMsat: testInvoiceAmount}),
		},
		height:   testHeight,
		now:      testNow,
		preimage: preimage,
		secret:   secret,
	}
}

// setAmount sets the HTLC amount, amt_to_forward and total_msat to amt.
func (c *finalCase) setAmount(amt wire.MilliSatoshi) {
	c.htlc.Amount = amt
	c.payload.AmountToForward = wire.Some(amt)
	c.payload.PaymentData.Value.TotalMsat = amt
}

// setCLTV sets the HTLC's cltv_expiry and outgoing_cltv_value to cltv.
func (c *finalCase) setCLTV(cltv uint32) {
	c.htlc.CLTVExpiry = cltv
	c.payload.OutgoingCLTV = wire.Some(cltv)
}

// makeKeysend turns c into a keysend payment without payment_data.
func (c *finalCase) makeKeysend() {
	c.preimage = wire.Preimage{0x4b, 0x53}
	c.htlc.PaymentHash = c.preimage.Hash()
	c.payload.PaymentData = wire.Option[onion.PaymentData]{}
	c.payload.KeysendPreimage = wire.Some(c.preimage)
}

// TestCheckFinalRules has one row per rule of BOLT 4's final node that
// CheckFinal applies, accepted and refused.
func TestCheckFinalRules(t *testing.T) {
	k := testKeys(t)
	details := func(c *finalCase) onion.FailureMessage {
		return &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: c.htlc.Amount, Height: c.height}
	}
	appHash := wire.PaymentHash{0xaa, 0xbb}
	appSecret, err := k.CreateForHash(appHash, testParams())
	require.NoError(t, err)
	openParams := testParams()
	openParams.Amount = wire.Option[wire.MilliSatoshi]{}
	openHash, openSecret, _, err := k.Create(openParams, testIV(5))
	require.NoError(t, err)

	tests := []struct {
		rule string
		edit func(c *finalCase)
		// fail returns the expected failure; nil means accepted.
		fail func(c *finalCase) onion.FailureMessage
		// check inspects an accepted Receive.
		check func(t *testing.T, c *finalCase, r *Receive)
	}{
		{
			rule: "a correct single-part payment is accepted with its derived preimage",
			edit: func(*finalCase) {},
			check: func(t *testing.T, c *finalCase, r *Receive) {
				require.Equal(t, c.htlc.PaymentHash, r.PaymentHash)
				require.Equal(t, testInvoiceAmount, r.Amount)
				require.Equal(t, testInvoiceAmount, r.Total)
				require.Equal(t, c.secret, r.Secret)
				require.NotNil(t, r.Preimage)
				require.Equal(t, c.preimage, *r.Preimage)
				require.False(t, r.Keysend)
				require.Equal(t, testParams(), r.Params)
				require.Nil(t, r.Metadata)
				require.Nil(t, r.Custom)
			},
		},
		{
			rule: "missing amt_to_forward is invalid_onion_payload(2)",
			edit: func(c *finalCase) { c.payload.AmountToForward = wire.Option[wire.MilliSatoshi]{} },
			fail: func(*finalCase) onion.FailureMessage {
				return &onion.InvalidOnionPayload{Type: onion.TypeAmountToForward}
			},
		},
		{
			rule: "missing outgoing_cltv_value is invalid_onion_payload(4)",
			edit: func(c *finalCase) { c.payload.OutgoingCLTV = wire.Option[uint32]{} },
			fail: func(*finalCase) onion.FailureMessage {
				return &onion.InvalidOnionPayload{Type: onion.TypeOutgoingCLTV}
			},
		},
		{
			rule: "encrypted_recipient_data (blinded receive, unsupported) is invalid_onion_payload(10)",
			edit: func(c *finalCase) { c.payload.EncryptedRecipientData = wire.Some([]byte{1}) },
			fail: func(*finalCase) onion.FailureMessage {
				return &onion.InvalidOnionPayload{Type: onion.TypeEncryptedRecipientData}
			},
		},
		{
			rule: "current_path_key without a blinded route is invalid_onion_payload(12)",
			edit: func(c *finalCase) { c.payload.CurrentPathKey = wire.Some(wire.Point{2}) },
			fail: func(*finalCase) onion.FailureMessage {
				return &onion.InvalidOnionPayload{Type: onion.TypeCurrentPathKey}
			},
		},
		{
			rule: "amount_msat below amt_to_forward is final_incorrect_htlc_amount",
			edit: func(c *finalCase) { c.htlc.Amount-- },
			fail: func(c *finalCase) onion.FailureMessage {
				return &onion.FinalIncorrectHTLCAmount{IncomingHTLCAmount: c.htlc.Amount}
			},
		},
		{
			rule: "amount_msat above amt_to_forward is accepted (the previous hop took less fee)",
			edit: func(c *finalCase) { c.htlc.Amount += 7 },
			check: func(t *testing.T, c *finalCase, r *Receive) {
				require.Equal(t, testInvoiceAmount+7, r.Amount)
				require.Equal(t, testInvoiceAmount, r.Total)
			},
		},
		{
			rule: "cltv_expiry below outgoing_cltv_value is final_incorrect_cltv_expiry",
			edit: func(c *finalCase) { c.htlc.CLTVExpiry-- },
			fail: func(c *finalCase) onion.FailureMessage {
				return &onion.FinalIncorrectCLTVExpiry{CLTVExpiry: c.htlc.CLTVExpiry}
			},
		},
		{
			rule: "final_incorrect_cltv_expiry comes before payment details (unknown secret too)",
			edit: func(c *finalCase) {
				c.htlc.CLTVExpiry--
				c.payload.PaymentData.Value.PaymentSecret[31] ^= 1
			},
			fail: func(c *finalCase) onion.FailureMessage {
				return &onion.FinalIncorrectCLTVExpiry{CLTVExpiry: c.htlc.CLTVExpiry}
			},
		},
		{
			rule: "no payment_data and no keysend record: payment_secret required",
			edit: func(c *finalCase) { c.payload.PaymentData = wire.Option[onion.PaymentData]{} },
			fail: details,
		},
		{
			rule: "a payment secret this node did not create is unknown",
			edit: func(c *finalCase) { c.payload.PaymentData.Value.PaymentSecret = wire.PaymentSecret{1} },
			fail: details,
		},
		{
			rule: "a payment secret of another payment hash is unknown",
			edit: func(c *finalCase) { c.htlc.PaymentHash = appHash },
			fail: details,
		},
		{
			rule: "total_msat below the invoice amount",
			edit: func(c *finalCase) { c.setAmount(testInvoiceAmount - 1) },
			fail: details,
		},
		{
			rule: "total_msat of twice the invoice amount is accepted",
			edit: func(c *finalCase) { c.setAmount(2 * testInvoiceAmount) },
		},
		{
			rule: "total_msat above twice the invoice amount",
			edit: func(c *finalCase) { c.setAmount(2*testInvoiceAmount + 1) },
			fail: details,
		},
		{
			rule: "total_msat below amt_to_forward",
			edit: func(c *finalCase) { c.payload.PaymentData.Value.TotalMsat = testInvoiceAmount - 1 },
			fail: details,
		},
		{
			rule: "total_msat of zero",
			edit: func(c *finalCase) {
				c.payload.PaymentData.Value.PaymentSecret = openSecret
				c.htlc.PaymentHash = openHash
				c.setAmount(0)
			},
			fail: details,
		},
		{
			rule: "a part of a multi-part payment is accepted; Total is total_msat",
			edit: func(c *finalCase) {
				c.htlc.Amount = 40_000
				c.payload.AmountToForward = wire.Some[wire.MilliSatoshi](40_000)
			},
			check: func(t *testing.T, c *finalCase, r *Receive) {
				require.Equal(t, wire.MilliSatoshi(40_000), r.Amount)
				require.Equal(t, testInvoiceAmount, r.Total)
			},
		},
		{
			rule: "an open-amount invoice accepts any amount",
			edit: func(c *finalCase) {
				c.payload.PaymentData.Value.PaymentSecret = openSecret
				c.htlc.PaymentHash = openHash
				c.setAmount(1)
			},
			check: func(t *testing.T, c *finalCase, r *Receive) {
				require.False(t, r.Params.Amount.Present)
				require.Equal(t, wire.MilliSatoshi(1), r.Total)
			},
		},
		{
			rule: "an application hash is accepted without a preimage",
			edit: func(c *finalCase) {
				c.htlc.PaymentHash = appHash
				c.payload.PaymentData.Value.PaymentSecret = appSecret
			},
			check: func(t *testing.T, c *finalCase, r *Receive) {
				require.Nil(t, r.Preimage)
				require.False(t, r.Keysend)
				require.Equal(t, testParams(), r.Params)
			},
		},
		{
			rule: "the invoice is still payable at its expiry second",
			edit: func(c *finalCase) { c.now = testParams().Expiry },
		},
		{
			rule: "an expired invoice (now after its expiry)",
			edit: func(c *finalCase) { c.now = testParams().Expiry + 1 },
			fail: details,
		},
		{
			rule: "cltv_expiry equal to height + min_final_cltv_expiry_delta is accepted",
			edit: func(c *finalCase) { c.setCLTV(testHeight + 40) },
		},
		{
			rule: "cltv_expiry below height + min_final_cltv_expiry_delta",
			edit: func(c *finalCase) { c.setCLTV(testHeight + 39) },
			fail: details,
		},
		{
			rule: "height + delta beyond uint32 does not wrap around",
			edit: func(c *finalCase) {
				c.height = 1<<32 - 1
				c.setCLTV(1<<32 - 1)
			},
			fail: details,
		},
		{
			rule: "keysend without payment_data is accepted with the onion's preimage; records are copied",
			edit: func(c *finalCase) {
				c.makeKeysend()
				c.payload.PaymentMetadata = wire.Some([]byte{9, 8})
				c.payload.Custom = wire.TLVRecords{{Type: 65537, Value: []byte{1, 2}}}
				c.setCLTV(testHeight + uint32(testKeysendDelta))
			},
			check: func(t *testing.T, c *finalCase, r *Receive) {
				require.True(t, r.Keysend)
				require.Equal(t, c.preimage, *r.Preimage)
				require.Equal(t, testInvoiceAmount, r.Total)
				require.Equal(t, Params{}, r.Params)
				require.Equal(t, wire.PaymentSecret{}, r.Secret)
				require.Equal(t, []byte{9, 8}, r.Metadata)
				require.Equal(t, wire.TLVRecords{{Type: 65537, Value: []byte{1, 2}}}, r.Custom)
				c.payload.PaymentMetadata.Value[0] = 0
				c.payload.Custom[0].Value[0] = 0
				require.Equal(t, []byte{9, 8}, r.Metadata, "a copy")
				require.Equal(t, byte(1), r.Custom[0].Value[0], "a copy")
			},
		},
		{
			rule: "keysend with payment_data takes total_msat and the secret from it",
			edit: func(c *finalCase) {
				c.makeKeysend()
				c.payload.PaymentData = wire.Some(onion.PaymentData{PaymentSecret: wire.PaymentSecret{5}, TotalMsat: 3 * testInvoiceAmount})
				c.setCLTV(testHeight + uint32(testKeysendDelta))
			},
			check: func(t *testing.T, c *finalCase, r *Receive) {
				require.True(t, r.Keysend)
				require.Equal(t, 3*testInvoiceAmount, r.Total)
				require.Equal(t, wire.PaymentSecret{5}, r.Secret)
			},
		},
		{
			rule: "a keysend preimage that does not hash to the payment hash",
			edit: func(c *finalCase) {
				c.makeKeysend()
				c.htlc.PaymentHash[0] ^= 1
				c.setCLTV(testHeight + uint32(testKeysendDelta))
			},
			fail: details,
		},
		{
			rule: "keysend cltv_expiry below height + the keysend delta",
			edit: func(c *finalCase) {
				c.makeKeysend()
				c.setCLTV(testHeight + uint32(testKeysendDelta) - 1)
			},
			fail: details,
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			c := newFinalCase(t, k)
			tt.edit(&c)
			r, fail := k.CheckFinal(c.htlc, &c.payload, c.height, c.now, testKeysendDelta)
			if tt.fail != nil {
				require.Nil(t, r)
				require.Equal(t, tt.fail(&c), fail)
				return
			}
			require.Nil(t, fail)
			require.NotNil(t, r)
			if tt.check != nil {
				tt.check(t, &c, r)
			}
		})
	}
}

// TestCheckFinalNilPayload checks a nil payload fails instead of panicking.
func TestCheckFinalNilPayload(t *testing.T) {
	r, fail := testKeys(t).CheckFinal(HTLC{}, nil, testHeight, testNow, testKeysendDelta)
	require.Nil(t, r)
	require.Equal(t, &onion.InvalidOnionPayload{}, fail)
}
