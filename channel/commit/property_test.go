package commit

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// randHTLCs makes up to nLocal HTLCs offered by local and nRemote by
// remote, spread over budget msat, with amounts around the trimming
// threshold as well as large ones.
func randHTLCs(rng *rand.Rand, nLocal, nRemote int, budget uint64) ([]HTLC, uint64) {
	var htlcs []HTLC
	var used uint64
	for i := range nLocal + nRemote {
		offerer := Local
		if i >= nLocal {
			offerer = Remote
		}
		var amt uint64
		switch rng.UintN(4) {
		case 0:
			amt = rng.Uint64N(2_000_000) // mostly dust
		case 1:
			amt = 300_000 + rng.Uint64N(30_000_000) // around the threshold at high rates
		default:
			amt = 1 + rng.Uint64N(budget/uint64(nLocal+nRemote+1)+1)
		}
		if used+amt > budget {
			break
		}
		used += amt
		var h wire.PaymentHash
		h[0], h[1] = byte(i), byte(i>>8)
		if rng.UintN(8) == 0 && len(htlcs) > 0 {
			h = htlcs[rng.IntN(len(htlcs))].PaymentHash // shared hashes
		}
		htlcs = append(htlcs, HTLC{
			ID: uint64(i), Offerer: offerer, Amount: wire.MilliSatoshi(amt), PaymentHash: h,
			CLTVExpiry: uint32(rng.UintN(3)) + 700_000, // frequent cltv ties
		})
	}
	return htlcs, used
}

// TestCommitmentProperties checks, over random HTLC sets (up to 483 each
// way) and fee rates, that every msat of the funding output is either in an
// output or in the fee exactly as BOLT 3 says (trimmed HTLCs, dust and
// sub-satoshi remainders go to the fee), that the trimming rules hold, and
// that the outputs are in BIP69+CLTV order.
func TestCommitmentProperties(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'p', 'r', 'o', 'p'}))
	iterations := 150
	if testing.Short() {
		iterations = 30
	}
	pcp := randPriv(rng).PubKey()
	var built, shortfalls, anchorErrors, maxHTLCs int
	defer func() {
		t.Logf("%d commitments (%d with a fee shortfall, %d refused), up to %d htlc outputs", built, shortfalls, anchorErrors, maxHTLCs)
		require.NotEqual(t, 0, shortfalls, "the random states do not cover shortfalls or large htlc sets")
		require.GreaterOrEqual(t, maxHTLCs, 400, "the random states do not cover shortfalls or large htlc sets")
	}()
	for it := range iterations {
		typ := StaticRemoteKey
		if it%2 == 1 {
			typ = AnchorsZeroFeeHTLC
		}
		capacity := wire.Satoshi(100_000 + rng.Uint64N(uint64(MaxCapacity)/1000))
		if it%5 == 0 {
			capacity = MaxCapacity
		}
		tc := randChannel(t, rng, typ, capacity)
		ch := tc.ch
		capMsat := uint64(capacity) * 1000

		nLocal, nRemote := int(rng.UintN(MaxHTLCsPerDirection+1)), int(rng.UintN(MaxHTLCsPerDirection+1))
		if it%7 == 0 {
			nLocal, nRemote = MaxHTLCsPerDirection, MaxHTLCsPerDirection
		}
		htlcs, used := randHTLCs(rng, nLocal, nRemote, capMsat/2)
		rate := wire.FeeRate(rng.Uint32N(50_000))
		if it%11 == 0 {
			rate = wire.FeeRate(rng.Uint32()) // absurd rates: shortfall
		}
		localBal := rng.Uint64N(capMsat - used + 1)
		if it%11 == 0 {
			// An opener left with almost nothing cannot pay an absurd
			// fee: a shortfall in every run, also under -short.
			localBal = min(localBal, 1000)
			if ch.Params().Opener == Remote {
				localBal = capMsat - used - localBal
			}
		}
		st := &State{
			Number: rng.Uint64N(MaxCommitmentNumber + 1), PerCommitmentPoint: pcp, FeeRate: rate, HTLCs: htlcs,
			LocalBalance: wire.MilliSatoshi(localBal), RemoteBalance: wire.MilliSatoshi(capMsat - used - localBal),
		}
		for _, owner := range []Side{Local, Remote} {
			cm, err := ch.Build(owner, st)
			if err != nil {
				if errors.Is(err, ErrInvalidState) && typ.HasAnchors() {
					anchorErrors++
					continue // opener cannot pay for the anchors
				}
				require.NoError(t, err, "iteration %d", it)
			}
			checkProperties(t, ch, owner, st, cm)
			built++
			shortfalls += b2i(cm.Outline.Shortfall > 0)
			maxHTLCs = max(maxHTLCs, len(cm.HTLCOutputs))
		}
	}
}

