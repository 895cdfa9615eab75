package fsstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"strings"

	"github.com/lnkit/lnkit/persist"
)

// A pack file is a header, records sorted by key (one per key: a value or
// a tombstone), and a footer:
//
//	header: "LNKP" | version 1 | 3 zero bytes | base (8) | top (8)
//	record: kind (0 value, 1 tombstone) | len (1) primary | len (1) secondary | len (1) key | value length (4) | primary | secondary | key | value | CRC-32C (4)
//	footer: 0xff | 3 zero bytes | record count (4) | CRC-32C (4)
//
// A record's CRC-32C covers the record before it, so a value read alone
// (pread at its offset) is checked, names included. The footer's covers
// the whole file before it. A tombstone's value length is 0. Keys are
// sorted by primary, then secondary namespace, then key, each compared as
// bytes, and appear once. The pack holds the state of the packs numbered
// base to top: a checkpoint's pack has base = top; a merge's covers its
// inputs' numbers.
const (
	packMagic        = "LNKP"
	packVersion      = 1
	packHeaderLen    = 24
	packRecHeaderLen = 8
	packFooterLen    = 12
	packFooterKind   = 0xff
	packValueKind    = 0
	packTombKind     = 1
)

// compareKeys orders the keys of a pack: by primary, secondary namespace,
// then key.
func compareKeys(ans persist.Namespace, akey string, bns persist.Namespace, bkey string) int {
	if c := strings.Compare(ans.Primary, bns.Primary); c != 0 {
		return c
	}
	if c := strings.Compare(ans.Secondary, bns.Secondary); c != 0 {
		return c
	}
	return strings.Compare(akey, bkey)
}

// packWriter writes a pack to w: the header at creation, records with
// add, the footer with finish. It refuses keys out of order.
type packWriter struct {
	w     *bufio.Writer
	crc   uint32
	off   int64
	count uint32
	last  *persist.Op
	buf   []byte
}

// packBufferBytes is the buffer of a pack's writer and scanner.
const packBufferBytes = 256 << 10

func newPackWriter(w io.Writer, base, top uint64) (*packWriter, error) {
	pw := &packWriter{w: bufio.NewWriterSize(w, packBufferBytes)}
	h := make([]byte, packHeaderLen)
	copy(h, packMagic)
	h[4] = packVersion
	binary.BigEndian.PutUint64(h[8:], base)
	binary.BigEndian.PutUint64(h[16:], top)
	return pw, pw.write(h)
}

func (pw *packWriter) write(b []byte) error {
	pw.crc = crc32.Update(pw.crc, castagnoli, b)
	pw.off += int64(len(b))
	_, err := pw.w.Write(b)
	return err
}

// add writes the record of o (a tombstone when o.Remove) and returns its
// offset and length.
func (pw *packWriter) add(o persist.Op) (off int64, n int, err error) {
	if pw.last != nil && compareKeys(pw.last.NS, pw.last.Key, o.NS, o.Key) >= 0 {
		return 0, 0, errors.New("fsstore: pack keys out of order")
	}
	pw.last = &o
	b := appendPackRecord(pw.buf[:0], o)
	pw.buf = b
	off = pw.off
	pw.count++
	return off, len(b), pw.write(b)
}

// appendPackRecord appends the record of o to b.
func appendPackRecord(b []byte, o persist.Op) []byte {
	start := len(b)
	kind, value := byte(packValueKind), o.Value
	if o.Remove {
		kind, value = packTombKind, nil
	}
	b = append(b, kind, byte(len(o.NS.Primary)), byte(len(o.NS.Secondary)), byte(len(o.Key)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(value)))
	b = append(b, o.NS.Primary...)
	b = append(b, o.NS.Secondary...)
	b = append(b, o.Key...)
	b = append(b, value...)
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli))
}

// finish writes the footer and flushes.
func (pw *packWriter) finish() error {
	f := make([]byte, packFooterLen-4)
	f[0] = packFooterKind
	binary.BigEndian.PutUint32(f[4:], pw.count)
	if err := pw.write(f); err != nil {
		return err
	}
	if _, err := pw.w.Write(binary.BigEndian.AppendUint32(nil, pw.crc)); err != nil {
		return err
	}
	return pw.w.Flush()
}

// parsePackRecord checks the record b holds, whole, and returns its op
// (Remove for a tombstone, Value aliasing b). Errors match
// persist.ErrCorrupt.
func parsePackRecord(b []byte) (persist.Op, error) {
	if len(b) < packRecHeaderLen+4 {
		return persist.Op{}, corrupt("pack record of %d bytes", len(b))
	}
	kind, lp, ls, lk := b[0], int(b[1]), int(b[2]), int(b[3])
	vlen := binary.BigEndian.Uint32(b[4:])
	if kind != packValueKind && kind != packTombKind {
		return persist.Op{}, corrupt("pack record kind %d", kind)
	}
	if uint64(packRecHeaderLen+lp+ls+lk+4)+uint64(vlen) != uint64(len(b)) {
		return persist.Op{}, corrupt("pack record lengths do not add up to its %d bytes", len(b))
	}
	body := b[:len(b)-4]
	if binary.BigEndian.Uint32(b[len(b)-4:]) != crc32.Checksum(body, castagnoli) {
		return persist.Op{}, corrupt("pack record checksum mismatch")
	}
	names := body[packRecHeaderLen:]
	o := persist.Op{
		NS:     persist.Namespace{Primary: string(names[:lp]), Secondary: string(names[lp : lp+ls])},
		Key:    string(names[lp+ls : lp+ls+lk]),
		Remove: kind == packTombKind,
	}
	if o.Remove && vlen != 0 {
		return persist.Op{}, corrupt("pack tombstone with a %d-byte value", vlen)
	}
	if !o.Remove {
		o.Value = names[lp+ls+lk : len(names) : len(names)]
	}
	if err := persist.ValidateOp(o); err != nil {
		return persist.Op{}, corrupt("pack record: %v", err)
	}
	return o, nil
}

