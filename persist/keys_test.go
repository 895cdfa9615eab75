package persist

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateKey(t *testing.T) {
	long := strings.Repeat("a", MaxNameLen)
	tests := []struct {
		name string
		ns   Namespace
		key  string
		ok   bool
	}{
		{"top level", Namespace{}, "k", true},
		{"primary only", Namespace{Primary: "monitors"}, "k-1_A", true},
		{"both", Namespace{Primary: "p", Secondary: "s"}, "k", true},
		{"max lengths", Namespace{Primary: long, Secondary: long}, long, true},
		{"empty key", Namespace{Primary: "p"}, "", false},
		{"secondary without primary", Namespace{Secondary: "s"}, "k", false},
		{"key too long", Namespace{}, long + "a", false},
		{"primary too long", Namespace{Primary: long + "a"}, "k", false},
		{"slash", Namespace{}, "a/b", false},
		{"dot", Namespace{}, "..", false},
		{"space", Namespace{Primary: "a b"}, "k", false},
		{"non-ascii", Namespace{}, "é", false},
		{"nul", Namespace{}, "a\x00", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateKey(tc.ns, tc.key)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidKey)
		})
	}
}

func TestValidateOpValueSize(t *testing.T) {
	require.NoError(t, ValidateOp(WriteOp(Namespace{}, "k", make([]byte, MaxValueSize))))
	require.ErrorIs(t, ValidateOp(WriteOp(Namespace{}, "k", make([]byte, MaxValueSize+1))), ErrInvalidKey)
	require.NoError(t, ValidateOp(RemoveOp(Namespace{}, "k")))
}
