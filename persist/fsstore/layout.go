package fsstore

import (
	"path/filepath"
	"strings"

	"github.com/lnkit/lnkit/persist"
)

// Names in the root directory and the prefixes and suffixes that keep
// directories and temporary files apart from keys (which have no '.').
const (
	lockName    = "LOCK"
	walDir      = "wal"
	dataDir     = "data"
	primaryPfx  = "p."
	secondPfx   = "s."
	tmpSuffix   = ".tmp"
	batchSuffix = ".batch"
)

// layout maps namespaces and keys to paths under a root.
type layout struct {
	root string
}

func (l layout) lock() string { return filepath.Join(l.root, lockName) }
func (l layout) wal() string  { return filepath.Join(l.root, walDir) }
func (l layout) data() string { return filepath.Join(l.root, dataDir) }

// primaryDir is the directory of ns.Primary.
func (l layout) primaryDir(ns persist.Namespace) string {
	return filepath.Join(l.root, dataDir, primaryPfx+ns.Primary)
}

// nsDir is the directory holding the keys of ns.
func (l layout) nsDir(ns persist.Namespace) string {
	return filepath.Join(l.primaryDir(ns), secondPfx+ns.Secondary)
}

// keyPath is the value file of key in ns.
func (l layout) keyPath(ns persist.Namespace, key string) string {
	return filepath.Join(l.nsDir(ns), key)
}

// isKeyName reports whether a directory entry's name can be a key (not a
// temporary file, nor anything foreign with a dot).
func isKeyName(name string) bool {
	return !strings.Contains(name, ".") && persist.ValidateKey(persist.Namespace{}, name) == nil
}
