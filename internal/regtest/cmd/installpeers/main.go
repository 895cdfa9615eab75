// Command installpeers builds the pinned btcd, btcctl, lnd, lncli and
// lnd-fastfee that lnkit's regtest tests run against, into
// ${XDG_CACHE_HOME:-$HOME/.cache}/lnkit/peers (see package regtest). It is
// what `make peers` runs; running it again when everything is cached only
// prints the paths.
//
// Usage:
//
//	go run ./internal/regtest/cmd/installpeers [-cachedir DIR] [-v] [-timeout 30m]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/lnkit/lnkit/internal/regtest"
)

func main() {
	cacheDir := flag.String("cachedir", "", "install under this directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/lnkit/peers)")
	verbose := flag.Bool("v", false, "show the go tool's output while building")
	timeout := flag.Duration("timeout", 30*time.Minute, "give up after this long")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	cfg := regtest.InstallConfig{CacheDir: *cacheDir, Log: os.Stderr}
	if *verbose {
		cfg.GoOutput = os.Stderr
	} else {
		cfg.GoOutput = io.Discard
	}
	start := time.Now()
	paths, err := regtest.Install(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("btcd        %s\nbtcctl      %s\nlnd         %s\nlncli       %s\nlnd-fastfee %s\n",
		paths.Btcd, paths.Btcctl, paths.Lnd, paths.Lncli, paths.LndFastFee)
	fmt.Fprintf(os.Stderr, "installpeers: done in %s\n", time.Since(start).Round(time.Millisecond))
}
