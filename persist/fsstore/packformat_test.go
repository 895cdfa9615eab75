package fsstore

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

// encodePack returns the pack covering base to top holding ops, which
// must be in key order.
func encodePack(t testing.TB, base, top uint64, ops ...persist.Op) []byte {
	var buf bytes.Buffer
	w, err := newPackWriter(&buf, base, top)
	require.NoError(t, err)
	for _, o := range ops {
		_, _, err := w.add(o)
		require.NoError(t, err)
	}
	require.NoError(t, w.finish())
	return buf.Bytes()
}

// scanPack reads every record of the pack b holds, checking it whole.
func scanPack(b []byte) (base, top uint64, recs []scannedRecord, err error) {
	sc, err := newPackScanner(bytes.NewReader(b))
	if err != nil {
		return 0, 0, nil, err
	}
	for {
		rec, ok, err := sc.next()
		if err != nil {
			return 0, 0, nil, err
		}
		if !ok {
			return sc.base, sc.top, recs, nil
		}
		rec.op.Value = bytes.Clone(rec.op.Value)
		recs = append(recs, rec)
	}
}

var testPackOps = []persist.Op{
	persist.WriteOp(persist.Namespace{}, "a", []byte("top level")),
	persist.RemoveOp(persist.Namespace{}, "b"),
	persist.WriteOp(persist.Namespace{}, "c", nil),
	persist.WriteOp(persist.Namespace{Primary: "p"}, "a", make([]byte, 700)),
	persist.WriteOp(persist.Namespace{Primary: "p", Secondary: "s"}, "Key", []byte("v")),
}

func TestPackRoundTrip(t *testing.T) {
	b := encodePack(t, 3, 9, testPackOps...)
	base, top, recs, err := scanPack(b)
	require.NoError(t, err)
	require.Equal(t, uint64(3), base)
	require.Equal(t, uint64(9), top)
	require.Len(t, recs, len(testPackOps))
	for i, rec := range recs {
		want := testPackOps[i]
		require.Equal(t, want.NS, rec.op.NS)
		require.Equal(t, want.Key, rec.op.Key)
		require.Equal(t, want.Remove, rec.op.Remove)
		require.Equal(t, string(want.Value), string(rec.op.Value))
		// Each record reads alone, as Read does.
		o, err := parsePackRecord(b[rec.off : rec.off+int64(rec.n)])
		require.NoError(t, err)
		require.Equal(t, want.Key, o.Key)
	}
	empty := encodePack(t, 1, 1)
	_, _, recs, err = scanPack(empty)
	require.NoError(t, err)
	require.Empty(t, recs)
	require.Len(t, empty, packHeaderLen+packFooterLen)
}

// TestScanDamagedPack: a pack cut short anywhere (a write that never
// finished), a byte changed anywhere, or bytes added, does not scan.
func TestScanDamagedPack(t *testing.T) {
	good := encodePack(t, 1, 1, testPackOps...)
	for n := range len(good) {
		_, _, _, err := scanPack(good[:n])
		require.ErrorIs(t, err, persist.ErrCorrupt, "cut at %d", n)
	}
	for i := range len(good) {
		b := bytes.Clone(good)
		b[i] ^= 0x10
		_, _, _, err := scanPack(b)
		require.ErrorIs(t, err, persist.ErrCorrupt, "byte %d changed", i)
	}
	_, _, _, err := scanPack(append(bytes.Clone(good), 0))
	require.ErrorIs(t, err, persist.ErrCorrupt)
	// Right checksums do not make keys out of order or twice, a
	// tombstone with a value, or a footer miscounting.
	for name, b := range map[string][]byte{
		"out of order": withRightPackCRCs(encodePackUnchecked(testPackOps[1], testPackOps[0])),
		"twice":        withRightPackCRCs(encodePackUnchecked(testPackOps[0], testPackOps[0])),
		"miscounted": func() []byte {
			b := bytes.Clone(good)
			binary.BigEndian.PutUint32(b[len(b)-8:], 4)
			return withRightPackCRCs(b)
		}(),
		"tombstone with a value": func() []byte {
			b := encodePackUnchecked(persist.WriteOp(persist.Namespace{}, "b", []byte("x")))
			b[packHeaderLen] = packTombKind
			return withRightPackCRCs(b)
		}(),
	} {
		_, _, _, err := scanPack(b)
		require.ErrorIs(t, err, persist.ErrCorrupt, name)
	}
}

// encodePackUnchecked is encodePack without the key order check.
func encodePackUnchecked(ops ...persist.Op) []byte {
	var buf bytes.Buffer
	w, _ := newPackWriter(&buf, 1, 1)
	for _, o := range ops {
		w.last = nil
		_, _, _ = w.add(o)
	}
	_ = w.finish()
	return buf.Bytes()
}

func FuzzScanPack(f *testing.F) {
	good := encodePack(f, 1, 2, testPackOps...)
	f.Add(good)
	f.Add(good[:len(good)-5])
	f.Add(encodePack(f, 1, 1))
	f.Add([]byte("LNKP\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkScanPack(t, b)
		// Most inputs fail a CRC: scan each again with its records' and
		// footer's CRCs right, so the fuzzer reaches the record parser and
		// the order, count and end checks.
		checkScanPack(t, withRightPackCRCs(b))
	})
}

// checkScanPack requires b to scan as a pack that encodes back to b, or
// to fail with an error matching persist.ErrCorrupt.
func checkScanPack(t *testing.T, b []byte) {
	base, top, recs, err := scanPack(b)
	if err != nil {
		require.ErrorIs(t, err, persist.ErrCorrupt)
		return
	}
	ops := make([]persist.Op, len(recs))
	for i, rec := range recs {
		require.NoError(t, persist.ValidateOp(rec.op))
		ops[i] = rec.op
	}
	require.Equal(t, b, encodePack(t, base, top, ops...))
}

// withRightPackCRCs returns b with the CRC of each record from the header
// on recomputed, up to the first whose lengths do not fit, and the
// footer's if it ends b.
func withRightPackCRCs(b []byte) []byte {
	b = bytes.Clone(b)
	off := packHeaderLen
	for off+packRecHeaderLen <= len(b) && b[off] != packFooterKind {
		n := packRecHeaderLen + int(b[off+1]) + int(b[off+2]) + int(b[off+3]) + 4
		vlen := binary.BigEndian.Uint32(b[off+4:])
		if n > len(b)-off || uint64(vlen) > uint64(len(b)-off-n) {
			return b
		}
		n += int(vlen)
		binary.BigEndian.PutUint32(b[off+n-4:], crc32.Checksum(b[off:off+n-4], castagnoli))
		off += n
	}
	if off+packFooterLen == len(b) {
		binary.BigEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	}
	return b
}
