package fsstore_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
)

// Errors of crashFS.
var (
	errCrashed = errors.New("crashfs: crashed")
	errIO      = errors.New("crashfs: injected i/o error")
)

// crashMode is what survives a crash of a crashFS.
type crashMode int

const (
	// loseUnsynced keeps only fsynced data and fsynced directory entries:
	// a power loss.
	loseUnsynced crashMode = iota
	// keepAll keeps everything: the process died, the kernel did not.
	keepAll
	// metadataOnly keeps every directory change but only fsynced file data:
	// a file system that orders metadata but not data.
	metadataOnly
	// tornData keeps every directory change and, of each file, its
	// synced data overwritten by a random prefix of its unsynced writes
	// (the file's data from its first change on, cut at a random point).
	tornData
	// tornSectors keeps every directory change and, of each file, each
	// 512-byte sector of its unsynced data or the synced one, at random:
	// a disk writing back out of order.
	tornSectors
	// reorderDirs keeps each directory change made since the directory's
	// last fsync, or not, at random, and only fsynced file data: a file
	// system persisting directory operations in any order.
	reorderDirs
)

var crashModes = []struct {
	name string
	mode crashMode
}{{"lose-unsynced", loseUnsynced}, {"keep-all", keepAll}, {"metadata-only", metadataOnly}, {"torn-data", tornData}, {"torn-sectors", tornSectors}, {"reorder-dirs", reorderDirs}}

// memNode is a file or a directory, with its volatile and durable state.
type memNode struct {
	dir           bool
	data, synced  []byte
	entries       map[string]*memNode
	syncedEntries map[string]*memNode
}

func newDir() *memNode {
	return &memNode{dir: true, entries: map[string]*memNode{}, syncedEntries: map[string]*memNode{}}
}

// crashFS is an in-memory fsstore.FS that models what fsync makes durable,
// counts its calls, and can crash (every call from then on fails and
// changes nothing) or fail one call with an I/O error.
type crashFS struct {
	mu      sync.Mutex
	root    *memNode
	calls   int
	crashAt int // the call that crashes, 0 for none
	failAt  int // the call that fails with errIO, 0 for none
	crashed bool
	locked  map[string]bool
}

var _ fsstore.FS = (*crashFS)(nil)

func newCrashFS() *crashFS { return &crashFS{root: newDir(), locked: map[string]bool{}} }

// crashAfter makes the n-th call from now crash, not performed.
func (c *crashFS) crashAfter(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.crashAt = c.calls + n
}

// failAfter makes the n-th call from now fail with errIO, not performed;
// n < 0 cancels it.
func (c *crashFS) failAfter(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failAt = 0
	if n >= 0 {
		c.failAt = c.calls + n
	}
}

func (c *crashFS) didCrash() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.crashed
}

// afterCrash returns a new crashFS holding what survives a crash now in
// mode, all of it durable.
func (c *crashFS) afterCrash(mode crashMode, rng *rand.Rand) *crashFS {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := newCrashFS()
	out.root = rebuild(c.root, mode, rng)
	return out
}

// fingerprint is a hash of the files and directories of c (their current
// contents), the same for the same tree.
func (c *crashFS) fingerprint() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := sha256.New()
	var walk func(name string, n *memNode)
	walk = func(name string, n *memNode) {
		if !n.dir {
			fmt.Fprintf(h, "f %q %d\n", name, len(n.data))
			h.Write(n.data)
			return
		}
		fmt.Fprintf(h, "d %q\n", name)
		for _, child := range sortedNames(n.entries, nil) {
			walk(name+"/"+child, n.entries[child])
		}
	}
	walk("", c.root)
	return hex.EncodeToString(h.Sum(nil))
}

func rebuild(n *memNode, mode crashMode, rng *rand.Rand) *memNode {
	if !n.dir {
		var content []byte
		switch mode {
		case keepAll:
			content = n.data
		case tornData:
			content = tornPrefix(n.data, n.synced, rng)
		case tornSectors:
			content = tornBySector(n.data, n.synced, rng)
		default: // loseUnsynced, metadataOnly, reorderDirs
			content = n.synced
		}
		c := append([]byte{}, content...)
		return &memNode{data: c, synced: append([]byte{}, c...)}
	}
	entries := n.entries
	switch mode {
	case loseUnsynced:
		entries = n.syncedEntries
	case reorderDirs:
		entries = map[string]*memNode{}
		for _, name := range sortedNames(n.entries, n.syncedEntries) {
			now, ok := n.entries[name]
			if n.syncedEntries[name] != now && rng.IntN(2) == 0 {
				now, ok = n.syncedEntries[name]
			}
			if ok {
				entries[name] = now
			}
		}
	}
	out := newDir()
	for name, child := range entries {
		r := rebuild(child, mode, rng)
		out.entries[name] = r
		out.syncedEntries[name] = r
	}
	return out
}

