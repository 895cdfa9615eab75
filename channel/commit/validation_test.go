package commit

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/stretchr/testify/require"

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
		_, err := New(p)
		require.ErrorIs(t, err, ErrInvalidParams, "%s: %v", name, err)
	}
	_, err := New(good)
	require.NoError(t, err)
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
		_, err := ch.Build(Local, st)
		require.ErrorIs(t, err, c.want, "%s: %v, want %v", c.name, err, c.want)
		_, err = ch.Outline(Local, st)
		require.ErrorIs(t, err, c.want, "%s (outline): %v, want %v", c.name, err, c.want)
	}
	_, err := ch.Build(Side(2), base())
	require.ErrorIs(t, err, ErrInvalidState, "bad owner: %v", err)
	_, err = ch.DeriveKeys(Local, nil)
	require.ErrorIs(t, err, ErrInvalidState, "DeriveKeys without a point: %v", err)
	// 483 each way is allowed.
	st := base()
	st.LocalBalance -= 966
	st.HTLCs = append(many(483, Local), many(483, Remote)...)
	_, err = ch.Build(Remote, st)
	require.NoError(t, err)
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
	_, err := ch.Build(Local, st)
	require.ErrorIs(t, err, ErrInvalidState, "opener without funds for anchors")
	o, err := ch.Outline(Local, st)
	require.NoError(t, err, "outline %+v", o)
	require.NotEqual(t, wire.Satoshi(0), o.Shortfall, "outline %+v %v", o, err)
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
	require.NoError(t, err)
	fee := CommitmentFee(AnchorsZeroFeeHTLC, 253, 1)
	require.Equal(t, fee+660-700, cm.Outline.Shortfall, "shortfall %d, want %d", cm.Outline.Shortfall, fee+660-700)
}

