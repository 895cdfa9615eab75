package keys

import (
	"errors"
	"fmt"
	"io/fs"
)

var (
	// ErrIndexOutOfRange means a per-commitment secret index is above
	// MaxShachainIndex (indexes have 48 bits).
	ErrIndexOutOfRange = errors.New("keys: per-commitment index out of range")

	// ErrCommitmentNumberTooLarge means a commitment number is above
	// MaxCommitmentNumber (commitment numbers have 48 bits).
	ErrCommitmentNumberTooLarge = errors.New("keys: commitment number too large")

	// ErrUnexpectedIndex means a secret was inserted into a SecretStore out of
	// order: secrets must arrive one at a time, in descending index order,
	// starting at MaxShachainIndex.
	ErrUnexpectedIndex = errors.New("keys: unexpected per-commitment index")

	// ErrSecretMismatch means a per-commitment secret does not derive the
	// secrets received before it: the counterparty did not generate them
	// from one seed as BOLT 3 requires.
	ErrSecretMismatch = errors.New("keys: per-commitment secret does not derive earlier secrets")

	// ErrSecretUnknown means a SecretStore has not received (and cannot
	// derive) the secret at the requested index.
	ErrSecretUnknown = errors.New("keys: per-commitment secret not known")

	// ErrInvalidSecretStore means a serialized SecretStore is malformed.
	ErrInvalidSecretStore = errors.New("keys: invalid secret store encoding")

	// ErrInvalidSecret means a 32-byte secret is not a valid secp256k1
	// private key (it is zero or not below the group order).
	ErrInvalidSecret = errors.New("keys: secret is not a valid private key")

	// ErrInvalidPublicKey means a public key is nil or not on the curve.
	ErrInvalidPublicKey = errors.New("keys: invalid public key")

	// ErrInvalidZBase32 means a string is not canonical zbase32.
	ErrInvalidZBase32 = errors.New("keys: invalid zbase32")

	// ErrInvalidMessageSignature means a message signature is malformed or
	// does not recover a public key.
	ErrInvalidMessageSignature = errors.New("keys: invalid message signature")

	// ErrSignerMismatch means a well-formed message signature was made by
	// another node than the expected one.
	ErrSignerMismatch = errors.New("keys: message signed by another node")

	// ErrSeedFileSize means a seed file does not hold exactly 32 bytes.
	ErrSeedFileSize = errors.New("keys: seed file must hold exactly 32 bytes")

	// ErrSeedFilePermissions means a seed file can be read or written by
	// its group or by others, or is not a regular file.
	ErrSeedFilePermissions = errors.New("keys: seed file permissions too open")
)

// SecretMismatchError reports a per-commitment secret that does not derive a
// secret received earlier. It matches ErrSecretMismatch with errors.Is.
type SecretMismatchError struct {
	// Index is the shachain index of the rejected secret.
	Index uint64
	// KnownIndex is the shachain index of the earlier secret it fails to derive.
	KnownIndex uint64
}

// Error implements error.
func (e *SecretMismatchError) Error() string {
	return fmt.Sprintf("keys: per-commitment secret for index %d does not derive the secret for index %d", e.Index, e.KnownIndex)
}

// Unwrap returns ErrSecretMismatch.
func (e *SecretMismatchError) Unwrap() error { return ErrSecretMismatch }

// CommitmentNumberError reports a commitment number above
// MaxCommitmentNumber. It matches ErrCommitmentNumberTooLarge with errors.Is.
type CommitmentNumberError struct {
	// Number is the rejected commitment number.
	Number uint64
}

// Error implements error.
func (e *CommitmentNumberError) Error() string {
	return fmt.Sprintf("keys: commitment number %d above maximum %d", e.Number, uint64(MaxCommitmentNumber))
}

// Unwrap returns ErrCommitmentNumberTooLarge.
func (e *CommitmentNumberError) Unwrap() error { return ErrCommitmentNumberTooLarge }

// IndexRangeError reports a per-commitment secret index above
// MaxShachainIndex. It matches ErrIndexOutOfRange with errors.Is.
type IndexRangeError struct {
	// Index is the rejected index.
	Index uint64
}

// Error implements error.
func (e *IndexRangeError) Error() string {
	return fmt.Sprintf("keys: per-commitment index %d above maximum %d", e.Index, uint64(MaxShachainIndex))
}

// Unwrap returns ErrIndexOutOfRange.
func (e *IndexRangeError) Unwrap() error { return ErrIndexOutOfRange }

// SeedFileError reports a seed file that ReadSeedFile refused. It unwraps to
// ErrSeedFileSize or ErrSeedFilePermissions.
type SeedFileError struct {
	// Path is the seed file's path.
	Path string
	// Mode is the file's mode as found.
	Mode fs.FileMode
	// Size is the file's size in bytes as found.
	Size int64
	// Err is ErrSeedFileSize or ErrSeedFilePermissions.
	Err error
}

// Error implements error.
func (e *SeedFileError) Error() string {
	switch e.Err {
	case ErrSeedFileSize:
		return fmt.Sprintf("keys: seed file %s: size %d, want 32 bytes", e.Path, e.Size)
	case ErrSeedFilePermissions:
		return fmt.Sprintf("keys: seed file %s: mode %v, want a regular file with mode 0600 or stricter", e.Path, e.Mode)
	}
	return fmt.Sprintf("keys: seed file %s: %v", e.Path, e.Err)
}

// Unwrap returns the underlying sentinel error.
func (e *SeedFileError) Unwrap() error { return e.Err }
