package fsstore

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/lnkit/lnkit/persist"
)

// A log record is a header, a payload (the group's ops, see opcodec.go)
// and zero padding to a multiple of recAlign bytes:
//
//	"LNKW" | version 1 | 3 zero bytes | payload length (4) | sequence number (8) | CRC-32C (4) | payload | padding
//
// The CRC-32C covers the 20 header bytes before it and the payload.
// Sequence numbers start at 1 and grow by one from record to record, across
// segments.
const (
	recMagic     = "LNKW"
	recVersion   = 1
	recHeaderLen = 24
	recAlign     = 32
)

// recordLen is the length of a record with a payload of n bytes.
func recordLen(n int) int { return roundUp(recHeaderLen+n, recAlign) }

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// encodeRecord returns the record of ops with sequence number seq, padded.
func encodeRecord(seq uint64, ops []persist.Op) []byte {
	n := opsLen(ops)
	b := make([]byte, recHeaderLen, recordLen(n))
	copy(b, recMagic)
	b[4] = recVersion
	binary.BigEndian.PutUint32(b[8:], uint32(n))
	binary.BigEndian.PutUint64(b[12:], seq)
	b = appendOps(b, ops)
	binary.BigEndian.PutUint32(b[20:], recordCRC(b[:20], b[recHeaderLen:]))
	return b[:cap(b)]
}

func recordCRC(header, payload []byte) uint32 {
	return crc32.Update(crc32.Checksum(header, castagnoli), castagnoli, payload)
}

// parseRecord reads the record at the start of b: its sequence number,
// payload (aliasing b) and padded length, or ok false when b does not
// start with a whole record whose CRC holds.
func parseRecord(b []byte) (seq uint64, payload []byte, n int, ok bool) {
	if len(b) < recHeaderLen || string(b[:4]) != recMagic || b[4] != recVersion || b[5]|b[6]|b[7] != 0 {
		return 0, nil, 0, false
	}
	size := binary.BigEndian.Uint32(b[8:])
	if uint64(size) > uint64(len(b)-recHeaderLen) {
		return 0, nil, 0, false
	}
	n = recordLen(int(size))
	seq = binary.BigEndian.Uint64(b[12:])
	if n > len(b) || seq == 0 {
		return 0, nil, 0, false
	}
	payload = b[recHeaderLen : recHeaderLen+int(size)]
	if binary.BigEndian.Uint32(b[20:]) != recordCRC(b[:20], payload) {
		return 0, nil, 0, false
	}
	return seq, payload, n, true
}

// logRecord is a record read from a segment.
type logRecord struct {
	seq uint64
	off int
	ops []persist.Op
}

// segmentScan is what scanSegment found in a segment.
type segmentScan struct {
	records []logRecord // in order, sequence numbers consecutive
	end     int         // the offset after the last record
	torn    bool        // non-zero bytes after end: a record never acknowledged
}

// first and last are the sequence numbers of the first and last records,
// 0 when there are none.
func (sc segmentScan) first() uint64 {
	if len(sc.records) == 0 {
		return 0
	}
	return sc.records[0].seq
}

func (sc segmentScan) last() uint64 {
	if len(sc.records) == 0 {
		return 0
	}
	return sc.records[len(sc.records)-1].seq
}

// scanSegment reads the records of a segment in order, up to the first
// that is not whole with its CRC holding: that one, if not all zero, is a
// torn record (its write was interrupted, so never acknowledged) and is
// ignored. No valid record may follow it. Errors match persist.ErrCorrupt:
// a valid record that does not continue the sequence, or whose ops do not
// parse, or a valid record after the end. Ops alias b.
func scanSegment(b []byte) (segmentScan, error) {
	var sc segmentScan
	var prev uint64
	off := 0
	for {
		seq, payload, n, ok := parseRecord(b[off:])
		if !ok {
			break
		}
		if prev != 0 && seq != prev+1 {
			return sc, corrupt("record at offset %d has sequence number %d after %d", off, seq, prev)
		}
		ops, err := decodeOps(payload)
		if err != nil {
			return sc, corrupt("record at offset %d: %v", off, err)
		}
		sc.records = append(sc.records, logRecord{seq: seq, off: off, ops: ops})
		prev = seq
		off += n
	}
	sc.end = off
	if isZero(b[off:]) {
		return sc, nil
	}
	sc.torn = true
	for p := off + recAlign; p+recHeaderLen <= len(b); p += recAlign {
		if string(b[p:p+4]) != recMagic {
			continue
		}
		if seq, _, _, ok := parseRecord(b[p:]); ok && seq > prev {
			return sc, corrupt("valid record (sequence number %d) at offset %d after the bad one at offset %d", seq, p, off)
		}
	}
	return sc, nil
}

// isZero reports whether b holds only zero bytes.
func isZero(b []byte) bool {
	var zeros [4096]byte
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		if !bytes.Equal(b[:n], zeros[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}
