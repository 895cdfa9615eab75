package wallet

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	btcwire "github.com/btcsuite/btcd/wire"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInsufficientFunds: the spendable coins do not cover the amount
	// and fee. The error is an *InsufficientFundsError saying how much is
	// missing.
	ErrInsufficientFunds = errors.New("wallet: insufficient funds")

	// ErrAbsurdFee: the fee is above MaxFeeRate or above MaxFeePercent of
	// the amount. The error is an *AbsurdFeeError.
	ErrAbsurdFee = errors.New("wallet: absurd fee")

	// ErrDust: an output (payment, change-less sweep) would be dust.
	ErrDust = errors.New("wallet: output is dust")

	// ErrUnknownOutput: an outpoint, transaction or descriptor the wallet
	// does not know or does not own.
	ErrUnknownOutput = errors.New("wallet: unknown output")

	// ErrLocked: the coins are locked for a funding transaction.
	ErrLocked = errors.New("wallet: coins locked")

	// ErrNoSigner: Sweep or BumpFee without Config.Signers, or a signer
	// that could not be found.
	ErrNoSigner = errors.New("wallet: no signer")

	// ErrInvalidDescriptor: a spendable output descriptor whose fields do
	// not produce its script, or are incomplete.
	ErrInvalidDescriptor = errors.New("wallet: invalid spendable output descriptor")

	// ErrInvalidAmount: a zero or negative amount, or an address of
	// another network.
	ErrInvalidAmount = errors.New("wallet: invalid amount")

	// ErrSigning: a signed input failed the script engine's check; the
	// transaction was not broadcast.
	ErrSigning = errors.New("wallet: signed transaction does not verify")

	// ErrCorrupt: the store holds a value the wallet cannot decode.
	ErrCorrupt = errors.New("wallet: corrupt stored state")

	// ErrNotUnconfirmed: the transaction is confirmed and cannot be
	// abandoned.
	ErrNotUnconfirmed = errors.New("wallet: transaction is not unconfirmed")

	// ErrInvalidHTLCTx: a FundHTLCTx request whose transaction is not an
	// unsigned one-input one-output HTLC transaction of version 2, or
	// whose other fields do not fit it.
	ErrInvalidHTLCTx = errors.New("wallet: invalid HTLC transaction")

	// ErrSpent: the output is already spent by a confirmed transaction of
	// the wallet (FundHTLCTx of an HTLC output claimed before).
	ErrSpent = errors.New("wallet: output already spent")
)

// InsufficientFundsError is ErrInsufficientFunds with the numbers.
type InsufficientFundsError struct {
	// Needed is the amount plus the fee at the chosen rate.
	Needed btcutil.Amount
	// Available is what the spendable coins are worth.
	Available btcutil.Amount
}

// Missing is how much more the wallet needs.
func (e *InsufficientFundsError) Missing() btcutil.Amount { return e.Needed - e.Available }

// Error implements error.
func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("wallet: insufficient funds: need %d sat, have %d sat spendable, missing %d sat",
		int64(e.Needed), int64(e.Available), int64(e.Missing()))
}

// Is matches ErrInsufficientFunds.
func (e *InsufficientFundsError) Is(target error) bool { return target == ErrInsufficientFunds }

// AbsurdFeeError is ErrAbsurdFee with the numbers.
type AbsurdFeeError struct {
	// Fee is the transaction's fee.
	Fee btcutil.Amount
	// Amount is what it sends (or sweeps).
	Amount btcutil.Amount
	// Reason says which limit it breaks.
	Reason string
}

// Error implements error.
func (e *AbsurdFeeError) Error() string {
	return fmt.Sprintf("wallet: absurd fee: %d sat for %d sat: %s", int64(e.Fee), int64(e.Amount), e.Reason)
}

// Is matches ErrAbsurdFee.
func (e *AbsurdFeeError) Is(target error) bool { return target == ErrAbsurdFee }

// OutputError is ErrUnknownOutput or ErrLocked naming the outpoint.
type OutputError struct {
	OutPoint btcwire.OutPoint
	Err      error
}

// Error implements error.
func (e *OutputError) Error() string { return fmt.Sprintf("%v: %v", e.Err, e.OutPoint) }

// Unwrap returns the sentinel.
func (e *OutputError) Unwrap() error { return e.Err }
