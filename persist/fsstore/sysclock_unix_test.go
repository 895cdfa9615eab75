//go:build unix

package fsstore

import (
	"syscall"
	"time"
)

// sysTimer sums the system CPU time the process spends between start and
// stop (getrusage(2), every thread).
type sysTimer struct {
	total time.Duration
	at    time.Duration
}

func (t *sysTimer) start() { t.at = sysTime() }
func (t *sysTimer) stop()  { t.total += sysTime() - t.at }

func sysTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Stime.Nano())
}
