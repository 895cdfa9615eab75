package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseConc(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"1,32", []int{1, 32}, true},
		{" 4 ", []int{4}, true},
		{"0", nil, false},
		{"1,,2", nil, false},
		{"x", nil, false},
		{"-3", nil, false},
	} {
		got, err := parseConc(tc.in)
		if !tc.ok {
			require.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestResultStats(t *testing.T) {
	lat := make([]time.Duration, 100)
	for i := range lat {
		lat[i] = time.Duration(i+1) * time.Millisecond
	}
	r := result{lat: lat, elapsed: 2 * time.Second}
	require.Equal(t, 50.0, r.rate())
	require.Equal(t, 50*time.Millisecond, r.quantile(0.50))
	require.Equal(t, 99*time.Millisecond, r.quantile(0.99))
	require.Equal(t, 100*time.Millisecond, r.quantile(1))
	require.Zero(t, result{}.quantile(0.5))
	require.Zero(t, result{}.rate())
}

func TestRunLoad(t *testing.T) {
	boom := errors.New("boom")
	res := runLoad(context.Background(), "fake", 40, 8, func(_ context.Context, i int) error {
		time.Sleep(time.Millisecond)
		if i%10 == 3 {
			return boom
		}
		return nil
	})
	require.Equal(t, 4, res.failed)
	require.Len(t, res.lat, 36)
	require.ErrorIs(t, res.firstEr, boom)
	require.IsNonDecreasing(t, res.lat)
	require.GreaterOrEqual(t, res.quantile(0.5), time.Millisecond)
}

func TestPrintTableRatios(t *testing.T) {
	var b bytes.Buffer
	printTable(&b, []result{
		{pair: pairLnkit, conc: 1, n: 2, lat: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}, elapsed: 20 * time.Millisecond},
		{pair: pairLnd, conc: 1, n: 2, lat: []time.Duration{50 * time.Millisecond, 50 * time.Millisecond}, elapsed: 100 * time.Millisecond},
	})
	require.Contains(t, b.String(), "concurrency 1: lnkit/lnd payments/s 5.00x, p50 lnd/lnkit 5.00x")
}

func TestRunner(t *testing.T) {
	root := t.TempDir()
	var log bytes.Buffer
	r := newRunner(root, &log)
	var order []int
	r.Cleanup(func() { order = append(order, 1) })
	r.Cleanup(func() { r.Fatalf("cleanup %d fails", 2) })
	r.Cleanup(func() { order = append(order, 3) })
	dir := r.TempDir()
	require.Equal(t, root, filepath.Dir(dir))
	err := r.do(func() error {
		r.Fatalf("stop %d", 7)
		return nil
	})
	require.EqualError(t, err, "stop 7")
	require.True(t, r.Failed())
	r.finish()
	require.Equal(t, []int{3, 1}, order)
	require.Contains(t, log.String(), "cleanup 2 fails")
	require.NoError(t, r.do(func() error { return nil }))
}

func TestFsyncProbe(t *testing.T) {
	p50, worst, err := fsyncProbe(t.TempDir())
	require.NoError(t, err)
	require.Positive(t, p50)
	require.GreaterOrEqual(t, worst, p50)
}

// TestBenchForward runs the command with three lnkit nodes and a few
// payments on a real btcd, and checks that every payment went through and
// that its temporary directory is removed.
func TestBenchForward(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd; run without -short")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	err := run(context.Background(), &out, options{
		n: 4, conc: []int{1, 2}, amountSat: 1000, capacitySat: 1_000_000, warmup: 1,
		forward: true, dir: dir, timeout: 5 * time.Minute,
	})
	require.NoError(t, err, out.String())
	table := out.String()
	require.Contains(t, table, pairForward+"        1      4      0")
	require.Contains(t, table, pairForward+"        2      4      0")
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, left, "temporary directory left behind")
	require.NotContains(t, table, "kept in")
}

// TestBenchLnd runs the command with both pairs (two lnkit nodes, two
// lnds driven over REST) and a few payments, and checks the table: every
// payment went through on both pairs and the ratios are printed.
func TestBenchLnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd and lnd; run without -short")
	}
	var out bytes.Buffer
	err := run(context.Background(), &out, options{
		n: 3, conc: []int{1, 2}, amountSat: 1000, capacitySat: 1_000_000, warmup: 1,
		dir: t.TempDir(), timeout: 5 * time.Minute,
	})
	require.NoError(t, err, out.String())
	table := out.String()
	for _, row := range []string{
		pairLnkit + "              1      3      0",
		pairLnkit + "              2      3      0",
		pairLnd + "                1      3      0",
		pairLnd + "                2      3      0",
		"concurrency 1: lnkit/lnd payments/s",
		"concurrency 2: lnkit/lnd payments/s",
	} {
		require.Contains(t, table, row)
	}
}
