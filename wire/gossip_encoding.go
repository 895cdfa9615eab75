package wire

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
)

// QueryEncoding is the encoding_type byte that starts the encoded_ arrays
// of the BOLT 7 query messages (short channel ids, query flags,
// timestamps).
type QueryEncoding uint8

const (
	// QueryEncodingUncompressed is encoding 0: the elements, concatenated.
	QueryEncodingUncompressed QueryEncoding = 0
	// QueryEncodingZlib is encoding 1: the uncompressed form, zlib
	// compressed. BOLT 7 now forbids senders to use it; lnkit decodes it
	// (bounded by MaxDecompressedSize) for older peers, and encodes it
	// only when a message asks for it explicitly.
	QueryEncodingZlib QueryEncoding = 1
)

// String returns "uncompressed", "zlib" or "encoding(n)".
func (e QueryEncoding) String() string {
	switch e {
	case QueryEncodingUncompressed:
		return "uncompressed"
	case QueryEncodingZlib:
		return "zlib"
	default:
		return fmt.Sprintf("encoding(%d)", uint8(e))
	}
}

// MaxDecompressedSize bounds the inflated size of one zlib-encoded array:
// the largest array an uncompressed message could carry. Anything larger
// could never have been sent uncompressed and is treated as a
// decompression bomb.
const MaxDecompressedSize = MaxMessageSize

// arrayOrigin remembers an encoded_ array as it was received when
// re-encoding its contents would not give back the same bytes: zlib data
// (zlib output differs between implementations and levels), a zlib array
// sent with no compressed data at all (lnd's form of an empty list), or a
// field with no encoding byte. A decoded message then re-encodes to the
// same bytes as long as the array's contents are unchanged.
type arrayOrigin struct {
	enc   QueryEncoding
	plain []byte
	raw   []byte // the array as received, encoding byte included
}

// decodeQueryArray splits an encoded_ array (encoding byte first) into its
// encoding and its uncompressed bytes. For encoding 0 plain aliases data.
// An empty array (no encoding byte) and a zlib array without data are
// accepted as empty. The origin is nil when plain re-encodes to data.
func decodeQueryArray(data []byte) (QueryEncoding, []byte, *arrayOrigin, error) {
	if len(data) == 0 {
		return QueryEncodingUncompressed, nil, &arrayOrigin{enc: QueryEncodingUncompressed}, nil
	}
	enc := QueryEncoding(data[0])
	switch enc {
	case QueryEncodingUncompressed:
		return enc, data[1:], nil, nil
	case QueryEncodingZlib:
		var plain []byte
		if len(data) > 1 {
			var err error
			if plain, err = inflateBounded(data[1:], MaxDecompressedSize); err != nil {
				return enc, nil, nil, err
			}
		}
		return enc, plain, &arrayOrigin{enc: enc, plain: plain, raw: append([]byte(nil), data...)}, nil
	default:
		return enc, nil, nil, ErrUnknownEncoding
	}
}

// inflateBounded decompresses a zlib stream, failing with
// ErrDecompressedTooLarge as soon as the output would exceed limit bytes,
// and with ErrInvalidZlib on corrupt data, a bad checksum or bytes after
// the stream.
func inflateBounded(src []byte, limit int) ([]byte, error) {
	br := bytes.NewReader(src)
	zr, err := zlib.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidZlib, err)
	}
	defer zr.Close()
	var out bytes.Buffer
	// Reading one byte past the limit tells "exactly limit" from "more".
	n, err := out.ReadFrom(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: truncated stream", ErrInvalidZlib)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidZlib, err)
	}
	if n > int64(limit) {
		return nil, ErrDecompressedTooLarge
	}
	// The zlib reader reads a bytes.Reader byte by byte, so what is left is
	// exactly what follows the stream.
	if br.Len() != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the stream", ErrInvalidZlib, br.Len())
	}
	return out.Bytes(), nil
}

// appendQueryArray appends the encoded form (encoding byte and data) of the
// uncompressed array plain. An array whose encoding and contents still
// equal its origin's is re-emitted as received.
func appendQueryArray(b []byte, enc QueryEncoding, plain []byte, origin *arrayOrigin) ([]byte, error) {
	if origin != nil && origin.enc == enc && bytes.Equal(origin.plain, plain) {
		return append(b, origin.raw...), nil
	}
	switch enc {
	case QueryEncodingUncompressed:
		b = append(b, byte(enc))
		return append(b, plain...), nil
	case QueryEncodingZlib:
		b = append(b, byte(enc))
		var buf bytes.Buffer
		zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
		if err != nil {
			return b, err
		}
		if _, err := zw.Write(plain); err != nil {
			return b, err
		}
		if err := zw.Close(); err != nil {
			return b, err
		}
		return append(b, buf.Bytes()...), nil
	default:
		return b, fmt.Errorf("wire: %v: %w", enc, ErrUnknownEncoding)
	}
}
