package commit

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/txscript"

	"github.com/lnkit/lnkit/wire"
)

func TestNewRejectsBadParams(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'p'}))
	good := randChannel(t, rng, StaticRemoteKey, 1_000_000).ch.Params()
	cases := map[string]func(p *Params){
		"unknown type":       func(p *Params) { p.Type = 0 },
		"type 3":             func(p *Params) { p.Type = 3 },
		"zero capacity":      func(p *Params) { p.Capacity = 0 },
		"too large capacity": func(p *Params) { p.Capacity = MaxCapacity + 1 },
		"bad opener":         func(p *Params) { p.Opener = 2 },
		"missing funding":    func(p *Params) { p.Local.Funding = nil },
		"missing htlc":       func(p *Params) { p.Remote.HTLC = nil },
		"missing revocation": func(p *Params) { p.Remote.Revocation = nil },
		"same funding key":   func(p *Params) { p.Remote.Funding = p.Local.Funding },
		"dust below 354":     func(p *Params) { p.Local.DustLimit = 353 },
		"dust above cap":     func(p *Params) { p.Remote.DustLimit = p.Capacity + 1 },
	}
	for name, mutate := range cases {
		p := good
		mutate(&p)
		if _, err := New(p); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
}

func TestBuildRejectsBadStates(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'s'}))
	ch := randChannel(t, rng, AnchorsZeroFeeHTLC, 1_000_000).ch
	pcp := randPriv(rng).PubKey()
	base := func() *State {
		return &State{PerCommitmentPoint: pcp, FeeRate: 253, LocalBalance: 600_000_000, RemoteBalance: 400_000_000}
	}
	many := func(n int, offerer Side) []HTLC {
		h := make([]HTLC, n)
		for i := range h {
			h[i] = HTLC{Offerer: offerer, Amount: 1}
		}
		return h
	}
	cases := []struct {
		name   string
		mutate func(st *State)
		want   error
	}{
		{"number above 2^48-1", func(st *State) { st.Number = MaxCommitmentNumber + 1 }, ErrInvalidState},
		{"no per-commitment point", func(st *State) { st.PerCommitmentPoint = nil }, ErrInvalidState},
		{"balances short", func(st *State) { st.LocalBalance-- }, ErrInvalidState},
		{"balances over", func(st *State) { st.RemoteBalance++ }, ErrInvalidState},
		{"balance overflow", func(st *State) { st.LocalBalance, st.RemoteBalance = 1<<63, 1<<63 }, ErrInvalidState},
		{"htlc overflow", func(st *State) { st.HTLCs = []HTLC{{Offerer: Local, Amount: ^wire.MilliSatoshi(0)}} }, ErrInvalidState},
		{"bad offerer", func(st *State) { st.HTLCs = []HTLC{{Offerer: 7}} }, ErrInvalidState},
		{"484 offered", func(st *State) { st.HTLCs = many(484, Local) }, ErrTooManyHTLCs},
		{"967 htlcs", func(st *State) { st.HTLCs = append(many(483, Local), many(484, Remote)...) }, ErrTooManyHTLCs},
		{"nil", nil, ErrInvalidState},
	}
	for _, c := range cases {
		var st *State
		if c.mutate != nil {
			st = base()
			c.mutate(st)
		}
		if _, err := ch.Build(Local, st); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if _, err := ch.Outline(Local, st); !errors.Is(err, c.want) {
			t.Errorf("%s (outline): %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := ch.Build(Side(2), base()); !errors.Is(err, ErrInvalidState) {
		t.Errorf("bad owner: %v", err)
	}
	if _, err := ch.DeriveKeys(Local, nil); !errors.Is(err, ErrInvalidState) {
		t.Errorf("DeriveKeys without a point: %v", err)
	}
	// 483 each way is allowed.
	st := base()
	st.LocalBalance -= 966
	st.HTLCs = append(many(483, Local), many(483, Remote)...)
	if _, err := ch.Build(Remote, st); err != nil {
		t.Fatal(err)
	}
}

func TestAnchorsOpenerCannotPay(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'a'}))
	tc := randChannel(t, rng, AnchorsZeroFeeHTLC, 1_000_000)
	ch := tc.ch
	opener := ch.Params().Opener
	st := &State{PerCommitmentPoint: randPriv(rng).PubKey(), FeeRate: 253,
		HTLCs: []HTLC{{Offerer: opener.Other(), Amount: 100_000_000, CLTVExpiry: 100}}}
	// The opener has 500 sat: not even the two anchors.
	if opener == Local {
		st.LocalBalance, st.RemoteBalance = 500_000, 1_000_000_000-500_000-100_000_000
	} else {
		st.RemoteBalance, st.LocalBalance = 500_000, 1_000_000_000-500_000-100_000_000
	}
	if _, err := ch.Build(Local, st); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("opener without funds for anchors: %v", err)
	}
	o, err := ch.Outline(Local, st)
	if err != nil || o.Shortfall == 0 {
		t.Fatalf("outline %+v %v", o, err)
	}
	// With 700 sat it pays the anchors and the shortfall is the fee.
	if opener == Local {
		st.LocalBalance += 200_000
	} else {
		st.RemoteBalance += 200_000
	}
	if opener == Local {
		st.RemoteBalance -= 200_000
	} else {
		st.LocalBalance -= 200_000
	}
	cm, err := ch.Build(Local, st)
	if err != nil {
		t.Fatal(err)
	}
	fee := CommitmentFee(AnchorsZeroFeeHTLC, 253, 1)
	if cm.Outline.Shortfall != fee+660-700 {
		t.Fatalf("shortfall %d, want %d", cm.Outline.Shortfall, fee+660-700)
	}
}

