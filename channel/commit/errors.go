package commit

import (
	"errors"
	"fmt"
)

// Sentinel errors. Functions wrap them with context; test with errors.Is.
var (
	// ErrInvalidParams reports channel parameters that cannot describe a
	// channel (a missing key, an unknown channel type, a zero capacity).
	ErrInvalidParams = errors.New("commit: invalid channel parameters")
	// ErrInvalidState reports a commitment state that does not fit its
	// channel (balances that do not add up to the capacity, a commitment
	// number above 2^48-1, a missing per-commitment point).
	ErrInvalidState = errors.New("commit: invalid commitment state")
	// ErrTooManyHTLCs reports a state with more HTLCs than BOLT 2 allows
	// (483 in each direction).
	ErrTooManyHTLCs = errors.New("commit: too many htlcs")
	// ErrNotHTLCOutput reports an output index that is not an HTLC output of
	// the commitment.
	ErrNotHTLCOutput = errors.New("commit: output is not an htlc output")
	// ErrInvalidSignature reports a signature that does not verify.
	ErrInvalidSignature = errors.New("commit: invalid signature")
	// ErrSignatureCount reports a commitment_signed with a number of HTLC
	// signatures different from the number of HTLC outputs.
	ErrSignatureCount = errors.New("commit: wrong number of htlc signatures")
	// ErrInvalidClosing reports closing parameters that cannot produce a
	// closing transaction (a fee above the payer's balance, no output left).
	ErrInvalidClosing = errors.New("commit: invalid closing transaction parameters")
	// ErrWrongPreimage reports a preimage that does not hash to the HTLC's
	// payment hash.
	ErrWrongPreimage = errors.New("commit: preimage does not match the payment hash")
)

// SignatureError locates a signature that failed verification: Index is the
// position in htlc_signatures, or -1 for the commitment signature itself.
// It unwraps to ErrInvalidSignature.
type SignatureError struct {
	// Index is the htlc_signatures position, or -1 for the commitment signature.
	Index int
	// OutputIndex is the commitment output the HTLC signature spends, or -1.
	OutputIndex int
}

// Error describes the failing signature.
func (e *SignatureError) Error() string {
	if e.Index < 0 {
		return "commit: invalid commitment signature"
	}
	return fmt.Sprintf("commit: invalid htlc signature %d (commitment output %d)", e.Index, e.OutputIndex)
}

// Unwrap returns ErrInvalidSignature.
func (e *SignatureError) Unwrap() error { return ErrInvalidSignature }