func checkProperties(t *testing.T, ch *Channel, owner Side, st *State, cm *Commitment) {
	t.Helper()
	p := ch.Params()
	typ := p.Type
	dust := ch.party(owner).DustLimit

	// Independent trimming and fee arithmetic.
	timeoutFee, successFee := uint64(st.FeeRate)*663/1000, uint64(st.FeeRate)*703/1000
	baseWeight := uint64(724)
	if typ.HasAnchors() {
		timeoutFee, successFee, baseWeight = 0, 0, 1124
	}
	var untrimmed int
	var trimmedMsat, remainderMsat uint64
	wantPresent := map[int]bool{}
	for i, h := range st.HTLCs {
		fee := successFee
		if h.Offerer == owner {
			fee = timeoutFee
		}
		sat := uint64(h.Amount) / 1000
		if sat >= uint64(dust)+fee {
			untrimmed++
			wantPresent[i] = true
			remainderMsat += uint64(h.Amount) % 1000
		} else {
			trimmedMsat += uint64(h.Amount)
		}
	}
	baseFee := uint64(st.FeeRate) * (baseWeight + 172*uint64(untrimmed)) / 1000
	require.Equal(t, baseFee, uint64(cm.Outline.BaseFee), "base fee %d untrimmed %d, want %d %d", cm.Outline.BaseFee, cm.Outline.Untrimmed, baseFee, untrimmed)
	require.Equal(t, untrimmed, cm.Outline.Untrimmed, "base fee %d untrimmed %d, want %d %d", cm.Outline.BaseFee, cm.Outline.Untrimmed, baseFee, untrimmed)
	toLocal, toRemote := uint64(st.LocalBalance), uint64(st.RemoteBalance)
	if owner == Remote {
		toLocal, toRemote = toRemote, toLocal
	}
	anchorCost := uint64(0)
	if typ.HasAnchors() {
		anchorCost = 660_000
	}
	opener := &toLocal
	if p.Opener != owner {
		opener = &toRemote
	}
	paid := min(*opener, baseFee*1000+anchorCost)
	*opener -= paid

	var kept, dropped uint64
	hasLocal, hasRemote := toLocal/1000 >= uint64(dust), toRemote/1000 >= uint64(dust)
	for _, b := range []struct {
		msat uint64
		has  bool
	}{{toLocal, hasLocal}, {toRemote, hasRemote}} {
		if b.has {
			kept += b.msat / 1000 * 1000
			remainderMsat += b.msat % 1000
		} else {
			dropped += b.msat
		}
	}
	nAnchors := uint64(0)
	if typ.HasAnchors() {
		nAnchors = uint64(b2i(hasLocal || untrimmed > 0) + b2i(hasRemote || untrimmed > 0))
	}

	// Every msat is accounted for: outputs + fee = funding amount, and
	// fee = what the opener paid - anchors present + trimmed HTLCs + dust
	// balances + sub-satoshi remainders.
	var outSum uint64
	for _, o := range cm.Tx.TxOut {
		require.GreaterOrEqual(t, o.Value, int64(0), "negative output")
		outSum += uint64(o.Value)
	}
	require.Equal(t, uint64(p.Capacity), outSum+uint64(cm.Fee), "outputs %d + fee %d != capacity %d", outSum, cm.Fee, p.Capacity)
	wantFeeMsat := paid - nAnchors*330_000 + trimmedMsat + dropped + remainderMsat
	require.Equal(t, wantFeeMsat, uint64(cm.Fee)*1000, "fee %d sat, want %d msat", cm.Fee, wantFeeMsat)

	// Trimming: exactly the right outputs exist.
	require.Len(t, cm.HTLCOutputs, untrimmed, "%d htlc outputs, %d trimmed; want %d untrimmed", len(cm.HTLCOutputs), len(cm.Trimmed), untrimmed)
	require.Len(t, cm.Trimmed, len(st.HTLCs)-untrimmed, "%d htlc outputs, %d trimmed; want %d untrimmed", len(cm.HTLCOutputs), len(cm.Trimmed), untrimmed)
	count := map[OutputKind]int{}
	seenHTLC := map[int]bool{}
	for i, o := range cm.Outputs {
		count[o.Kind]++
		require.Equal(t, int64(o.Amount), cm.Tx.TxOut[i].Value, "output %d does not match its description", i)
		require.Equal(t, o.PkScript, cm.Tx.TxOut[i].PkScript, "output %d does not match its description", i)
		isAnchor := o.Kind == LocalAnchorOutput || o.Kind == RemoteAnchorOutput
		require.False(t, o.Amount < dust && !isAnchor, "output %d (%v) below the dust limit", i, o.Kind)
		if o.Kind.IsHTLC() {
			h := st.HTLCs[o.HTLCIndex]
			require.True(t, wantPresent[o.HTLCIndex], "output %d maps to the wrong htlc", i)
			require.False(t, seenHTLC[o.HTLCIndex], "output %d maps to the wrong htlc", i)
			require.Equal(t, o.HTLC, h, "output %d maps to the wrong htlc", i)
			require.Equal(t, h.Amount.ToSatoshi(), o.Amount, "output %d maps to the wrong htlc", i)
			seenHTLC[o.HTLCIndex] = true
			var script []byte
			require.Equal(t, h.Offerer == owner, o.Kind == OfferedHTLCOutput, "output %d has the wrong direction", i)
			if o.Kind == OfferedHTLCOutput {
				script = OfferedHTLCScript(cm.Keys.Revocation, cm.Keys.LocalHTLC, cm.Keys.RemoteHTLC, h.PaymentHash, typ.HasAnchors())
			} else {
				script = ReceivedHTLCScript(cm.Keys.Revocation, cm.Keys.LocalHTLC, cm.Keys.RemoteHTLC, h.PaymentHash, h.CLTVExpiry, typ.HasAnchors())
			}
			require.Equal(t, o.WitnessScript, script, "output %d has the wrong script", i)
			require.Equal(t, o.PkScript, P2WSH(script), "output %d has the wrong script", i)
		}
		if i > 0 {
			prev := cm.Outputs[i-1]
			switch {
			case prev.Amount < o.Amount:
			case prev.Amount > o.Amount:
				require.Failf(t, "outputs out of value order", "outputs %d and %d", i-1, i)
			default:
				c := bytes.Compare(prev.PkScript, o.PkScript)
				require.False(t, c > 0 || (c == 0 && prev.HTLC.CLTVExpiry > o.HTLC.CLTVExpiry), "outputs %d and %d out of BIP69+CLTV order", i-1, i)
			}
		}
	}
	require.Equal(t, b2i(hasLocal), count[ToLocalOutput], "balance outputs %v, want local %v remote %v", count, hasLocal, hasRemote)
	require.Equal(t, b2i(hasRemote), count[ToRemoteOutput], "balance outputs %v, want local %v remote %v", count, hasLocal, hasRemote)
	if typ.HasAnchors() {
		require.Equal(t, b2i(hasLocal || untrimmed > 0), count[LocalAnchorOutput], "anchors %v", count)
		require.Equal(t, b2i(hasRemote || untrimmed > 0), count[RemoteAnchorOutput], "anchors %v", count)
	} else if count[LocalAnchorOutput]+count[RemoteAnchorOutput] != 0 {
		require.Fail(t, "anchors without option_anchors")
	}

	// The obscured commitment number round-trips.
	n, ok := ch.CommitmentNumber(cm.Tx.LockTime, cm.Tx.TxIn[0].Sequence)
	require.True(t, ok, "commitment number %d, want %d", n, st.Number)
	require.Equal(t, st.Number, n, "commitment number %d, want %d", n, st.Number)

	// With a realistic output count the real weight (73-byte signatures
	// at most) stays within the expected weight of Appendix A.
	if len(cm.Tx.TxOut) < 253 && cm.Outline.HasToLocal && cm.Outline.HasToRemote {
		// r with its top bit set needs a padding byte in DER; s is low-S.
		var maxSig wire.Signature
		maxSig[0], maxSig[31], maxSig[32], maxSig[63] = 0x80, 1, 0x7f, 1
		signed, err := cm.SignedTx(maxSig, maxSig)
		require.NoError(t, err)
		der, _ := maxSig.DER()
		require.Len(t, der, 71, "test signature is %d bytes", len(der))
		weight := uint64(signed.SerializeSizeStripped()*3 + signed.SerializeSize())
		want := CommitmentWeight(typ, untrimmed)
		require.LessOrEqual(t, weight, want, "weight %d above the expected %d", weight, want)
	}
}
