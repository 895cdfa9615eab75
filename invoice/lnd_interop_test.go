package invoice

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
	"github.com/lnkit/lnkit/wire"
)

// lndPayReq is the output of `lncli decodepayreq`.
type lndPayReq struct {
	Destination     string `json:"destination"`
	PaymentHash     string `json:"payment_hash"`
	NumSatoshis     int64  `json:"num_satoshis,string"`
	Timestamp       int64  `json:"timestamp,string"`
	Expiry          int64  `json:"expiry,string"`
	Description     string `json:"description"`
	DescriptionHash string `json:"description_hash"`
	FallbackAddr    string `json:"fallback_addr"`
	CLTVExpiry      int64  `json:"cltv_expiry,string"`
	RouteHints      []struct {
		HopHints []struct {
			NodeID                    string `json:"node_id"`
			ChanID                    uint64 `json:"chan_id,string"`
			FeeBaseMsat               uint32 `json:"fee_base_msat"`
			FeeProportionalMillionths uint32 `json:"fee_proportional_millionths"`
			CLTVExpiryDelta           uint32 `json:"cltv_expiry_delta"`
		} `json:"hop_hints"`
	} `json:"route_hints"`
	PaymentAddr string `json:"payment_addr"`
	NumMsat     uint64 `json:"num_msat,string"`
	Features    map[string]struct {
		Name       string `json:"name"`
		IsRequired bool   `json:"is_required"`
		IsKnown    bool   `json:"is_known"`
	} `json:"features"`
	BlindedPaths []any `json:"blinded_paths"`
}

// compareWithLnd checks that lnkit's decoding of an invoice matches every
// field lnd's decodepayreq prints.
func compareWithLnd(t *testing.T, inv *Invoice, pr lndPayReq) {
	t.Helper()
	amt, _ := inv.Amount()
	desc, _ := inv.Description()
	dh, hasDH := inv.DescriptionHash()
	wantDH := ""
	if hasDH {
		wantDH = hex.EncodeToString(dh[:])
	}
	ph, ps := inv.PaymentHash(), inv.PaymentSecret()
	fallback := ""
	if addrs := inv.FallbackAddresses(); len(addrs) > 0 {
		fallback = addrs[0].EncodeAddress()
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"destination", inv.Payee().String(), pr.Destination},
		{"payment_hash", hex.EncodeToString(ph[:]), pr.PaymentHash},
		{"num_msat", uint64(amt), pr.NumMsat},
		{"num_satoshis", int64(amt / 1000), pr.NumSatoshis},
		{"timestamp", inv.Timestamp().Unix(), pr.Timestamp},
		{"expiry", int64(inv.ExpirySeconds()), pr.Expiry},
		{"description", desc, pr.Description},
		{"description_hash", wantDH, pr.DescriptionHash},
		{"fallback_addr", fallback, pr.FallbackAddr},
		{"cltv_expiry", int64(inv.MinFinalCLTVExpiryDelta()), pr.CLTVExpiry},
		{"payment_addr", ps.Hex(), pr.PaymentAddr},
	}
	for _, c := range checks {
		require.Equal(t, c.want, c.got, "%s: lnkit %v, lnd %v", c.name, c.got, c.want)
	}
	hints := inv.RouteHints()
	require.Len(t, hints, len(pr.RouteHints), "route_hints: lnkit %d, lnd %d", len(hints), len(pr.RouteHints))
	for i, h := range hints {
		require.Len(t, h, len(pr.RouteHints[i].HopHints), "route hint %d: lnkit %d hops, lnd %d", i, len(h), len(pr.RouteHints[i].HopHints))
		for j, hop := range h {
			l := pr.RouteHints[i].HopHints[j]
			require.Equal(t, l.NodeID, hop.NodeID.String(), "route hint %d hop %d: lnkit %+v, lnd %+v", i, j, hop, l)
			require.Equal(t, l.ChanID, hop.ShortChannelID.ToUint64(), "route hint %d hop %d: lnkit %+v, lnd %+v", i, j, hop, l)
			require.Equal(t, l.FeeBaseMsat, hop.FeeBaseMsat, "route hint %d hop %d: lnkit %+v, lnd %+v", i, j, hop, l)
			require.Equal(t, l.FeeProportionalMillionths, hop.FeeProportionalMillionths, "route hint %d hop %d: lnkit %+v, lnd %+v", i, j, hop, l)
			require.Equal(t, l.CLTVExpiryDelta, uint32(hop.CLTVExpiryDelta), "route hint %d hop %d: lnkit %+v, lnd %+v", i, j, hop, l)
		}
	}
	bits := inv.Features().Bits()
	require.Len(t, bits, len(pr.Features), "features: lnkit %v, lnd %v", bits, pr.Features)
	for _, b := range bits {
		f, ok := pr.Features[strconv.Itoa(int(b))]
		require.True(t, ok, "feature %d: lnd %+v (present %v)", b, f, ok)
		require.Equal(t, b.IsRequired(), f.IsRequired, "feature %d: lnd %+v (present %v)", b, f, ok)
	}
}

