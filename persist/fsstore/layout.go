package fsstore

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lnkit/lnkit/persist"
)

// Names in the root directory and the prefixes and suffixes that keep
// directories and temporary files apart from keys (which have no '.').
const (
	lockName    = "LOCK"
	walDir      = "wal"
	dataDir     = "data"
	packsDir    = "packs"
	primaryPfx  = "p."
	secondPfx   = "s."
	tmpSuffix   = ".tmp"
	batchSuffix = ".batch"
	logSuffix   = ".log"
	packSuffix  = ".pack"
)

// layout maps namespaces and keys to paths under a root.
type layout struct {
	root string
}

func (l layout) lock() string  { return filepath.Join(l.root, lockName) }
func (l layout) wal() string   { return filepath.Join(l.root, walDir) }
func (l layout) data() string  { return filepath.Join(l.root, dataDir) }
func (l layout) packs() string { return filepath.Join(l.root, packsDir) }

// packName is the file name of the pack covering base to top.
func packName(base, top uint64) string {
	return fmt.Sprintf("%016x-%016x%s", base, top, packSuffix)
}

// parsePackName returns the range a pack's file name gives, or false for
// a name packName does not make.
func parsePackName(name string) (base, top uint64, ok bool) {
	rest, ok := strings.CutSuffix(name, packSuffix)
	if !ok || len(rest) != 33 || rest[16] != '-' {
		return 0, 0, false
	}
	base, err1 := strconv.ParseUint(rest[:16], 16, 64)
	top, err2 := strconv.ParseUint(rest[17:], 16, 64)
	if err1 != nil || err2 != nil || base == 0 || base > top || packName(base, top) != name {
		return 0, 0, false
	}
	return base, top, true
}

// primaryDir is the directory of ns.Primary.
func (l layout) primaryDir(ns persist.Namespace) string {
	return filepath.Join(l.root, dataDir, primaryPfx+fileName(ns.Primary))
}

// nsDir is the directory holding the keys of ns.
func (l layout) nsDir(ns persist.Namespace) string {
	return filepath.Join(l.primaryDir(ns), secondPfx+fileName(ns.Secondary))
}

// keyPath is the value file of key in ns.
func (l layout) keyPath(ns persist.Namespace, key string) string {
	return filepath.Join(l.nsDir(ns), fileName(key))
}

// caseMark precedes an upper-case letter, written in lower case, in a file
// name: names stay distinct on case-insensitive file systems (macOS,
// Windows), where "Key" and "key" would otherwise be one file.
const caseMark = '^'

// fileName maps a valid name to its file name: each upper-case letter X
// becomes "^x". At most 2*persist.MaxNameLen bytes.
func fileName(name string) string {
	if strings.IndexFunc(name, isUpper) < 0 {
		return name
	}
	var b strings.Builder
	b.Grow(2 * len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			b.WriteByte(caseMark)
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }

// keyName maps a file name back to the key it holds, reporting false for
// anything fileName does not produce (temporary files, foreign files).
func keyName(file string) (string, bool) {
	if strings.IndexByte(file, caseMark) < 0 {
		return file, persist.ValidateKey(persist.Namespace{}, file) == nil
	}
	var b strings.Builder
	b.Grow(len(file))
	for i := 0; i < len(file); i++ {
		c := file[i]
		if c == caseMark {
			if i+1 == len(file) || file[i+1] < 'a' || file[i+1] > 'z' {
				return "", false
			}
			i++
			c = file[i] - ('a' - 'A')
		}
		b.WriteByte(c)
	}
	key := b.String()
	return key, persist.ValidateKey(persist.Namespace{}, key) == nil
}
