package wire

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMessageTable checks the table is in strictly increasing type order
// (lookupMessage searches it), that each row's constructor makes an empty
// message of the row's type, and that names and lookups agree.
func TestMessageTable(t *testing.T) {
	names := make(map[string]bool)
	for i, row := range messageTable {
		if i > 0 {
			require.Greater(t, row.typ, messageTable[i-1].typ, "row %d (%s) is out of order", i, row.name)
		}
		require.False(t, row.typ.IsCustom(), row.name)
		require.False(t, names[row.name], "name %s twice", row.name)
		names[row.name] = true
		m := NewMessage(row.typ)
		require.NotNil(t, m, row.name)
		require.Equal(t, row.typ, m.Type(), row.name)
		require.Equal(t, row.name, row.typ.String())
		require.NotSame(t, m, NewMessage(row.typ), "constructors return a new message each time")
	}
	require.Equal(t, len(messageTable), len(KnownMessageTypes()))
	for _, typ := range []MessageType{0, 3, 260, 1001, 32767} {
		require.Nil(t, NewMessage(typ), "type %d", typ)
		require.Equal(t, "message "+strconv.Itoa(int(typ)), typ.String())
	}
	require.IsType(t, &Custom{}, NewMessage(MinCustomMessageType))
}
