package wire

import (
	"encoding/binary"
	"fmt"
)

// appendEncodedShortIDs appends a u16 length and the encoded_short_ids
// array (encoding byte first) of ids.
func appendEncodedShortIDs(b []byte, msg string, enc QueryEncoding, ids []ShortChannelID, origin *arrayOrigin) ([]byte, error) {
	start := len(b)
	b = append(b, 0, 0)
	if enc == QueryEncodingUncompressed && origin == nil {
		b = append(b, byte(enc))
		for _, id := range ids {
			b = appendU64(b, id.ToUint64())
		}
	} else {
		plain := make([]byte, 0, 8*len(ids))
		for _, id := range ids {
			plain = appendU64(plain, id.ToUint64())
		}
		var err error
		if b, err = appendQueryArray(b, enc, plain, origin); err != nil {
			return b[:start], fmt.Errorf("wire: %s.encoded_short_ids: %w", msg, err)
		}
	}
	n := len(b) - start - 2
	if n > 0xFFFF {
		return b[:start], fmt.Errorf("wire: %s.encoded_short_ids is %d bytes, more than 65535: %w", msg, n, ErrMessageTooLarge)
	}
	binary.BigEndian.PutUint16(b[start:], uint16(n))
	return b, nil
}

// decodeEncodedShortIDs decodes an encoded_short_ids array (encoding byte
// first).
func decodeEncodedShortIDs(data []byte) (QueryEncoding, []ShortChannelID, *arrayOrigin, error) {
	enc, plain, origin, err := decodeQueryArray(data)
	if err != nil {
		return 0, nil, nil, err
	}
	if len(plain)%8 != 0 {
		return 0, nil, nil, ErrArrayLength
	}
	if len(plain) == 0 {
		return enc, nil, origin, nil
	}
	ids := make([]ShortChannelID, len(plain)/8)
	for i := range ids {
		ids[i] = NewShortChannelID(binary.BigEndian.Uint64(plain[8*i:]))
	}
	return enc, ids, origin, nil
}
