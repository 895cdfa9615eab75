package onion

import (
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// Layout of attribution_data (BOLT 4 "Attributable failures", BOLT 2
// update_fail_htlc / update_fulfill_htlc): 20 u32 hold times, then 210
// HMACs truncated to 4 bytes. The HMACs are grouped in blocks, one per hop
// counted from the hop handling the data: block x holds 20-x HMACs, the
// first for the hop being farthest (19-x hops) from the end of the path,
// the last for it being the end.
const (
	// MaxAttributionHops is the number of hops attribution_data covers.
	MaxAttributionHops = 20
	// AttributionHMACs is the number of truncated HMACs (20+19+…+1).
	AttributionHMACs = MaxAttributionHops * (MaxAttributionHops + 1) / 2
	// AttributionDataSize is the size of attribution_data.
	AttributionDataSize = 4*MaxAttributionHops + 4*AttributionHMACs
	// holdTimesSize is the size of the hold time array.
	holdTimesSize = 4 * MaxAttributionHops
)

// AttributionData is the attribution_data of update_fail_htlc and
// update_fulfill_htlc: hold times and truncated HMACs with which the origin
// can tell which hop tampered with a failure, and how long each hop held
// the HTLC.
type AttributionData [AttributionDataSize]byte

// blockStart returns the index of the first HMAC of block x.
func blockStart(x int) int {
	return x*MaxAttributionHops - x*(x-1)/2
}

// hmacAt returns the 4 bytes of HMAC number i.
func (a *AttributionData) hmacAt(i int) []byte {
	off := holdTimesSize + 4*i
	return a[off : off+4 : off+4]
}

// holdTime returns the i-th hold time as currently stored (only meaningful
// on de-obfuscated data).
func (a *AttributionData) holdTime(i int) uint32 {
	return binary.BigEndian.Uint32(a[4*i:])
}

// shiftRight makes room for one more upstream hop: hold times move one
// slot right and every block x moves to block x+1, dropping its first HMAC
// (the one for a position a 21st hop would push out of range).
func (a *AttributionData) shiftRight() {
	copy(a[4:holdTimesSize], a[:holdTimesSize-4])
	for x := MaxAttributionHops - 2; x >= 0; x-- {
		n := MaxAttributionHops - x - 1
		dst := holdTimesSize + 4*blockStart(x+1)
		src := holdTimesSize + 4*(blockStart(x)+1)
		copy(a[dst:dst+4*n], a[src:src+4*n])
	}
}

// shiftLeft undoes shiftRight at the origin. The dropped values are lost;
// their slots are zeroed. The origin never needs them.
func (a *AttributionData) shiftLeft() {
	copy(a[:holdTimesSize-4], a[4:holdTimesSize])
	clear(a[holdTimesSize-4 : holdTimesSize])
	for x := 0; x <= MaxAttributionHops-2; x++ {
		n := MaxAttributionHops - x - 1
		dst := holdTimesSize + 4*(blockStart(x)+1)
		src := holdTimesSize + 4*blockStart(x+1)
		copy(a[dst:dst+4*n], a[src:src+4*n])
		clear(a[holdTimesSize+4*blockStart(x) : holdTimesSize+4*blockStart(x)+4])
	}
	last := holdTimesSize + 4*blockStart(MaxAttributionHops-1)
	clear(a[last : last+4])
}

// attributionHMAC computes the HMAC a hop at the given position of the
// path (0 = first hop after the origin) puts in its block: it covers the
// return packet as the hop received it (nil for a success), the hold times
// of this and every later position, and the HMACs the later hops made for
// their positions.
func (a *AttributionData) attributionHMAC(um *[32]byte, packet []byte, position int) [4]byte {
	y := MaxAttributionHops - 1 - position
	var downstream [4 * (MaxAttributionHops - 1)]byte
	for x := 1; x <= y; x++ {
		copy(downstream[4*(x-1):], a.hmacAt(blockStart(x)+position))
	}
	mac := hmac256(um, packet, a[:4*(y+1)], downstream[:4*y])
	return [4]byte(mac[:4])
}

// addHop is a hop's whole contribution: shift the data received from
// downstream, put this hop's hold time and its 20 HMACs in front, and
// obfuscate the result with the ammagext stream. packet is the return
// packet before this hop's ammag obfuscation (nil for a success).
func (a *AttributionData) addHop(ss *SharedSecret, holdTime uint32, packet []byte) {
	a.shiftRight()
	binary.BigEndian.PutUint32(a[:4], holdTime)
	um := generateKey(keyUm, (*[32]byte)(ss))
	for position := 0; position < MaxAttributionHops; position++ {
		mac := a.attributionHMAC(&um, packet, position)
		copy(a.hmacAt(position), mac[:])
	}
	ext := generateKey(keyAmmagExt, (*[32]byte)(ss))
	xorStream(&ext, a[:], 0)
}

// attributionReader verifies attribution data at the origin, one hop at a
// time from the first.
type attributionReader struct {
	data     AttributionData
	position int
}

// next removes the obfuscation of the hop at the next position and checks
// its HMAC; on success it returns the hop's hold time. packet is the
// return packet as that hop received it (nil for a success).
func (r *attributionReader) next(ss *SharedSecret, packet []byte) (uint32, bool) {
	if r.position > 0 {
		r.data.shiftLeft()
	}
	ext := generateKey(keyAmmagExt, (*[32]byte)(ss))
	xorStream(&ext, r.data[:], 0)
	um := generateKey(keyUm, (*[32]byte)(ss))
	want := r.data.attributionHMAC(&um, packet, r.position)
	ok := subtle.ConstantTimeCompare(want[:], r.data.hmacAt(r.position)) == 1
	hold := r.data.holdTime(0)
	r.position++
	return hold, ok
}

// NewSuccessAttribution returns the attribution_data a final node puts in
// update_fulfill_htlc (BOLT 4 "Hold times for successful payments").
// holdTime is in units of 100 ms.
func NewSuccessAttribution(ss SharedSecret, holdTime uint32) *AttributionData {
	a := new(AttributionData)
	a.addHop(&ss, holdTime, nil)
	return a
}

// ForwardSuccessAttribution adds this hop's hold time and HMACs to the
// attribution_data received with update_fulfill_htlc, in place. A hop that
// received none passes a zeroed AttributionData.
func ForwardSuccessAttribution(ss SharedSecret, a *AttributionData, holdTime uint32) {
	a.addHop(&ss, holdTime, nil)
}

// AttributionError reports attribution data whose HMAC for a hop did not
// verify: the hop at Index or its predecessor tampered with the data (or
// did not support attribution). HoldTimes are those of the hops before it.
type AttributionError struct {
	// Index is the route index of the first hop whose HMAC failed.
	Index int
	// HoldTimes are the verified hold times of hops 0 … Index-1.
	HoldTimes []uint32
}

// Error implements error.
func (e *AttributionError) Error() string {
	return fmt.Sprintf("onion: attribution data hmac of hop %d does not verify", e.Index)
}

// DecryptSuccessAttribution verifies the attribution_data of a fulfilled
// HTLC at the origin and returns each hop's reported hold time (units of
// 100 ms), for the first min(len(secrets), 20) hops. A hop whose HMAC does
// not verify yields an *AttributionError.
func DecryptSuccessAttribution(secrets []SharedSecret, a *AttributionData) ([]uint32, error) {
	if len(secrets) == 0 {
		return nil, ErrEmptyRoute
	}
	r := attributionReader{data: *a}
	n := min(len(secrets), MaxAttributionHops)
	holds := make([]uint32, 0, n)
	for i := 0; i < n; i++ {
		hold, ok := r.next(&secrets[i], nil)
		if !ok {
			return nil, &AttributionError{Index: i, HoldTimes: holds}
		}
		holds = append(holds, hold)
	}
	return holds, nil
}
