package inbound

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// testInvoiceParams returns the invoice of a derived-preimage payment of
// the test node, and its preimage.
func testInvoiceParams(t *testing.T, k *Keys) (InvoiceParams, wire.Preimage) {
	t.Helper()
	p := InvoiceParams{
		Network:     &chaincfg.RegressionNetParams,
		Amount:      wire.Some(testInvoiceAmount),
		Description: "coffee",
		Timestamp:   testNow,
	}
	hash, secret, preimage, err := k.Create(p.PaymentParams(), testIV(4))
	require.NoError(t, err)
	p.PaymentHash, p.PaymentSecret = hash, secret
	return p, preimage
}

// TestNewInvoiceDecodes builds invoices of several shapes and checks that
// each decodes, verifies against the node key, is payable and carries the
// params.
func TestNewInvoiceDecodes(t *testing.T) {
	m := testManager(t)
	k := NewKeys(m.InboundPaymentKey())
	descHash := sha256.Sum256([]byte("a long description"))
	hint := invoice.RouteHint{{
		NodeID:                    keys.NewManager(keys.Seed{2}, keys.Config{}).NodeID(),
		ShortChannelID:            wire.NewShortChannelID(800_000<<40 | 1<<16 | 1),
		FeeBaseMsat:               1000,
		FeeProportionalMillionths: 10,
		CLTVExpiryDelta:           80,
	}}
	tests := []struct {
		name string
		edit func(*InvoiceParams)
	}{
		{"defaults", func(*InvoiceParams) {}},
		{"open amount", func(p *InvoiceParams) { p.Amount = wire.Option[wire.MilliSatoshi]{} }},
		{"description hash", func(p *InvoiceParams) { p.DescriptionHash = &descHash }},
		{"explicit expiry and delta", func(p *InvoiceParams) {
			p.ExpirySecs, p.MinFinalCLTVExpiryDelta = 86_400, 144
		}},
		{"route hint, metadata and mpp", func(p *InvoiceParams) {
			p.RouteHints = []invoice.RouteHint{hint}
			p.Metadata = []byte{1, 2, 3}
			p.MPP = true
		}},
		{"mainnet", func(p *InvoiceParams) { p.Network = &chaincfg.MainNetParams }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := testInvoiceParams(t, k)
			tt.edit(&p)
			var err error
			p.PaymentHash, p.PaymentSecret, _, err = k.Create(p.PaymentParams(), testIV(4))
			require.NoError(t, err)
			s, built, err := NewInvoice(p, m)
			require.NoError(t, err)
			require.Equal(t, built.String(), s)

			inv, err := invoice.Decode(s)
			require.NoError(t, err)
			require.Equal(t, m.NodeID(), inv.Payee(), "the signature recovers the node key")
			require.NoError(t, inv.CheckPayable(time.Unix(int64(p.Timestamp), 0)))
			require.Equal(t, p.Network, inv.Network())

			amt, ok := inv.Amount()
			require.Equal(t, p.Amount, wire.Option[wire.MilliSatoshi]{Value: amt, Present: ok})
			require.Equal(t, p.PaymentHash, inv.PaymentHash())
			require.Equal(t, p.PaymentSecret, inv.PaymentSecret())
			require.Equal(t, int64(p.Timestamp), inv.Timestamp().Unix())
			want := p.PaymentParams()
			require.Equal(t, want.Expiry, uint64(inv.ExpiresAt().Unix()))
			require.Equal(t, uint64(want.MinFinalCLTVExpiryDelta), inv.MinFinalCLTVExpiryDelta())
			if p.DescriptionHash != nil {
				h, ok := inv.DescriptionHash()
				require.True(t, ok)
				require.Equal(t, *p.DescriptionHash, h)
			} else {
				d, ok := inv.Description()
				require.True(t, ok)
				require.Equal(t, p.Description, d)
			}
			require.Equal(t, len(p.RouteHints), len(inv.RouteHints()))
			for i := range p.RouteHints {
				require.Equal(t, p.RouteHints[i], inv.RouteHints()[i])
			}
			md, ok := inv.Metadata()
			require.Equal(t, p.Metadata != nil, ok)
			require.Equal(t, p.Metadata, md)
			f := inv.Features()
			require.True(t, f.HasFeature(wire.VarOnionOptinRequired))
			require.True(t, f.HasFeature(wire.PaymentSecretRequired))
			require.Equal(t, p.MPP, f.HasFeature(wire.BasicMPPOptional))
			require.Equal(t, p.Metadata != nil, f.HasFeature(wire.PaymentMetadataRequired))

			// The secret in the invoice verifies back to its params.
			got, pre, err := k.Verify(inv.PaymentHash(), inv.PaymentSecret())
			require.NoError(t, err)
			require.NotNil(t, pre)
			require.Equal(t, want, got)
		})
	}
}

