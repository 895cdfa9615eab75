package channel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkEncodeChanData encodes a channel in normal operation (HTLCs
// both ways, a pending commitment_signed, pending monitor updates): the
// Manager does it at every monitor update.
func BenchmarkEncodeChanData(b *testing.B) {
	d := recordChanData(b, recordCases()[0])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeChanData(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeChanData decodes the same record, checks included: the
// Manager does it for every channel when it starts.
func BenchmarkDecodeChanData(b *testing.B) {
	rec, err := encodeChanData(recordChanData(b, recordCases()[0]))
	require.NoError(b, err)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeChanData(rec, recordProvider{}); err != nil {
			b.Fatal(err)
		}
	}
}
