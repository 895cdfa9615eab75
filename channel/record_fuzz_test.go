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
// same bytes once more (decode, encode, decode is stable). The seeds are
// the 1.1 records of every fixture (in normal operation with HTLCs,
// closing, at the first commitments; their update logs 1.1, with HTLC
// arrival times and attribution data), the 1.0 records of those a 1.0
// node could write, and the golden records (also a 1.1 record whose
// update log is 1.0).
func FuzzDecodeChanData(f *testing.F) {
	for _, c := range recordCases() {
		d := recordChanData(f, c)
		f.Add(mustEncodeChanData(f, d))
		if c.shape == recordMinimal || c.shape == recordReady {
			f.Add(recordLegacy(f, d, nil))
		}
	}
	for _, path := range []string{chanRecordGolden, chanRecordLog10Golden, chanRecordV10Golden, chanRecordV10Past} {
		f.Add(readGolden(f, path))
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
