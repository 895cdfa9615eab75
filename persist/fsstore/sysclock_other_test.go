//go:build !unix

package fsstore

import "time"

// sysTimer measures nothing where getrusage(2) is missing.
type sysTimer struct{ total time.Duration }

func (t *sysTimer) start() {}
func (t *sysTimer) stop()  {}