// sortedNames is the names of a and b, sorted (a deterministic order for
// the random choices).
func sortedNames(a, b map[string]*memNode) []string {
	var names []string
	for name := range a {
		names = append(names, name)
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// tornPrefix is synced overwritten by data from the first byte where they
// differ up to a random point (a file cut there if data grew it).
func tornPrefix(data, synced []byte, rng *rand.Rand) []byte {
	d := 0
	for n := min(len(data), len(synced)); d < n; d += 512 {
		if e := min(d+512, n); string(data[d:e]) != string(synced[d:e]) {
			for data[d] == synced[d] {
				d++
			}
			break
		}
	}
	d = min(d, len(data), len(synced))
	if d == len(data) && len(data) == len(synced) {
		return data
	}
	k := d + rng.IntN(len(data)-d+1)
	out := append([]byte{}, data[:k]...)
	if len(synced) > k && len(data) == len(synced) {
		out = append(out, synced[k:]...)
	}
	return out
}

// tornBySector takes each 512-byte sector from data or synced at random,
// of the length of data (a missing synced sector reads as zeros).
func tornBySector(data, synced []byte, rng *rand.Rand) []byte {
	out := append([]byte{}, data...)
	for off := 0; off < len(out); off += 512 {
		end := min(off+512, len(out))
		if rng.IntN(2) == 0 {
			continue
		}
		n := copy(out[off:end], synced[min(off, len(synced)):min(end, len(synced))])
		clear(out[off+n : end])
	}
	return out
}

// step counts a call and reports whether it may go ahead. c.mu is held.
func (c *crashFS) step() error {
	if c.crashed {
		return errCrashed
	}
	c.calls++
	if c.calls == c.crashAt {
		c.crashed = true
		return errCrashed
	}
	if c.calls == c.failAt {
		return errIO
	}
	return nil
}

func split(name string) []string {
	name = strings.Trim(path.Clean(name), "/")
	if name == "" {
		return nil
	}
	return strings.Split(name, "/")
}

// lookup returns the node at name. c.mu is held.
func (c *crashFS) lookup(name string) (*memNode, error) {
	n := c.root
	for _, part := range split(name) {
		if !n.dir {
			return nil, fs.ErrNotExist
		}
		child, ok := n.entries[part]
		if !ok {
			return nil, fs.ErrNotExist
		}
		n = child
	}
	return n, nil
}

// parent returns the directory holding name, and name's last element.
func (c *crashFS) parent(name string) (*memNode, string, error) {
	parts := split(name)
	if len(parts) == 0 {
		return nil, "", fs.ErrInvalid
	}
	dir, err := c.lookup("/" + strings.Join(parts[:len(parts)-1], "/"))
	if err != nil {
		return nil, "", err
	}
	if !dir.dir {
		return nil, "", fs.ErrNotExist
	}
	return dir, parts[len(parts)-1], nil
}

func (c *crashFS) Create(name string, perm fs.FileMode) (fsstore.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return nil, err
	}
	dir, base, err := c.parent(name)
	if err != nil {
		return nil, err
	}
	n, ok := dir.entries[base]
	if ok && n.dir {
		return nil, fs.ErrExist
	}
	if ok {
		n.data = nil
	} else {
		n = &memNode{}
		dir.entries[base] = n
	}
	return &memFile{fs: c, n: n}, nil
}

// mutateFile changes the data of file name, durably.
func (c *crashFS) mutateFile(name string, f func(b []byte)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.lookup(name)
	if err != nil {
		return err
	}
	f(n.data)
	n.synced = append([]byte{}, n.data...)
	return nil
}

func (c *crashFS) ReadFile(name string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.stepFile(name)
	if err != nil {
		return nil, err
	}
	return append([]byte{}, n.data...), nil
}

func (c *crashFS) Open(name string) (fsstore.FileReader, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.stepFile(name)
	if err != nil {
		return nil, err
	}
	return &memReader{fs: c, n: n}, nil
}

// stepFile counts a call on file name and returns its node. c.mu is
// held.
func (c *crashFS) stepFile(name string) (*memNode, error) {
	if err := c.step(); err != nil {
		return nil, err
	}
	n, err := c.lookup(name)
	if err != nil {
		return nil, err
	}
	if n.dir {
		return nil, errors.New("crashfs: is a directory")
	}
	return n, nil
}

func (c *crashFS) ReadDir(name string) ([]fsstore.DirEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return nil, err
	}
	n, err := c.lookup(name)
	if err != nil {
		return nil, err
	}
	if !n.dir {
		return nil, errors.New("crashfs: not a directory")
	}
	var out []fsstore.DirEntry
	for name, child := range n.entries {
		out = append(out, fsstore.DirEntry{Name: name, IsDir: child.dir})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (c *crashFS) Rename(oldpath, newpath string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return err
	}
	odir, obase, err := c.parent(oldpath)
	if err != nil {
		return err
	}
	n, ok := odir.entries[obase]
	if !ok {
		return fs.ErrNotExist
	}
	ndir, nbase, err := c.parent(newpath)
	if err != nil {
		return err
	}
	if old, ok := ndir.entries[nbase]; ok && old.dir {
		return fs.ErrExist
	}
	delete(odir.entries, obase)
	ndir.entries[nbase] = n
	return nil
}

func (c *crashFS) Remove(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return err
	}
	dir, base, err := c.parent(name)
	if err != nil {
		return err
	}
	n, ok := dir.entries[base]
	if !ok {
		return fs.ErrNotExist
	}
	if n.dir && len(n.entries) > 0 {
		return errors.New("crashfs: directory not empty")
	}
	delete(dir.entries, base)
	return nil
}

