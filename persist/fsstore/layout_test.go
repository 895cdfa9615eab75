package fsstore

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

func TestFileNames(t *testing.T) {
	tests := []struct{ key, file string }{
		{"abc", "abc"},
		{"Abc", "^abc"},
		{"aBC-_9", "a^b^c-_9"},
		{strings.Repeat("Z", persist.MaxNameLen), strings.Repeat("^z", persist.MaxNameLen)},
	}
	for _, tc := range tests {
		require.Equal(t, tc.file, fileName(tc.key))
		key, ok := keyName(tc.file)
		require.True(t, ok, tc.file)
		require.Equal(t, tc.key, key)
	}
	for _, foreign := range []string{"k.tmp", "^", "a^", "^A", "^^a", "a b", "", ".hidden"} {
		_, ok := keyName(foreign)
		require.False(t, ok, foreign)
	}
	// Case-insensitively distinct.
	require.NotEqual(t, strings.ToLower(fileName("Key")), strings.ToLower(fileName("key")))
}
