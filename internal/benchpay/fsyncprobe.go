package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// fsyncProbes is how many writes fsyncProbe times.
const fsyncProbes = 20

// fsyncProbe times fsyncProbes writes of 4 KiB, each followed by fsync,
// to a file in dir, and returns the median and the slowest: what one
// durable step of the store costs on this disk now.
func fsyncProbe(dir string) (p50, worst time.Duration, err error) {
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return 0, 0, fmt.Errorf("benchpay: fsync probe: %w", err)
	}
	defer os.Remove(filepath.Clean(f.Name()))
	defer f.Close()
	buf := make([]byte, 4096)
	lat := make([]time.Duration, 0, fsyncProbes)
	for range fsyncProbes {
		t0 := time.Now()
		if _, err := f.Write(buf); err != nil {
			return 0, 0, fmt.Errorf("benchpay: fsync probe: %w", err)
		}
		if err := f.Sync(); err != nil {
			return 0, 0, fmt.Errorf("benchpay: fsync probe: %w", err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[len(lat)-1], nil
}
