package channel

import (
	"testing"

	"github.com/lnkit/lnkit/channel/commit"
)

// BenchmarkUpdateLogPayment runs one payment through two logs: add,
// commitment_signed and revoke_and_ack both ways, fulfill, and the same
// again for the removal, with the next commitments computed each time.
func BenchmarkUpdateLogPayment(b *testing.B) {
	d := newLogDriver(commit.AnchorsZeroFeeHTLC, 500_000_000)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		payer := i % 2 // alternate, so the balances never run out
		next := d.logs[payer].nextID[commit.Local]
		must(d.step(payer, 0, uint64(2_000_000+i%1000)*2))
		if d.logs[payer].nextID[commit.Local] != next+1 {
			b.Fatal("add refused")
		}
		must(d.quiesce())
		must(d.step(1-payer, 1, 0))
		must(d.quiesce())
		n++
	}
	if len(d.logs[0].htlcs) != 0 {
		b.Fatalf("%d htlcs left after %d payments", len(d.logs[0].htlcs), n)
	}
}
