package wire_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// TestParseNodeIDErrors checks each error says once what is wrong.
func TestParseNodeIDErrors(t *testing.T) {
	offCurve := "02" + strings.Repeat("00", 32)
	tests := []struct {
		in, want string
	}{
		{"02abcd", `wire: node id "02abcd" is 6 characters, want 66 hex characters`},
		{strings.Repeat("z", 66), `wire: node id "` + strings.Repeat("z", 66) + `" is not hex`},
		{offCurve, "wire: node id " + offCurve + " is not a valid public key"},
		{strings.Repeat("a", 100), `wire: node id "` + strings.Repeat("a", 70) + `"... is 100 characters, want 66 hex characters`},
	}
	for _, tc := range tests {
		_, err := wire.ParseNodeID(tc.in)
		require.ErrorIs(t, err, wire.ErrInvalidPoint)
		require.Equal(t, tc.want, err.Error())
	}
	id, err := wire.ParseNodeID("02" + strings.Repeat("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", 1))
	require.NoError(t, err)
	require.Equal(t, "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", id.String())
}
