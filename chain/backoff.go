package chain

import "time"

// backoff returns the wait after the given number of consecutive failures
// (>= 1): min doubled for each failure after the first, capped at max.
func backoff(failures int, min, max time.Duration) time.Duration {
	d := min
	for i := 1; i < failures; i++ {
		if d >= max/2 {
			return max
		}
		d *= 2
	}
	if d > max {
		return max
	}
	return d
}
