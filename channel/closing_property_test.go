package channel

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// closingRandomFees draws a range within [0, limit] and an ideal in it.
func closingRandomFees(rng *rand.Rand, limit uint64) closingFees {
	a, b := rng.Uint64N(limit+1), rng.Uint64N(limit+1)
	lo, hi := min(a, b), max(a, b)
	ideal := lo + rng.Uint64N(hi-lo+1)
	return closingFeesOf(wire.Satoshi(lo), wire.Satoshi(ideal), wire.Satoshi(hi))
}

// TestClosingConvergence negotiates random ranges in every mix of
// fee_range use: overlapping ranges always end in agreement on a fee in
// both (in at most three messages when both send fee_range), with both
// sides holding the same valid transaction; disjoint ranges always fail
// with a rule of closing_signed.
func TestClosingConvergence(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'c', 'o', 'n', 'v'}))
	const runs = 200
	agreed := 0
	for i := range runs {
		s := closingDefault()
		// Narrow ranges often, to make disjoint ones common.
		limit := uint64(5000)
		if i%2 == 1 {
			limit = 600_000
		}
		s.opener.fees, s.fundee.fees = closingRandomFees(rng, limit), closingRandomFees(rng, limit)
		s.opener.sendRange, s.fundee.sendRange = rng.IntN(2) == 0, rng.IntN(2) == 0
		opener, fundee := newClosingPair(t, s)
		fees, err := closingExchange(t, opener, fundee)

		ro, rf := s.opener.fees.feeRange, s.fundee.fees.feeRange
		lo, hi := max(ro.MinFee, rf.MinFee), min(ro.MaxFee, rf.MaxFee)
		if lo > hi {
			require.ErrorIs(t, err, ErrRuleViolated, "run %d: disjoint %v %v: %v", i, ro, rf, fees)
			require.True(t, closingRuleIsAny(err, RuleClosingSignedFee, RuleClosingSignedFeeRange), "run %d: %v", i, err)
			require.Nil(t, opener.agreedTx())
			continue
		}
		require.NoError(t, err, "run %d: overlapping %v %v: %v", i, ro, rf, fees)
		fee := fees[len(fees)-1]
		require.True(t, lo <= fee && fee <= hi, "run %d: agreed %d outside the overlap [%d, %d]", i, fee, lo, hi)
		if s.opener.sendRange && s.fundee.sendRange {
			require.LessOrEqual(t, len(fees), 3, "run %d: %v", i, fees)
		}
		txA, txB := opener.agreedTx(), fundee.agreedTx()
		require.NotNil(t, txA)
		require.NotNil(t, txB)
		require.Equal(t, txA.TxHash(), txB.TxHash())
		require.Equal(t, fee, closingTxFee(opener.p.channel, txA))
		requireClosingValid(t, opener.p.channel, txA)
		agreed++
	}
	t.Logf("%d of %d runs agreed", agreed, runs)
}

// closingRuleIsAny reports whether err is a *RuleError of one of rules.
func closingRuleIsAny(err error, rules ...Rule) bool {
	var e *RuleError
	if !errors.As(err, &e) {
		return false
	}
	return slices.Contains(rules, e.Rule)
}