// packScanner reads a pack's records in order, checking each, their
// order, and at the end the footer: its count, its checksum and that
// nothing follows it.
type packScanner struct {
	r         *bufio.Reader
	crc       uint32
	off       int64
	count     uint32
	base, top uint64
	last      persist.Op
	buf       []byte
}

// scannedRecord is a record a packScanner read.
type scannedRecord struct {
	op  persist.Op // its Value aliases the scanner's buffer until the next call
	off int64
	n   int
}

// newPackScanner reads the header of the pack r holds. Errors match
// persist.ErrCorrupt, or are r's.
func newPackScanner(r io.ReaderAt) (*packScanner, error) {
	sc := &packScanner{r: bufio.NewReaderSize(io.NewSectionReader(r, 0, 1<<62), packBufferBytes)}
	h := make([]byte, packHeaderLen)
	if err := sc.read(h); err != nil {
		return nil, err
	}
	if string(h[:4]) != packMagic || h[4] != packVersion || h[5]|h[6]|h[7] != 0 {
		return nil, corrupt("not an fsstore pack of version %d", packVersion)
	}
	sc.base, sc.top = binary.BigEndian.Uint64(h[8:]), binary.BigEndian.Uint64(h[16:])
	if sc.base == 0 || sc.base > sc.top {
		return nil, corrupt("pack covers %d to %d", sc.base, sc.top)
	}
	return sc, nil
}

// read fills b from the pack, adding it to the checksum.
func (sc *packScanner) read(b []byte) error {
	if _, err := io.ReadFull(sc.r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return corrupt("pack truncated at offset %d", sc.off)
		}
		return err
	}
	sc.crc = crc32.Update(sc.crc, castagnoli, b)
	sc.off += int64(len(b))
	return nil
}

// next returns the next record, or ok false after a valid footer.
func (sc *packScanner) next() (rec scannedRecord, ok bool, err error) {
	kind, err := sc.r.Peek(1)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return rec, false, corrupt("pack truncated at offset %d: no footer", sc.off)
		}
		return rec, false, err
	}
	if kind[0] == packFooterKind {
		return rec, false, sc.footer()
	}
	off := sc.off
	var h [packRecHeaderLen]byte
	if err := sc.read(h[:]); err != nil {
		return rec, false, err
	}
	vlen := binary.BigEndian.Uint32(h[4:])
	if vlen > persist.MaxValueSize {
		return rec, false, corrupt("pack record at offset %d: a %d-byte value", off, vlen)
	}
	n := packRecHeaderLen + int(h[1]) + int(h[2]) + int(h[3]) + int(vlen) + 4
	if cap(sc.buf) < n {
		sc.buf = make([]byte, n)
	}
	sc.buf = sc.buf[:n]
	copy(sc.buf, h[:])
	if err := sc.read(sc.buf[packRecHeaderLen:]); err != nil {
		return rec, false, err
	}
	o, err := parsePackRecord(sc.buf)
	if err != nil {
		return rec, false, corrupt("pack record at offset %d: %v", off, err)
	}
	if sc.count > 0 && compareKeys(sc.last.NS, sc.last.Key, o.NS, o.Key) >= 0 {
		return rec, false, corrupt("pack record at offset %d: key %s/%s out of order", off, o.NS, o.Key)
	}
	sc.last = persist.Op{NS: o.NS, Key: o.Key}
	sc.count++
	return scannedRecord{op: o, off: off, n: n}, true, nil
}

// footer checks the footer and that the file ends with it.
func (sc *packScanner) footer() error {
	f := make([]byte, packFooterLen-4)
	if err := sc.read(f); err != nil {
		return err
	}
	sum := make([]byte, 4)
	want := sc.crc
	if _, err := io.ReadFull(sc.r, sum); err != nil {
		return corrupt("pack truncated in its footer")
	}
	if f[1]|f[2]|f[3] != 0 || binary.BigEndian.Uint32(f[4:]) != sc.count {
		return corrupt("pack footer does not count its %d records", sc.count)
	}
	if binary.BigEndian.Uint32(sum) != want {
		return corrupt("pack checksum mismatch")
	}
	if _, err := sc.r.ReadByte(); !errors.Is(err, io.EOF) {
		if err != nil {
			return err
		}
		return corrupt("bytes after the pack's footer")
	}
	return nil
}
