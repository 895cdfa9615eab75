package wallet

import (
	"cmp"
	"slices"

	btcwire "github.com/btcsuite/btcd/wire"

	lnwire "github.com/lnkit/lnkit/wire"
)

// bnbMaxTries bounds the branch-and-bound search.
const bnbMaxTries = 100_000

// candidate is a coin offered to coin selection.
type candidate struct {
	OutPoint btcwire.OutPoint
	Value    int64
	Weight   int64 // weight of the input spending it
}

// selectRequest is a coin selection problem.
type selectRequest struct {
	// Target is what the inputs' effective values must cover: the outputs
	// plus the fee of the transaction without inputs or change (plus any
	// extra fee, minus value brought by fixed inputs).
	Target int64
	// Rate is the fee rate.
	Rate lnwire.FeeRate
	// ChangeWeight is the weight of the change output.
	ChangeWeight int64
	// ChangeSpendWeight is the weight of the input that will spend the
	// change later.
	ChangeSpendWeight int64
	// Dust is the smallest change output worth creating.
	Dust int64
	// ForceChange requires a change output (CPFP children).
	ForceChange bool
}

// selection is coin selection's answer.
type selection struct {
	Coins []candidate
	// Change is the change output's value; 0 means none.
	Change int64
	// Excess is the effective value above Target given to the fee when
	// there is no change.
	Excess int64
}

// effective is a coin's value minus the fee of spending it.
func effective(c candidate, rate lnwire.FeeRate) int64 {
	return c.Value - feeFor(rate, c.Weight)
}

// selectCoins picks coins for req: branch-and-bound for a change-less
// selection whose waste is at most the cost of change, else largest-first
// with change. It is deterministic. It returns the effective value
// available when the coins do not suffice.
func selectCoins(coins []candidate, req selectRequest) (selection, int64, bool) {
	pool := make([]candidate, 0, len(coins))
	var available int64
	for _, c := range coins {
		if effective(c, req.Rate) > 0 {
			pool = append(pool, c)
			available += effective(c, req.Rate)
		}
	}
	sortCandidates(pool, req.Rate)
	changeFee := feeFor(req.Rate, req.ChangeWeight)
	if !req.ForceChange {
		costOfChange := changeFee + feeFor(req.Rate, req.ChangeSpendWeight)
		if sel, ok := branchAndBound(pool, req.Rate, req.Target, costOfChange); ok {
			return sel, available, true
		}
	}
	// Largest first: enough for the target, the change output and a change
	// above dust; failing that (without ForceChange), enough for the
	// target alone, the excess going to the fee.
	needWithChange := req.Target + changeFee + req.Dust
	if needWithChange <= 0 {
		// Fixed inputs alone pay for everything (a sweep).
		return selection{Change: -req.Target - changeFee}, available, true
	}
	var sum int64
	for i, c := range pool {
		sum += effective(c, req.Rate)
		if sum >= needWithChange {
			return selection{Coins: pool[:i+1], Change: sum - req.Target - changeFee}, available, true
		}
	}
	if req.ForceChange || sum < req.Target {
		return selection{}, available, false
	}
	return selection{Coins: pool, Excess: sum - req.Target}, available, true
}

// selectReusing selects coins for req preferring reused, the coins of the
// transaction being replaced: from them alone when they suffice, else all
// of them (those worth spending at the rate) with more selected from
// others. A fee bump thus spends the coins it bumps rather than new ones,
// and any of them it does not need is released. Without reused it is
// selectCoins over others.
func selectReusing(reused, others []candidate, req selectRequest) (selection, int64, bool) {
	if len(reused) == 0 {
		return selectCoins(others, req)
	}
	if sel, available, ok := selectCoins(reused, req); ok {
		return sel, available, true
	}
	var kept []candidate
	var value int64
	for _, c := range reused {
		if effective(c, req.Rate) > 0 {
			kept = append(kept, c)
			value += effective(c, req.Rate)
		}
	}
	rest := req
	rest.Target -= value
	sel, available, ok := selectCoins(others, rest)
	if !ok {
		return selection{}, available + value, false
	}
	sel.Coins = append(kept, sel.Coins...)
	return sel, available + value, true
}

// branchAndBound searches, depth first over pool (sorted by effective value,
// largest first), for a subset whose effective value lies in [target,
// target+window]. It returns the first one found.
func branchAndBound(pool []candidate, rate lnwire.FeeRate, target, window int64) (selection, bool) {
	eff := make([]int64, len(pool))
	// remaining[i] is the effective value of pool[i:].
	remaining := make([]int64, len(pool)+1)
	for i := len(pool) - 1; i >= 0; i-- {
		eff[i] = effective(pool[i], rate)
		remaining[i] = remaining[i+1] + eff[i]
	}
	if remaining[0] < target {
		return selection{}, false
	}
	chosen := make([]bool, len(pool))
	tries := 0
	var found []int
	var sum int64
	var dfs func(i int) bool
	dfs = func(i int) bool {
		tries++
		if tries > bnbMaxTries {
			return false
		}
		if sum >= target {
			if sum <= target+window {
				for j, c := range chosen[:i] {
					if c {
						found = append(found, j)
					}
				}
				return true
			}
			return false // overshoot: backtrack
		}
		if i == len(pool) || sum+remaining[i] < target {
			return false
		}
		chosen[i] = true
		sum += eff[i]
		if dfs(i + 1) {
			return true
		}
		chosen[i] = false
		sum -= eff[i]
		// Skipping a coin equal to the one just skipped explores the same
		// sums again.
		j := i + 1
		for j < len(pool) && eff[j] == eff[i] {
			j++
		}
		return dfs(j)
	}
	if !dfs(0) {
		return selection{}, false
	}
	sel := selection{}
	var total int64
	for _, j := range found {
		sel.Coins = append(sel.Coins, pool[j])
		total += eff[j]
	}
	sel.Excess = total - target
	return sel, true
}

// sortCandidates orders coins by effective value, largest first, then by
// outpoint: the selection is deterministic.
func sortCandidates(pool []candidate, rate lnwire.FeeRate) {
	slices.SortFunc(pool, func(a, b candidate) int {
		if c := cmp.Compare(effective(b, rate), effective(a, rate)); c != 0 {
			return c
		}
		if c := slices.Compare(a.OutPoint.Hash[:], b.OutPoint.Hash[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.OutPoint.Index, b.OutPoint.Index)
	})
}