func TestSignatureErrors(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'v'}))
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		tc := randChannel(t, rng, typ, 5_000_000)
		st, _ := randState(rng, tc.ch, 10, randPriv(rng).PubKey())
		cm, err := tc.ch.Build(Local, st)
		if err != nil {
			t.Fatal(err)
		}
		if len(cm.HTLCOutputs) < 2 {
			t.Fatal("want at least two htlc outputs")
		}
		sigs := must(cm.SignAsCounterparty(tc.remote))
		if err := cm.VerifyCounterparty(sigs); err != nil {
			t.Fatal(err)
		}
		// Signatures of the owner are not the counterparty's.
		if err := cm.VerifyCounterparty(must(cm.SignAsOwner(tc.local))); !errors.Is(err, ErrInvalidSignature) {
			t.Fatalf("owner signatures accepted as counterparty's: %v", err)
		}
		if err := cm.VerifyCounterparty(Signatures{Commitment: sigs.Commitment, HTLCs: sigs.HTLCs[1:]}); !errors.Is(err, ErrSignatureCount) {
			t.Fatalf("short signature list: %v", err)
		}
		bad := Signatures{Commitment: sigs.Commitment, HTLCs: append([]wire.Signature(nil), sigs.HTLCs...)}
		bad.HTLCs[0], bad.HTLCs[1] = bad.HTLCs[1], bad.HTLCs[0]
		var se *SignatureError
		if err := cm.VerifyCounterparty(bad); !errors.As(err, &se) || se.Index != 0 || se.OutputIndex != cm.HTLCOutputs[0] {
			t.Fatalf("swapped htlc signatures: %v", err)
		}
		bad = Signatures{Commitment: sigs.HTLCs[0], HTLCs: sigs.HTLCs}
		if err := cm.VerifyCounterparty(bad); !errors.As(err, &se) || se.Index != -1 || err.Error() != "commit: invalid commitment signature" {
			t.Fatalf("wrong commitment signature: %v", err)
		}
		// A signature with r = 0 does not verify and cannot go in a witness.
		var zero wire.Signature
		if err := cm.VerifyCounterparty(Signatures{Commitment: zero, HTLCs: sigs.HTLCs}); !errors.Is(err, ErrInvalidSignature) {
			t.Fatal(err)
		}
		if _, err := cm.SignedTx(zero, sigs.Commitment); err == nil {
			t.Fatal("witness with an invalid signature")
		}
		// HTLC helpers reject non-HTLC outputs.
		for _, i := range []int{-1, len(cm.Outputs), cm.OutputIndex(ToLocalOutput)} {
			if _, err := cm.HTLCTx(i); !errors.Is(err, ErrNotHTLCOutput) {
				t.Errorf("HTLCTx(%d): %v", i, err)
			}
			if _, err := cm.HTLCSigHash(i, true); !errors.Is(err, ErrNotHTLCOutput) {
				t.Errorf("HTLCSigHash(%d): %v", i, err)
			}
		}
		// HTLCTxs and HTLCSigHash agree with the signing loop.
		txs := cm.HTLCTxs()
		for j, i := range cm.HTLCOutputs {
			one := must(cm.HTLCTx(i))
			if one.TxHash() != txs[j].TxHash() {
				t.Fatalf("HTLCTxs[%d] differs from HTLCTx(%d)", j, i)
			}
			h := must(cm.HTLCSigHash(i, true))
			if !sigs.HTLCs[j].Verify(h[:], cm.Keys.RemoteHTLC) {
				t.Fatalf("HTLCSigHash(%d) does not match the signature", i)
			}
			// The shortcut sighash equals txscript's own computation.
			o := cm.Outputs[i]
			fetcher := txscript.NewCannedPrevOutputFetcher(o.PkScript, int64(o.Amount))
			for _, byCp := range []bool{false, true} {
				want, err := txscript.CalcWitnessSigHash(o.WitnessScript, txscript.NewTxSigHashes(one, fetcher), cm.htlcHashType(byCp), one, 0, int64(o.Amount))
				if err != nil {
					t.Fatal(err)
				}
				if got := must(cm.HTLCSigHash(i, byCp)); string(got[:]) != string(want) {
					t.Fatalf("sighash of output %d differs from txscript's", i)
				}
			}
		}
	}
}