// TestInvoicePaidEndToEnd pays an invoice as a payer would (amount,
// secret and final CLTV from the decoded invoice) and checks CheckFinal
// accepts it with the preimage, until the invoice expires.
func TestInvoicePaidEndToEnd(t *testing.T) {
	m := testManager(t)
	k := NewKeys(m.InboundPaymentKey())
	p, preimage := testInvoiceParams(t, k)
	s, _, err := NewInvoice(p, m)
	require.NoError(t, err)
	inv, err := invoice.Decode(s)
	require.NoError(t, err)

	amt, _ := inv.Amount()
	cltv := testHeight + uint32(inv.MinFinalCLTVExpiryDelta())
	h := HTLC{Amount: amt, CLTVExpiry: cltv, PaymentHash: inv.PaymentHash()}
	pl := &onion.HopPayload{
		AmountToForward: wire.Some(amt),
		OutgoingCLTV:    wire.Some(cltv),
		PaymentData:     wire.Some(onion.PaymentData{PaymentSecret: inv.PaymentSecret(), TotalMsat: amt}),
	}
	r, fail := k.CheckFinal(h, pl, testHeight, uint64(inv.ExpiresAt().Unix()), testKeysendDelta)
	require.Nil(t, fail)
	require.Equal(t, preimage, *r.Preimage)

	r, fail = k.CheckFinal(h, pl, testHeight, uint64(inv.ExpiresAt().Unix())+1, testKeysendDelta)
	require.Nil(t, r)
	require.Equal(t, &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: amt, Height: testHeight}, fail)
}

// TestNewInvoiceConfigErrors checks each invalid field is named.
func TestNewInvoiceConfigErrors(t *testing.T) {
	m := testManager(t)
	k := NewKeys(m.InboundPaymentKey())
	tests := []struct {
		field string
		edit  func(*InvoiceParams)
	}{
		{"Network", func(p *InvoiceParams) { p.Network = nil }},
		{"Amount", func(p *InvoiceParams) { p.Amount = wire.Some[wire.MilliSatoshi](0) }},
		{"Amount", func(p *InvoiceParams) { p.Amount = wire.Some(MaxAmount + 1) }},
		{"Timestamp", func(p *InvoiceParams) { p.Timestamp = 0 }},
		{"Timestamp", func(p *InvoiceParams) { p.Timestamp = 1 << 35 }},
		{"PaymentSecret", func(p *InvoiceParams) { p.PaymentSecret = wire.PaymentSecret{} }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			p, _ := testInvoiceParams(t, k)
			tt.edit(&p)
			_, _, err := NewInvoice(p, m)
			require.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tt.field, ce.Field)
		})
	}
	// The Builder's own checks come back as they are.
	p, _ := testInvoiceParams(t, k)
	p.Description = string([]byte{0xff})
	_, _, err := NewInvoice(p, m)
	require.ErrorIs(t, err, invoice.ErrInvalidBuild)
	_, _, err = NewInvoice(p, nil)
	require.Error(t, err)
}

// TestPaymentParamsDefaults checks the defaults of InvoiceParams.
func TestPaymentParamsDefaults(t *testing.T) {
	p := InvoiceParams{Timestamp: 1000}
	require.Equal(t, Params{Expiry: 1000 + uint64(DefaultExpirySecs), MinFinalCLTVExpiryDelta: DefaultMinFinalCLTVExpiryDelta}, p.PaymentParams())
	p = InvoiceParams{Timestamp: 1000, ExpirySecs: 60, MinFinalCLTVExpiryDelta: 9, Amount: wire.Some[wire.MilliSatoshi](5)}
	require.Equal(t, Params{Amount: wire.Some[wire.MilliSatoshi](5), Expiry: 1060, MinFinalCLTVExpiryDelta: 9}, p.PaymentParams())
}
