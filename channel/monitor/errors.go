package monitor

import (
	"errors"
	"fmt"
)

// Errors of the package, matched with errors.Is.
var (
	// ErrUpdateGap is matched by the error of Apply for an update whose ID
	// is not the next one (see *GapError).
	ErrUpdateGap = errors.New("monitor: update id gap")
	// ErrInvalidUpdate is matched by the error of Apply for an update whose
	// content is inconsistent with the monitor (a bad signature, a
	// commitment number going back, a secret that does not derive the
	// earlier ones).
	ErrInvalidUpdate = errors.New("monitor: invalid update")
	// ErrCorrupt is matched by decoding errors of a malformed encoding.
	ErrCorrupt = errors.New("monitor: corrupt encoding")
	// ErrBehind is matched by the error of LatestHolderCommitmentTx and
	// HolderCommitmentClaim when the monitor learned (from the chain or a
	// DataLossDetected step) that our state is older than the
	// counterparty's: broadcasting our commitment would hand them every
	// satoshi. Apply's error for a new commitment after it matches it too.
	ErrBehind = errors.New("monitor: our state is behind the counterparty's")
	// ErrInvalidMonitor is matched by the error of New for inconsistent
	// static data.
	ErrInvalidMonitor = errors.New("monitor: invalid monitor data")
	// ErrUnknownChannel is matched for a channel id the ChainMonitor does
	// not hold.
	ErrUnknownChannel = errors.New("monitor: unknown channel")
)

// GapError is the error of Apply for an update that skips ids.
type GapError struct {
	// Latest is the monitor's latest applied update id; Got the update's.
	Latest, Got uint64
}

// Error describes the gap.
func (e *GapError) Error() string {
	return fmt.Sprintf("monitor: update id %d after %d: gap", e.Got, e.Latest)
}

// Unwrap returns ErrUpdateGap.
func (e *GapError) Unwrap() error { return ErrUpdateGap }
