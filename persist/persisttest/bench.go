package persisttest

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lnkit/lnkit/persist"
)

// benchKeys is how many keys the write benchmarks cycle through, and
// readKeys how many the read benchmark does.
const (
	benchKeys = 256
	readKeys  = 64
)

var benchNS = persist.Namespace{Primary: "bench", Secondary: "b"}

// Benchmark runs the standard KVStore benchmarks, so every store reports
// the same numbers: durable single writes (writes/s, p50 and p99 latency)
// of 200-byte and 20-KiB values, batches of 10 and 100 200-byte writes,
// reads of 200-byte values, writes/s with 1 and 32 concurrent writers (the
// gain of group commit), and the floor: one fdatasync of 4 KiB in a
// directory of b.TempDir, on this machine in the same run.
func Benchmark(b *testing.B, open func(b *testing.B) persist.KVStore) {
	b.Run("Floor/fdatasync-4KiB", benchFloor)
	for _, size := range []int{200, 20 << 10} {
		b.Run(fmt.Sprintf("Write/%s", sizeName(size)), func(b *testing.B) { benchWrite(b, open(b), size) })
	}
	for _, n := range []int{10, 100} {
		b.Run(fmt.Sprintf("Apply/ops=%d", n), func(b *testing.B) { benchApply(b, open(b), n) })
	}
	b.Run("Read/200B", func(b *testing.B) { benchRead(b, open(b)) })
	for _, w := range []int{1, 32} {
		b.Run(fmt.Sprintf("Concurrent/writers=%d", w), func(b *testing.B) { benchConcurrent(b, open(b), w) })
	}
}

func sizeName(n int) string {
	if n >= 1<<10 {
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// latencies collects per-operation times and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B, unit string) {
	b.Helper()
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(l[len(l)/2].Seconds()*1e6, "p50-µs")
	b.ReportMetric(l[len(l)*99/100].Seconds()*1e6, "p99-µs")
	b.ReportMetric(float64(len(l))/sum(l).Seconds(), unit+"/s")
}

func sum(l latencies) time.Duration {
	var total time.Duration
	for _, d := range l {
		total += d
	}
	return total
}

func benchWrite(b *testing.B, s persist.KVStore, size int) {
	defer s.Close()
	ctx := context.Background()
	v := value(1, size)
	lat := make(latencies, 0, b.N)
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		stamp(v, i)
		start := time.Now()
		if err := s.Write(ctx, benchNS, fmt.Sprintf("k%04d", i%benchKeys), v); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	lat.report(b, "writes")
}

func benchApply(b *testing.B, s persist.KVStore, n int) {
	defer s.Close()
	ctx := context.Background()
	v := value(2, 200)
	ops := make([]persist.Op, n)
	lat := make(latencies, 0, b.N)
	b.SetBytes(int64(n * 200))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		stamp(v, i)
		for j := range ops {
			ops[j] = persist.WriteOp(benchNS, fmt.Sprintf("k%04d", (i*n+j)%benchKeys), v)
		}
		start := time.Now()
		if err := s.Apply(ctx, ops); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	lat.report(b, "batches")
	b.ReportMetric(float64(n*len(lat))/sum(lat).Seconds(), "ops/s")
}

func benchRead(b *testing.B, s persist.KVStore) {
	defer s.Close()
	ctx := context.Background()
	// Single writes, not a batch: a store may keep a batch in memory for
	// a while, and this measures reading what it stored.
	for i := range readKeys {
		if err := s.Write(ctx, benchNS, fmt.Sprintf("k%04d", i), value(i, 200)); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Read(ctx, benchNS, fmt.Sprintf("k%04d", i%readKeys)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}

func benchConcurrent(b *testing.B, s persist.KVStore, writers int) {
	defer s.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := value(3, 200)
			for i := w; i < b.N; i += writers {
				stamp(v, i)
				if err := s.Write(ctx, benchNS, fmt.Sprintf("w%02d-k%03d", w, i/writers%benchKeys), v); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "writes/s")
}

// stamp writes i into the first bytes of v, so that no write repeats the
// value its key already holds: a store may skip such a write (SQLite does
// not even dirty the page), which would measure nothing.
func stamp(v []byte, i int) {
	binary.BigEndian.PutUint64(v, uint64(i))
}

// benchFloor measures the cheapest durable write there is: 4 KiB written
// over the start of an existing file, then fdatasync.
func benchFloor(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "floor"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := value(4, 4<<10)
	if _, err := f.Write(buf); err != nil {
		b.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	lat := make(latencies, 0, b.N)
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := f.WriteAt(buf, 0); err != nil {
			b.Fatal(err)
		}
		if err := fdatasync(f); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	lat.report(b, "syncs")
}