func (c *crashFS) Mkdir(name string, perm fs.FileMode) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return err
	}
	dir, base, err := c.parent(name)
	if err != nil {
		return err
	}
	if _, ok := dir.entries[base]; ok {
		return fs.ErrExist
	}
	dir.entries[base] = newDir()
	return nil
}

func (c *crashFS) SyncDir(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return err
	}
	n, err := c.lookup(name)
	if err != nil {
		return err
	}
	n.syncedEntries = make(map[string]*memNode, len(n.entries))
	for k, v := range n.entries {
		n.syncedEntries[k] = v
	}
	return nil
}

func (c *crashFS) SyncFile(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return err
	}
	n, err := c.lookup(name)
	if err != nil {
		return err
	}
	n.synced = append([]byte{}, n.data...)
	return nil
}

func (c *crashFS) Lock(name string) (io.Closer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step(); err != nil {
		return nil, err
	}
	if c.locked[name] {
		return nil, persist.ErrLocked
	}
	c.locked[name] = true
	return unlocker(func() error {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.locked, name)
		return nil
	}), nil
}

type unlocker func() error

func (u unlocker) Close() error { return u() }

// memReader is a crashFS file open for reading. Its reads count as calls
// (they may fail), its Close does not (it cannot).
type memReader struct {
	fs *crashFS
	n  *memNode
}

func (r *memReader) ReadAt(b []byte, off int64) (int, error) {
	r.fs.mu.Lock()
	defer r.fs.mu.Unlock()
	if err := r.fs.step(); err != nil {
		return 0, err
	}
	if off >= int64(len(r.n.data)) {
		return 0, io.EOF
	}
	n := copy(b, r.n.data[off:])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (r *memReader) Close() error { return nil }

// memFile is a crashFS file open for writing.
type memFile struct {
	fs *crashFS
	n  *memNode
}

func (f *memFile) Write(b []byte) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step(); err != nil {
		return 0, err
	}
	f.n.data = append(f.n.data, b...)
	return len(b), nil
}

func (f *memFile) WriteAt(b []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step(); err != nil {
		return 0, err
	}
	if end := int(off) + len(b); end > len(f.n.data) {
		f.n.data = append(f.n.data, make([]byte, end-len(f.n.data))...)
	}
	copy(f.n.data[off:], b)
	return len(b), nil
}

// Datasync is Sync: crashFS keeps no metadata that fdatasync would skip.
func (f *memFile) Datasync() error { return f.Sync() }

func (f *memFile) Sync() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if err := f.fs.step(); err != nil {
		return err
	}
	f.n.synced = append([]byte{}, f.n.data...)
	return nil
}

func (f *memFile) Close() error {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return f.fs.step()
}
