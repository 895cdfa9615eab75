package rpc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBTCToSat covers the exact amount parser.
func TestBTCToSat(t *testing.T) {
	tests := []struct {
		in      string
		roundUp bool
		want    int64
		err     bool
	}{
		{in: "50.00000000", want: 50_0000_0000},
		{in: "0.00012345", want: 12345},
		{in: "0.00001", want: 1000},
		{in: "1e-05", want: 1000},
		{in: "1.2345E-4", want: 12345},
		{in: "1.5e+2", want: 150_0000_0000},
		{in: "-1", want: -1_0000_0000},
		{in: "0", want: 0},
		{in: "0.0", want: 0},
		{in: "21000000", want: 21_000_000_0000_0000},
		{in: "0.000000001", err: true},
		{in: "0.000000001", roundUp: true, want: 1},
		{in: "0.000123451", roundUp: true, want: 12346},
		{in: "0.000123450", want: 12345},
		{in: "1e-300", roundUp: true, want: 1},
		{in: "0e-300", want: 0},
		{in: "1e300", err: true},
		{in: "10000000000", err: true}, // 10^18 sat
		{in: "9999999999.99999999", want: 999_999_999_999_999_999},
		{in: "9999999999.999999991", roundUp: true, err: true},
		{in: "", err: true},
		{in: "-", err: true},
		{in: ".5", err: true},
		{in: "5.", err: true},
		{in: "1e", err: true},
		{in: "1e1234", err: true},
		{in: "0x10", err: true},
		{in: "1.2.3", err: true},
		{in: "NaN", err: true},
		{in: "1 ", err: true},
	}
	for _, tc := range tests {
		got, err := btcToSat(tc.in, tc.roundUp)
		if tc.err {
			require.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

// TestSatPerKvBToFeeRate covers the unit conversion and clamping.
func TestSatPerKvBToFeeRate(t *testing.T) {
	require.EqualValues(t, 253, satPerKvBToFeeRate(1))
	require.EqualValues(t, 253, satPerKvBToFeeRate(1000))
	require.EqualValues(t, 253, satPerKvBToFeeRate(1012))
	require.EqualValues(t, 254, satPerKvBToFeeRate(1013))
	require.EqualValues(t, 2500, satPerKvBToFeeRate(10000))
	require.EqualValues(t, 3087, satPerKvBToFeeRate(12345))
	require.EqualValues(t, uint32(0xffffffff), satPerKvBToFeeRate(1<<62))
}
