package channel

import (
	"errors"
	"fmt"
)

// scanTx walks the counts and lengths of a serialized transaction and
// checks each against the bytes left: btcd's decoder allocates what a
// count or length announces before reading it (up to tens of megabytes),
// so a few hostile bytes could make it allocate far more than the record
// holds. After the scan its allocations are linear in len(b).
func scanTx(b []byte) error {
	s := txScan{rest: b}
	s.skip(4) // version
	segwit := len(s.rest) > 0 && s.rest[0] == 0
	if segwit {
		if len(s.rest) < 2 || s.rest[1] != 1 {
			return errors.New("bad segwit marker")
		}
		s.skip(2)
	}
	const minInput, minOutput = 32 + 4 + 1 + 4, 8 + 1
	inputs := s.count(minInput)
	for i := uint64(0); i < inputs && s.err == nil; i++ {
		s.skip(32 + 4)
		s.skip(int(s.count(1))) // signature script
		s.skip(4)               // sequence
	}
	outputs := s.count(minOutput)
	for i := uint64(0); i < outputs && s.err == nil; i++ {
		s.skip(8)
		s.skip(int(s.count(1))) // script
	}
	for i := uint64(0); segwit && i < inputs && s.err == nil; i++ {
		items := s.count(1)
		for j := uint64(0); j < items && s.err == nil; j++ {
			s.skip(int(s.count(1)))
		}
	}
	s.skip(4) // lock time
	return s.err
}

// txScan reads the shape of a serialized transaction; the first error
// sticks.
type txScan struct {
	rest []byte
	err  error
}

func (s *txScan) skip(n int) {
	if s.err == nil && n > len(s.rest) {
		s.err = errTruncated
	}
	if s.err == nil {
		s.rest = s.rest[n:]
	}
}

// count reads a CompactSize and checks that that many items of at least
// minLen bytes fit in what is left.
func (s *txScan) count(minLen int) uint64 {
	if s.err != nil || len(s.rest) == 0 {
		s.skip(1)
		return 0
	}
	var v uint64
	switch p := s.rest[0]; p {
	case 0xfd, 0xfe, 0xff:
		n := 2 << (p - 0xfd) // 2, 4 or 8 bytes, little-endian
		if len(s.rest) < 1+n {
			s.err = errTruncated
			return 0
		}
		for i := n; i >= 1; i-- {
			v = v<<8 | uint64(s.rest[i])
		}
		s.rest = s.rest[1+n:]
	default:
		v = uint64(p)
		s.rest = s.rest[1:]
	}
	if v > uint64(len(s.rest)/minLen) {
		s.err = fmt.Errorf("count %d with %d bytes left", v, len(s.rest))
		return 0
	}
	return v
}