func TestSignatureErrors(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'v'}))
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		tc := randChannel(t, rng, typ, 5_000_000)
		st, _ := randState(rng, tc.ch, 10, randPriv(rng).PubKey())
		cm, err := tc.ch.Build(Local, st)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(cm.HTLCOutputs), 2, "want at least two htlc outputs")
		sigs := must(cm.SignAsCounterparty(tc.remote))
		require.NoError(t, cm.VerifyCounterparty(sigs))
		// Signatures of the owner are not the counterparty's.
		require.ErrorIs(t, cm.VerifyCounterparty(must(cm.SignAsOwner(tc.local))), ErrInvalidSignature, "owner signatures accepted as counterparty's")
		require.ErrorIs(t, cm.VerifyCounterparty(Signatures{Commitment: sigs.Commitment, HTLCs: sigs.HTLCs[1:]}), ErrSignatureCount, "short signature list")
		bad := Signatures{Commitment: sigs.Commitment, HTLCs: append([]wire.Signature(nil), sigs.HTLCs...)}
		bad.HTLCs[0], bad.HTLCs[1] = bad.HTLCs[1], bad.HTLCs[0]
		var se *SignatureError
		err = cm.VerifyCounterparty(bad)
		require.ErrorAs(t, err, &se, "swapped htlc signatures")
		require.Equal(t, 0, se.Index, "swapped htlc signatures: %v", err)
		require.Equal(t, cm.HTLCOutputs[0], se.OutputIndex, "swapped htlc signatures: %v", err)
		bad = Signatures{Commitment: sigs.HTLCs[0], HTLCs: sigs.HTLCs}
		err = cm.VerifyCounterparty(bad)
		require.ErrorAs(t, err, &se, "wrong commitment signature")
		require.Equal(t, -1, se.Index, "wrong commitment signature: %v", err)
		require.EqualError(t, err, "commit: invalid commitment signature")
		// A signature with r = 0 does not verify and cannot go in a witness.
		var zero wire.Signature
		require.ErrorIs(t, cm.VerifyCounterparty(Signatures{Commitment: zero, HTLCs: sigs.HTLCs}), ErrInvalidSignature, "zero commitment signature")
		_, err = cm.SignedTx(zero, sigs.Commitment)
		require.Error(t, err, "witness with an invalid signature")
		// HTLC helpers reject non-HTLC outputs.
		for _, i := range []int{-1, len(cm.Outputs), cm.OutputIndex(ToLocalOutput)} {
			_, err = cm.HTLCTx(i)
			require.ErrorIs(t, err, ErrNotHTLCOutput, "HTLCTx(%d)", i)
			_, err = cm.HTLCSigHash(i, true)
			require.ErrorIs(t, err, ErrNotHTLCOutput, "HTLCSigHash(%d)", i)
		}
		// HTLCTxs and HTLCSigHash agree with the signing loop.
		txs := cm.HTLCTxs()
		for j, i := range cm.HTLCOutputs {
			one := must(cm.HTLCTx(i))
			require.Equal(t, txs[j].TxHash(), one.TxHash(), "HTLCTxs[%d] differs from HTLCTx(%d)", j, i)
			h := must(cm.HTLCSigHash(i, true))
			require.True(t, sigs.HTLCs[j].Verify(h[:], cm.Keys.RemoteHTLC), "HTLCSigHash(%d) does not match the signature", i)
			// The shortcut sighash equals txscript's own computation.
			o := cm.Outputs[i]
			fetcher := txscript.NewCannedPrevOutputFetcher(o.PkScript, int64(o.Amount))
			for _, byCp := range []bool{false, true} {
				want, err := txscript.CalcWitnessSigHash(o.WitnessScript, txscript.NewTxSigHashes(one, fetcher), cm.htlcHashType(byCp), one, 0, int64(o.Amount))
				require.NoError(t, err)
				got := must(cm.HTLCSigHash(i, byCp))
				require.Equal(t, string(want), string(got[:]), "sighash of output %d differs from txscript's", i)
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
	_, err := ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 501})
	require.ErrorIs(t, err, ErrInvalidClosing, "fee above balance")
	_, err = ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r + 1, Fee: 1})
	require.ErrorIs(t, err, ErrInvalidClosing, "balances off")
	_, err = ch.LegacyClosingTx(LegacyClosing{LocalScript: nil, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 1})
	require.ErrorIs(t, err, ErrInvalidClosing, "empty script")
	_, err = ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 1, OmitLocal: true, OmitRemote: true})
	require.ErrorIs(t, err, ErrInvalidClosing, "no output")
	// The opener's output falls below the signer's dust limit once the fee is paid.
	dust := ch.party(Local).DustLimit
	l, r = bal((dust + 99).ToMilliSatoshi())
	tx, err := ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 100, Signer: Local})
	require.NoError(t, err)
	require.Len(t, tx.TxOut, 1, "dust output kept: %v", tx.TxOut)
	require.Equal(t, int64(1_000_000-dust-99), tx.TxOut[0].Value, "dust output kept: %v", tx.TxOut)
	// Rounding down: 1999 msat is 1 sat.
	l, r = bal(dust.ToMilliSatoshi() + 100_000_000 + 1999)
	tx = must(ch.LegacyClosingTx(LegacyClosing{LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r, Fee: 100_000, Signer: Local}))
	require.Equal(t, int64(dust)+1, tx.TxOut[0].Value, "opener output %d, want %d", tx.TxOut[0].Value, dust+1)
	_, err = ch.ClosingSigHash(spend(p.FundingOutpoint, 0, 0))
	require.NoError(t, err)
	other := p.FundingOutpoint
	other.Index++
	_, err = ch.ClosingSigHash(spend(other, 0, 0))
	require.ErrorIs(t, err, ErrInvalidClosing, "closing sighash of a foreign tx")
	_, err = ch.SimpleClosingTx(SimpleClosing{Closer: 5, LocalScript: pk, RemoteScript: pk2, LocalBalance: l, RemoteBalance: r})
	require.ErrorIs(t, err, ErrInvalidClosing, "bad closer")
}

func TestNamesAndNumbers(t *testing.T) {
	require.Equal(t, "option_static_remotekey", StaticRemoteKey.String(), "channel type names")
	require.Equal(t, "option_anchors_zero_fee_htlc_tx", AnchorsZeroFeeHTLC.String(), "channel type names")
	require.Equal(t, "channel_type(9)", ChannelType(9).String(), "channel type names")
	require.Equal(t, "local", Local.String(), "sides")
	require.Equal(t, "remote", Remote.String(), "sides")
	require.Equal(t, Remote, Local.Other(), "sides")
	require.Equal(t, Local, Remote.Other(), "sides")
	for k := ToLocalOutput; k <= ReceivedHTLCOutput; k++ {
		require.NotEqual(t, "", k.String(), "output kind %d", k)
		require.Equal(t, k >= OfferedHTLCOutput, k.IsHTLC(), "output kind %d", k)
	}
	require.Equal(t, "output_kind(0)", OutputKind(0).String(), "unknown output kind")
	rng := rand.New(rand.NewChaCha8([32]byte{'n'}))
	ch := randChannel(t, rng, StaticRemoteKey, 1_000_000).ch
	_, ok := ch.CommitmentNumber(0x21000000, 0x80000000)
	require.False(t, ok, "locktime without 0x20 accepted")
	_, ok = ch.CommitmentNumber(0x20000000, 0xFFFFFFFF)
	require.False(t, ok, "sequence without 0x80 accepted")
	require.Equal(t, StaticRemoteKey, ch.Type(), "accessors")
	require.Equal(t, int64(1_000_000), ch.FundingTxOut().Value, "accessors")
}
