package commit

import (
	"sync"
	"sync/atomic"
)

// Parallel runs f(0), …, f(n-1) and returns once every call has returned;
// it may run them at once, on other goroutines. The HTLC signatures of one
// commitment are made and checked through it (SignAsCounterpartyWith,
// VerifyCounterpartyWith): each call touches only its own index, so the
// outcome is the same as one after the other. A nil Parallel runs them in
// order on the caller's goroutine.
type Parallel func(n int, f func(i int))

// Workers returns a Parallel that runs the calls on up to n goroutines
// (the caller's and n-1 more, started per run), n at least 1: for n set to
// the number of CPUs, a commitment with many HTLCs is signed and checked
// in a fraction of the time. The Signer given with it must be safe for
// concurrent use (keys.InMemorySigner is).
func Workers(n int) Parallel {
	n = max(n, 1)
	return func(count int, f func(i int)) {
		var next atomic.Int64
		work := func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= count {
					return
				}
				f(i)
			}
		}
		var wg sync.WaitGroup
		for range min(n, count) - 1 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				work()
			}()
		}
		work()
		wg.Wait()
	}
}

// parallelMin is the fewest HTLC signatures worth spreading: below it the
// goroutines cost more than they save.
const parallelMin = 4

// eachHTLC runs f for every index below n and returns the error of the
// lowest index that failed. Through p (when set and n is worth it) the
// calls run at once, each with a scratch of its own; else one after the
// other with one scratch, stopping at the first error.
func (p Parallel) eachHTLC(n int, f func(j int, s *htlcTxScratch) error) error {
	if p == nil || n < parallelMin {
		var scratch htlcTxScratch
		for j := range n {
			if err := f(j, &scratch); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	p(n, func(j int) {
		var scratch htlcTxScratch
		errs[j] = f(j, &scratch)
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
