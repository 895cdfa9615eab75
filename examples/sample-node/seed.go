package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lnkit/lnkit/keys"
)

// loadOrCreateSeed returns the node's seed from <dataDir>/keys_seed,
// creating the file (mode 0600, synced) with a fresh random seed on the
// first start. created reports that the seed is new.
func loadOrCreateSeed(dataDir string) (seed keys.Seed, created bool, err error) {
	path := filepath.Join(dataDir, seedFileName)
	seed, err = keys.ReadSeedFile(path)
	if err == nil {
		return seed, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return keys.Seed{}, false, fmt.Errorf("sample-node: %w", err)
	}
	seed = keys.GenerateSeed(keys.NewCryptoEntropy())
	if err := keys.WriteSeedFile(path, seed); err != nil {
		return keys.Seed{}, false, fmt.Errorf("sample-node: %w", err)
	}
	return seed, true, nil
}

// makeDataDir creates the data directory (owner-only) if it is missing.
func makeDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("sample-node: data directory: %w", err)
	}
	return nil
}
