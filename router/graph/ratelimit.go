package graph

import "time"

// bucket is a token bucket of channel_updates for one channel direction,
// refilled lazily from the injected clock. 8 bytes per direction.
type bucket struct {
	last   uint32 // unix seconds of the last refill; 0 means full
	tokens uint8
}

// allow reports whether an update may be taken now, without taking it.
func (b *bucket) allow(now time.Time, burst int, refill time.Duration) bool {
	return b.level(now, burst, refill) > 0
}

func (b *bucket) level(now time.Time, burst int, refill time.Duration) int {
	if now.IsZero() || b.last == 0 {
		return burst
	}
	el := time.Duration(uint32(now.Unix())-b.last) * time.Second
	if uint32(now.Unix()) < b.last {
		el = 0
	}
	return min(burst, int(b.tokens)+int(el/refill))
}

// take uses one token (after the update was verified).
func (b *bucket) take(now time.Time, burst int, refill time.Duration) {
	if now.IsZero() {
		return
	}
	lv := b.level(now, burst, refill)
	b.tokens = uint8(max(lv-1, 0))
	b.last = uint32(now.Unix())
}
