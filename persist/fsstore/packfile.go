package fsstore

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/lnkit/lnkit/persist"
)

// packFile is a pack the store reads, open for pread, with the sizes the
// merge policy weighs.
type packFile struct {
	base, top uint64
	path      string
	r         FileReader
	size      int64 // bytes of the file
	garbage   int64 // bytes of its records a newer pack's supersede
	tombs     int64 // bytes of its tombstones
}

// packRef is where the packs hold a key's latest record.
type packRef struct {
	p    *packFile
	off  int64
	n    int32
	tomb bool
}

// packIndex is the packs' latest record of each key they hold, by
// namespace and key. Values stay on disk: a store's values grow without
// bound (a node keeps every payment), the index only by the keys, and a
// pread of one record costs less than the open, read and close of a key
// file did; the page cache keeps the hot ones.
type packIndex map[persist.Namespace]map[string]packRef

func (x packIndex) get(ns persist.Namespace, key string) (packRef, bool) {
	r, ok := x[ns][key]
	return r, ok
}

// set makes ref the key's latest record, counting the one it supersedes
// as its pack's garbage.
func (x packIndex) set(ns persist.Namespace, key string, ref packRef) {
	keys := x[ns]
	if keys == nil {
		keys = map[string]packRef{}
		x[ns] = keys
	}
	if old, ok := keys[key]; ok {
		old.p.garbage += int64(old.n)
	}
	if ref.tomb {
		ref.p.tombs += int64(ref.n)
	}
	keys[key] = ref
}

func (x packIndex) remove(ns persist.Namespace, key string) {
	delete(x[ns], key)
	if len(x[ns]) == 0 {
		delete(x, ns)
	}
}

// value reads and checks the record ref locates, which must be key's
// value.
func (p *packFile) value(ref packRef, ns persist.Namespace, key string) ([]byte, error) {
	b := make([]byte, ref.n)
	if n, err := p.r.ReadAt(b, ref.off); n < len(b) {
		if err == nil || errors.Is(err, io.EOF) {
			err = corrupt("pack %s ends before its record at offset %d", p.path, ref.off)
		}
		return nil, err
	}
	o, err := parsePackRecord(b)
	if err != nil {
		return nil, fmt.Errorf("pack %s at offset %d: %w", p.path, ref.off, err)
	}
	if o.Remove || o.NS != ns || o.Key != key {
		return nil, corrupt("pack %s at offset %d: another key's record", p.path, ref.off)
	}
	return o.Value, nil
}

// packedRecord is a record writePack wrote.
type packedRecord struct {
	ns   persist.Namespace
	key  string
	off  int64
	n    int32
	tomb bool
}

// ref is where rec is in p.
func (rec packedRecord) ref(p *packFile) packRef {
	return packRef{p: p, off: rec.off, n: rec.n, tomb: rec.tomb}
}

// writePack writes the pack covering base to top, the records fill adds
// in key order, durably: a temporary file, fsynced, renamed to its name,
// the packs directory fsynced. An error before the rename removes the
// temporary file and leaves the store usable; one after fails it.
func (s *Store) writePack(base, top uint64, fill func(add func(persist.Op) error) error) (*packFile, []packedRecord, error) {
	path := filepath.Join(s.l.packs(), packName(base, top))
	tmp := path + tmpSuffix
	f, err := s.fs.Create(tmp, 0o600)
	if err != nil {
		return nil, nil, err
	}
	var recs []packedRecord
	var size int64
	err = func() error {
		w, err := newPackWriter(f, base, top)
		if err != nil {
			return err
		}
		err = fill(func(o persist.Op) error {
			off, n, err := w.add(o)
			recs = append(recs, packedRecord{ns: o.NS, key: o.Key, off: off, n: int32(n), tomb: o.Remove})
			return err
		})
		if err != nil {
			return err
		}
		if err := w.finish(); err != nil {
			return err
		}
		size = w.off + 4
		return f.Sync()
	}()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = s.fs.Remove(tmp)
		return nil, nil, fmt.Errorf("write pack %s: %w", path, err)
	}
	if err := s.fs.Rename(tmp, path); err != nil {
		return nil, nil, s.fail(err)
	}
	if err := s.fs.SyncDir(s.l.packs()); err != nil {
		return nil, nil, s.fail(err)
	}
	r, err := s.fs.Open(path)
	if err != nil {
		return nil, nil, s.fail(err)
	}
	return &packFile{base: base, top: top, path: path, r: r, size: size}, recs, nil
}

// closePacks closes the packs' files.
func (s *Store) closePacks() {
	for _, p := range s.packs {
		_ = p.r.Close()
	}
}
