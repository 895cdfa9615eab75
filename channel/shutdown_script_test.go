package channel

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShutdownScriptPolicyAllows(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	z := func(n int) []byte { return make([]byte, n) }
	b := func(v ...byte) []byte { return v }
	none := ShutdownScriptPolicy{}
	all := ShutdownScriptPolicy{AnySegwit: true, SimpleClose: true, Legacy: true}
	cases := []struct {
		name   string
		script []byte
		need   ShutdownScriptPolicy // the least policy that allows it; zero: always
		never  bool
	}{
		{"P2WPKH", cat(b(0x00, 20), z(20)), none, false},
		{"P2WSH", cat(b(0x00, 32), z(32)), none, false},
		{"P2TR", cat(b(0x51, 32), z(32)), ShutdownScriptPolicy{AnySegwit: true}, false},
		{"v16 2 bytes", cat(b(0x60, 2), z(2)), ShutdownScriptPolicy{AnySegwit: true}, false},
		{"v1 40 bytes", cat(b(0x51, 40), z(40)), ShutdownScriptPolicy{AnySegwit: true}, false},
		{"OP_RETURN 6", cat(b(0x6a, 6), z(6)), ShutdownScriptPolicy{SimpleClose: true}, false},
		{"OP_RETURN 75", cat(b(0x6a, 75), z(75)), ShutdownScriptPolicy{SimpleClose: true}, false},
		{"OP_RETURN PUSHDATA1 76", cat(b(0x6a, 0x4c, 76), z(76)), ShutdownScriptPolicy{SimpleClose: true}, false},
		{"OP_RETURN PUSHDATA1 80", cat(b(0x6a, 0x4c, 80), z(80)), ShutdownScriptPolicy{SimpleClose: true}, false},
		{"P2PKH", cat(b(0x76, 0xa9, 20), z(20), b(0x88, 0xac)), ShutdownScriptPolicy{Legacy: true}, false},
		{"P2SH", cat(b(0xa9, 20), z(20), b(0x87)), ShutdownScriptPolicy{Legacy: true}, false},
		{"empty", nil, none, true},
		{"v0 21 bytes", cat(b(0x00, 21), z(21)), none, true},
		{"v0 push length wrong", cat(b(0x00, 20), z(21)), none, true},
		{"v1 1 byte", cat(b(0x51, 1), z(1)), none, true},
		{"v1 41 bytes", cat(b(0x51, 41), z(41)), none, true},
		{"v1 push length wrong", cat(b(0x51, 32), z(31)), none, true},
		{"OP_RETURN alone", b(0x6a), none, true},
		{"OP_RETURN 5", cat(b(0x6a, 5), z(5)), none, true},
		{"OP_RETURN PUSHDATA1 75", cat(b(0x6a, 0x4c, 75), z(75)), none, true},
		{"OP_RETURN PUSHDATA1 81", cat(b(0x6a, 0x4c, 81), z(81)), none, true},
		{"OP_RETURN trailing byte", cat(b(0x6a, 6), z(7)), none, true},
		{"P2PKH wrong opcode", cat(b(0x76, 0xa9, 20), z(20), b(0x88, 0xad)), none, true},
		{"P2SH wrong length", cat(b(0xa9, 21), z(21), b(0x87)), none, true},
		{"bare multisig", b(0x51, 0x21), none, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.never {
				require.False(t, all.Allows(tc.script))
				return
			}
			require.True(t, tc.need.Allows(tc.script))
			require.True(t, all.Allows(tc.script))
			if tc.need != none {
				require.False(t, none.Allows(tc.script))
			}
		})
	}
}
