package channel

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

// FuzzDecodeChanData: decoding any bytes as a channel record never panics
// and fails only with ErrCorruptRecord or persist.ErrNewerVersion; what it
// accepts encodes again, and decoding that gives the same channel and the
// same bytes once more (decode, encode, decode is stable).
func FuzzDecodeChanData(f *testing.F) {
	for _, c := range recordCases() {
		rec, err := encodeChanData(recordChanData(f, c))
		require.NoError(f, err)
		f.Add(rec)
	}
	f.Add([]byte{ChannelFormat.Type, ChannelFormat.Major, ChannelFormat.Minor})
	f.Add([]byte{ChannelFormat.Type, ChannelFormat.Major + 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeChanData(data, recordProvider{})
		if err != nil {
			if !errors.Is(err, ErrCorruptRecord) {
				require.ErrorIs(t, err, persist.ErrNewerVersion)
			}
			return
		}
		require.NotNil(t, d.ch)
		requireStableChanData(t, d)
	})
}
