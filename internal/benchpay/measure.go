package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// payFunc makes payment i (0..n-1) of a run and returns when it is final:
// nil when it succeeded.
type payFunc func(ctx context.Context, i int) error

// result is one run: n payments at a concurrency on one pair.
type result struct {
	pair    string
	conc    int
	n       int
	failed  int
	elapsed time.Duration
	lat     []time.Duration // of the successful payments, sorted
	firstEr error
	// retries counts the sends refused for want of room in the channel
	// and tried again (lnkit's; sendRetrying).
	retries int64
	// wire counts the commitment_signed messages and their HTLC
	// signatures all the pair's nodes received during the run (lnkit's):
	// how many commitment rounds and signatures a payment cost.
	wire wireCounts
}

// wireCounts counts commitment_signed messages and the HTLC signatures
// they carry.
type wireCounts struct {
	commitSigs, htlcSigs int64
}

// rate is successful payments per second of wall time.
func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(len(r.lat)) / r.elapsed.Seconds()
}

// quantile returns the q-quantile of the latencies (nearest rank).
func (r result) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(q*float64(len(r.lat))+0.5) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

// runLoad makes n payments with pay, conc at a time (each worker takes
// the next index as soon as its payment is final), and times each from
// the call to its final answer.
func runLoad(ctx context.Context, pair string, n, conc int, pay payFunc) result {
	var (
		next atomic.Int64
		mu   sync.Mutex
		wg   sync.WaitGroup
		res  = result{pair: pair, conc: conc, n: n, lat: make([]time.Duration, 0, n)}
	)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				err := pay(ctx, i)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					res.failed++
					if res.firstEr == nil {
						res.firstEr = err
					}
				} else {
					res.lat = append(res.lat, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.lat)
	return res
}

// ms formats d in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// printTable writes the runs and, for each concurrency with both an lnkit
// and an lnd run, the lnkit/lnd ratios.
func printTable(w io.Writer, runs []result) {
	fmt.Fprintf(w, "\n%-14s %5s %6s %6s %12s %10s %10s\n", "pair", "conc", "n", "failed", "payments/s", "p50", "p99")
	for _, r := range runs {
		fmt.Fprintf(w, "%-14s %5d %6d %6d %12.1f %10s %10s\n", r.pair, r.conc, r.n, r.failed, r.rate(), ms(r.quantile(0.50)), ms(r.quantile(0.99)))
	}
	for _, r := range runs {
		if r.retries > 0 {
			fmt.Fprintf(w, "%s at concurrency %d: %d sends found the channel full (max_accepted_htlcs or in-flight maximum) and were tried again %s later; the waits count in the latency\n",
				r.pair, r.conc, r.retries, sendRetryWait)
		}
		if r.wire.commitSigs > 0 && r.n > 0 {
			fmt.Fprintf(w, "%s at concurrency %d: %.2f commitment_signed and %.1f HTLC signatures per payment (%.1f per commitment_signed)\n",
				r.pair, r.conc, float64(r.wire.commitSigs)/float64(r.n), float64(r.wire.htlcSigs)/float64(r.n),
				float64(r.wire.htlcSigs)/float64(r.wire.commitSigs))
		}
		if r.firstEr != nil {
			fmt.Fprintf(w, "first failure of %s at concurrency %d: %v\n", r.pair, r.conc, r.firstEr)
		}
	}
	var ratios []string
	for _, a := range runs {
		if a.pair != pairLnkit {
			continue
		}
		for _, b := range runs {
			if b.pair != pairLnd || b.conc != a.conc || b.rate() == 0 || a.quantile(0.5) == 0 {
				continue
			}
			ratios = append(ratios, fmt.Sprintf("concurrency %d: lnkit/lnd payments/s %.2fx, p50 lnd/lnkit %.2fx",
				a.conc, a.rate()/b.rate(), float64(b.quantile(0.5))/float64(a.quantile(0.5))))
		}
	}
	if len(ratios) > 0 {
		fmt.Fprintln(w)
		for _, s := range ratios {
			fmt.Fprintln(w, s)
		}
	}
}
