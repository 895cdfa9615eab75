package wire

import "errors"

// Sentinel errors of the BOLT 7 decoders (wrapped in a *DecodeError).
var (
	// ErrUnknownEncoding means an encoded_ array of a gossip query used an
	// encoding type other than 0 (uncompressed) or 1 (zlib).
	ErrUnknownEncoding = errors.New("wire: unknown encoding type")
	// ErrInvalidZlib means zlib-encoded data was corrupt, failed its
	// checksum or was followed by stray bytes.
	ErrInvalidZlib = errors.New("wire: invalid zlib data")
	// ErrDecompressedTooLarge means zlib-encoded data inflated beyond
	// MaxDecompressedSize; decoding stops there.
	ErrDecompressedTooLarge = errors.New("wire: zlib data inflates beyond the limit")
	// ErrArrayLength means an array's byte length was not a whole number
	// of elements.
	ErrArrayLength = errors.New("wire: array length is not a whole number of elements")
	// ErrArrayCount means a per-channel array (query flags, timestamps,
	// checksums) did not have exactly one entry per short_channel_id.
	ErrArrayCount = errors.New("wire: array does not have one entry per short_channel_id")
)