// TestLndInterop runs one btcd and two lnd nodes. Bob's invoices, made by
// `lncli addinvoice` in many shapes, decode in lnkit to what `lncli
// decodepayreq` shows, and re-encode byte for byte; invoices lnkit builds
// and signs decode in lnd to the fields lnkit put in. Alice has a public
// channel to bob (so lnd treats her as a public node) and a private one,
// which bob's --private invoices hint.
func TestLndInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	start := time.Now()
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	alice := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "alice"})
	bob := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "bob"})
	alice.Fund(t, 2_000_000)
	alice.OpenChannel(t, bob, 400_000)
	alice.OpenChannel(t, bob, 300_000, "--private")
	t.Logf("nodes and channels ready after %s", time.Since(start))

	decodeInLnd := func(t *testing.T, payReq string) lndPayReq {
		t.Helper()
		var pr lndPayReq
		bob.CLIJSON(t, &pr, "decodepayreq", "--pay_req="+payReq)
		return pr
	}

	t.Run("lnd invoices decode in lnkit", func(t *testing.T) {
		newAddr := func(kind string) string {
			var res struct {
				Address string `json:"address"`
			}
			bob.CLIJSON(t, &res, "newaddress", kind)
			return res.Address
		}
		net := &chaincfg.RegressionNetParams
		p2pkh, _ := btcutil.NewAddressPubKeyHash(bytesRepeat(7, 20), net)
		p2wsh, _ := btcutil.NewAddressWitnessScriptHash(bytesRepeat(9, 32), net)
		descHash := sha256.Sum256([]byte("a description too long for the invoice"))
		cases := []struct {
			name string
			args []string
			// decodeErr is the error Decode must give: lnd's blinded
			// invoices carry no s field (the secret is in the blinded
			// path), and BOLT 11 readers must fail without one.
			decodeErr error
			// payErr is the error CheckPayable must give: AMP invoices
			// require lnd's AMP feature (bit 30), unknown to lnkit.
			payErr error
		}{
			{"amount and memo", []string{"--amt=1000", "--memo=coffee"}, nil, nil},
			{"no amount no memo", nil, nil, nil},
			{"msat amount", []string{"--amt_msat=1234567", "--memo=msat"}, nil, nil},
			{"large amount", []string{"--amt=4000000", "--memo=large"}, nil, nil},
			{"unicode memo", []string{"--amt=2500", "--memo=ナンセンス 1杯"}, nil, nil},
			{"description hash", []string{"--amt=5000", "--description_hash=" + hex.EncodeToString(descHash[:])}, nil, nil},
			{"expiry", []string{"--expiry=120", "--memo=expiring"}, nil, nil},
			{"cltv delta", []string{"--amt=1", "--cltv_expiry_delta=144"}, nil, nil},
			{"private route hints", []string{"--amt=10000", "--memo=private", "--private"}, nil, nil},
			{"fallback p2wpkh", []string{"--amt=1000", "--fallback_addr=" + newAddr("p2wkh")}, nil, nil},
			{"fallback p2sh", []string{"--amt=1000", "--fallback_addr=" + newAddr("np2wkh")}, nil, nil},
			{"fallback p2tr", []string{"--amt=1000", "--fallback_addr=" + newAddr("p2tr")}, nil, nil},
			{"fallback p2pkh", []string{"--amt=1000", "--fallback_addr=" + p2pkh.EncodeAddress()}, nil, nil},
			{"fallback p2wsh", []string{"--amt=1000", "--fallback_addr=" + p2wsh.EncodeAddress()}, nil, nil},
			{"amp", []string{"--amt=1000", "--memo=amp", "--amp"}, nil, ErrUnknownRequiredFeature},
			{"everything", []string{"--amt_msat=7654321", "--memo=everything", "--expiry=600", "--cltv_expiry_delta=50",
				"--private", "--fallback_addr=" + newAddr("p2tr")}, nil, nil},
			{"blinded path", []string{"--amt=1000", "--memo=blinded", "--blind", "--min_real_blinded_hops=0", "--num_blinded_hops=2"},
				ErrMissingPaymentSecret, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var res struct {
					PaymentRequest string `json:"payment_request"`
				}
				args := append([]string{"addinvoice"}, c.args...)
				bob.CLIJSON(t, &res, args...)
				pr := decodeInLnd(t, res.PaymentRequest)
				if strings.Contains(c.name, "route hints") || c.name == "everything" {
					// lnd hints a private channel once it has the
					// peer's channel_update; wait for it.
					deadline := time.Now().Add(30 * time.Second)
					for len(pr.RouteHints) == 0 && time.Now().Before(deadline) {
						time.Sleep(200 * time.Millisecond)
						bob.CLIJSON(t, &res, args...)
						pr = decodeInLnd(t, res.PaymentRequest)
					}
					require.NotEmpty(t, pr.RouteHints, "lnd never added a route hint")
				}
				inv, err := Decode(res.PaymentRequest)
				if c.decodeErr != nil {
					require.ErrorIs(t, err, c.decodeErr, "Decode = %v, want %v", err, c.decodeErr)
					require.NotEmpty(t, pr.BlindedPaths, "lnd shows %d blinded paths, payment_addr %q", len(pr.BlindedPaths), pr.PaymentAddr)
					require.Equal(t, "", strings.Trim(pr.PaymentAddr, "0"), "lnd shows %d blinded paths, payment_addr %q", len(pr.BlindedPaths), pr.PaymentAddr)
					return
				}
				require.NoError(t, err, "Decode(%s)", res.PaymentRequest)
				require.Equal(t, res.PaymentRequest, inv.String(), "re-encoding differs:\n got %s\nwant %s", inv, res.PaymentRequest)
				require.Same(t, net, inv.Network(), "network %s", inv.Network().Name)
				compareWithLnd(t, inv, pr)
				require.Equal(t, bob.NodeID, inv.Payee().String(), "payee %s, want bob %s", inv.Payee(), bob.NodeID)
				err = inv.CheckPayable(time.Now())
				require.ErrorIs(t, err, c.payErr, "CheckPayable = %v, want %v", err, c.payErr)
			})
		}
	})

	t.Run("lnkit invoices decode in lnd", func(t *testing.T) {
		key, _ := btcec.PrivKeyFromBytes(sha256.New().Sum([]byte("lnkit interop payee")))
		id := wire.NewNodeID(key.PubKey())
		signer := nodeSigner{keySigner{key}, id}
		aliceID, err := wire.ParseNodeID(alice.NodeID)
		require.NoError(t, err)
		net := &chaincfg.RegressionNetParams
		p2wpkh, _ := btcutil.NewAddressWitnessPubKeyHash(bytesRepeat(3, 20), net)
		p2tr, _ := btcutil.NewAddressTaproot(bytesRepeat(4, 32), net)
		p2sh, _ := btcutil.NewAddressScriptHashFromHash(bytesRepeat(5, 20), net)
		now := time.Now().Truncate(time.Second)
		hop := HopHint{NodeID: aliceID, ShortChannelID: wire.ShortChannelID{BlockHeight: 450, TxIndex: 1, OutputIndex: 0},
			FeeBaseMsat: 1000, FeeProportionalMillionths: 1, CLTVExpiryDelta: 80}
		hop2 := HopHint{NodeID: id, ShortChannelID: wire.ShortChannelID{BlockHeight: 460, TxIndex: 2, OutputIndex: 1},
			FeeBaseMsat: 0, FeeProportionalMillionths: 250, CLTVExpiryDelta: 40}
		base := func(secret byte) *Builder {
			return NewBuilder(net, now).PaymentHash(sha256.Sum256([]byte{secret})).PaymentSecret(wire.PaymentSecret{secret})
		}
		cases := []struct {
			name  string
			b     *Builder
			upper bool
		}{
			{"minimal", base(1).Description("lnkit"), false},
			{"amount expiry cltv", base(2).Amount(1_234_567).Description("coffee").Expiry(2 * time.Hour).MinFinalCLTVExpiryDelta(40), false},
			{"whole bitcoin", base(3).Amount(100_000_000_000).Description("one bitcoin"), false},
			{"description hash", base(4).Amount(5_000_000).DescriptionHash(sha256.Sum256([]byte("long"))), false},
			{"route hints", base(5).Amount(10_000).Description("hints").RouteHint(hop).RouteHint(hop, hop2), false},
			{"fallbacks", base(6).Amount(10_000).Description("fallback").Fallback(p2wpkh).Fallback(p2tr).Fallback(p2sh), false},
			{"fallback p2tr", base(7).Description("taproot").Fallback(p2tr), false},
			{"payee field", base(8).Amount(42_000).Description("with n").PayeeNodeID(id), false},
			{"features and metadata", base(9).Amount(1000).Description("features").Metadata([]byte{1, 2, 3}).
				Features(wire.NewFeatureVector(wire.VarOnionOptinRequired, wire.PaymentSecretRequired,
					wire.BasicMPPOptional, wire.PaymentMetadataOptional, 101)), false},
			{"upper case", base(10).Amount(250_000_000).Description("UPPER"), true},
			{"pico amount", base(11).Amount(1).Description("one msat"), false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				inv, err := c.b.Build(signer)
				require.NoError(t, err)
				s := inv.String()
				if c.upper {
					s = strings.ToUpper(s)
				}
				pr := decodeInLnd(t, s)
				compareWithLnd(t, inv, pr)
				require.Equal(t, id.String(), pr.Destination, "lnd destination %s, want %s", pr.Destination, id)
				if c.name == "features and metadata" {
					f, ok := pr.Features["101"]
					require.True(t, ok, "lnd feature 101 missing")
					require.False(t, f.IsKnown, "lnd feature 101: %+v", f)
				}
			})
		}
	})
	t.Logf("interop done after %s", time.Since(start))
}