func TestClosingErrors(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'c'}))
	tc := randChannel(t, rng, StaticRemoteKey, 1_000_000)
	ch := tc.ch
	p := ch.Params()
	pk := P2WPKH(randPriv(rng).PubKey())
	pk2 := P2WPKH(randPriv(rng).PubKey())
	opener := p.Opener
	bal := func(openerMsat wire.MilliSatoshi) (l, r wire.MilliSatoshi) {
		if opener == Local {
			return openerMsat, 1_000_000_000 - openerMsat
		}
		return 1_000_000_000 - openerMsat, openerMsat
	}
	l, r := bal(500_000)
	if _, err := ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 501}); !errors.Is(err, ErrInvalidClosing) {
		t.Errorf("fee above balance: %v", err)
	}
	if _, err := ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r + 1, Fee: 1}); !errors.Is(err, ErrInvalidClosing) {
		t.Errorf("balances off: %v", err)
	}
	if _, err := ch.LegacyClosingTx(LegacyClosing{LocalScript: nil, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 1}); !errors.Is(err, ErrInvalidClosing) {
		t.Errorf("empty script: %v", err)
	}
	if _, err := ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 1, OmitLocal: true, OmitRemote: true}); !errors.Is(err, ErrInvalidClosing) {
		t.Errorf("no output: %v", err)
	}
	// The opener's output falls below the signer's dust limit once the fee is paid.
	dust := ch.party(Local).DustLimit
	l, r = bal((dust + 99).ToMilliSatoshi())
	tx, err := ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 100, Signer: Local})
	if err != nil {
		t.Fatal(err)
	}
	if len(tx.TxOut) != 1 || tx.TxOut[0].Value != int64(1_000_000-dust-99) {
		t.Fatalf("dust output kept: %v", tx.TxOut)
	}
	// Rounding down: 1999 msat is 1 sat.
	l, r = bal(dust.ToMilliSatoshi() + 100_000_000 + 1999)
	tx = must(ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 100_000, Signer: Local}))
	if tx.TxOut[0].Value != int64(dust)+1 {
		t.Fatalf("opener output %d, want %d", tx.TxOut[0].Value, dust+1)
	}
	if _, err := ch.ClosingSigHash(spend(p.FundingOutpoint, 0, 0)); err != nil {
		t.Fatal(err)
	}
	other := p.FundingOutpoint
	other.Index++
	if _, err := ch.ClosingSigHash(spend(other, 0, 0)); !errors.Is(err, ErrInvalidClosing) {
		t.Fatalf("closing sighash of a foreign tx: %v", err)
	}
	if _, err := ch.SimpleClosingTx(SimpleClosing{Closer: 5, LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r}); !errors.Is(err, ErrInvalidClosing) {
		t.Fatalf("bad closer: %v", err)
	}
}

func TestNamesAndNumbers(t *testing.T) {
	if StaticRemoteKey.String() != "option_static_remotekey" || AnchorsZeroFeeHTLC.String() != "option_anchors_zero_fee_htlc_tx" || ChannelType(9).String() != "channel_type(9)" {
		t.Error("channel type names")
	}
	if Local.String() != "local" || Remote.String() != "remote" || Local.Other() != Remote || Remote.Other() != Local {
		t.Error("sides")
	}
	for k := ToLocalOutput; k <= ReceivedHTLCOutput; k++ {
		if k.String() == "" || k.IsHTLC() != (k >= OfferedHTLCOutput) {
			t.Errorf("output kind %d", k)
		}
	}
	if OutputKind(0).String() != "output_kind(0)" {
		t.Error("unknown output kind")
	}
	rng := rand.New(rand.NewChaCha8([32]byte{'n'}))
	ch := randChannel(t, rng, StaticRemoteKey, 1_000_000).ch
	if _, ok := ch.CommitmentNumber(0x21000000, 0x80000000); ok {
		t.Error("locktime without 0x20 accepted")
	}
	if _, ok := ch.CommitmentNumber(0x20000000, 0xFFFFFFFF); ok {
		t.Error("sequence without 0x80 accepted")
	}
	if ch.Type() != StaticRemoteKey || ch.FundingTxOut().Value != 1_000_000 {
		t.Error("accessors")
	}
}
