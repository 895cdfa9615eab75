package simchain

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// The kinds of refusal of a transaction, matched with errors.Is against a
// *[TxError].
var (
	// ErrMalformed reports a transaction no block may hold: no inputs or
	// no outputs, a nil input or output, an output value out of range,
	// the same outpoint spent twice, a coinbase-shaped input, a weight
	// above 4,000,000.
	ErrMalformed = errors.New("simchain: malformed transaction")

	// ErrMissingInput reports an input spending an output that does not
	// exist (nor ever existed) on the chain or in the mempool.
	ErrMissingInput = errors.New("simchain: missing input")

	// ErrDoubleSpend reports an input spending an output already spent:
	// by a confirmed transaction, by an earlier transaction of the same
	// block, or (in a failed replacement, see ErrReplacement, and after a
	// reorganisation) by a mempool transaction.
	ErrDoubleSpend = errors.New("simchain: double spend")

	// ErrScript reports an input whose scripts fail under txscript's
	// engine; the *TxError's Cause is the engine's error.
	ErrScript = errors.New("simchain: script failure")

	// ErrImmature reports an input spending a coinbase output less than
	// 100 blocks deep at the spending block.
	ErrImmature = errors.New("simchain: immature coinbase spend")

	// ErrNonFinal reports a transaction whose absolute locktime has not
	// passed at the block it would confirm in.
	ErrNonFinal = errors.New("simchain: non-final transaction (locktime)")

	// ErrSequenceLock reports an input whose BIP 68 relative locktime has
	// not passed at the block it would confirm in.
	ErrSequenceLock = errors.New("simchain: relative locktime not reached (BIP 68)")

	// ErrInsufficientInput reports outputs worth more than the inputs.
	ErrInsufficientInput = errors.New("simchain: outputs exceed inputs")

	// ErrFeeTooLow reports a fee rate below the minimum relay fee rate
	// (mempool policy).
	ErrFeeTooLow = errors.New("simchain: fee rate below the minimum relay fee rate")

	// ErrDust reports an output below its dust limit (mempool policy).
	ErrDust = errors.New("simchain: dust output")

	// ErrReplacement reports a transaction conflicting with mempool
	// transactions that fails the replacement rules. It also matches
	// ErrDoubleSpend.
	ErrReplacement = errors.New("simchain: replacement refused")

	// ErrReorgDepth reports a reorganisation deeper than the chain (the
	// genesis block cannot be replaced).
	ErrReorgDepth = errors.New("simchain: reorganisation deeper than the chain")
)

// TxError is why a transaction was refused, by the mempool or in a block.
// errors.Is matches its kind (ErrDoubleSpend, ...) and its Cause.
type TxError struct {
	// TxID is the refused transaction's id.
	TxID chainhash.Hash

	// Input is the index of the input at fault, -1 when the error is not
	// about one input.
	Input int

	// Kind is the sentinel error saying what is wrong.
	Kind error

	// Cause is the underlying error when there is one (txscript's for
	// ErrScript), else nil.
	Cause error

	// Detail says more, for people: the conflicting transaction, the
	// heights, the amounts.
	Detail string
}

// Error implements error: "simchain: tx <txid> input <i>: <kind>: <detail>".
func (e *TxError) Error() string {
	var b strings.Builder
	b.WriteString("simchain: tx ")
	b.WriteString(e.TxID.String())
	if e.Input >= 0 {
		fmt.Fprintf(&b, " input %d", e.Input)
	}
	b.WriteString(": ")
	if e.Kind != nil {
		b.WriteString(strings.TrimPrefix(e.Kind.Error(), "simchain: "))
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the kind and the cause, for errors.Is and errors.As.
func (e *TxError) Unwrap() []error {
	errs := make([]error, 0, 3)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Kind == ErrReplacement {
		errs = append(errs, ErrDoubleSpend)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// txErr returns a *TxError.
func txErr(txid chainhash.Hash, input int, kind error, format string, args ...any) *TxError {
	return &TxError{TxID: txid, Input: input, Kind: kind, Detail: fmt.Sprintf(format, args...)}
}
