package channel

import "github.com/btcsuite/btcd/txscript"

// ShutdownScriptPolicy says which shutdown scriptpubkey forms are allowed
// between two nodes (BOLT 2, "Closing Initiation: shutdown").
type ShutdownScriptPolicy struct {
	// AnySegwit: option_shutdown_anysegwit was negotiated, so witness
	// versions 1 to 16 with a 2 to 40 byte program are allowed.
	AnySegwit bool
	// SimpleClose: option_simple_close was negotiated, so a single-push
	// OP_RETURN of 6 to 80 bytes is allowed.
	SimpleClose bool
	// Legacy: P2PKH and P2SH, dropped from BOLT 2 but still sent by older
	// nodes, are accepted.
	Legacy bool
}

// Allows reports whether script is a shutdown scriptpubkey of an allowed
// form:
//
//   - OP_0 20 <20 bytes> (P2WPKH) or OP_0 32 <32 bytes> (P2WSH);
//   - with AnySegwit, OP_1..OP_16 followed by a single push of 2 to 40
//     bytes;
//   - with SimpleClose, OP_RETURN followed by a push of 6 to 75 bytes
//     (opcodes 6..75) or OP_PUSHDATA1 76..80 and that many bytes;
//   - with Legacy, OP_DUP OP_HASH160 20 <20> OP_EQUALVERIFY OP_CHECKSIG
//     (P2PKH) or OP_HASH160 20 <20> OP_EQUAL (P2SH).
func (p ShutdownScriptPolicy) Allows(script []byte) bool {
	n := len(script)
	switch {
	case n == 22 && script[0] == txscript.OP_0 && script[1] == 20,
		n == 34 && script[0] == txscript.OP_0 && script[1] == 32:
		return true
	case n >= 4 && n <= 42 && script[0] >= txscript.OP_1 && script[0] <= txscript.OP_16:
		return p.AnySegwit && int(script[1]) == n-2 && script[1] >= 2 && script[1] <= 40
	case n >= 1 && script[0] == txscript.OP_RETURN:
		return p.SimpleClose && isSinglePushReturn(script)
	case n == 25 && script[0] == txscript.OP_DUP && script[1] == txscript.OP_HASH160 &&
		script[2] == 20 && script[23] == txscript.OP_EQUALVERIFY && script[24] == txscript.OP_CHECKSIG:
		return p.Legacy
	case n == 23 && script[0] == txscript.OP_HASH160 && script[1] == 20 && script[22] == txscript.OP_EQUAL:
		return p.Legacy
	}
	return false
}

// isSinglePushReturn reports whether script is OP_RETURN and one push of 6
// to 80 bytes in the forms BOLT 2 allows.
func isSinglePushReturn(script []byte) bool {
	rest := script[1:]
	if len(rest) == 0 {
		return false
	}
	switch op := rest[0]; {
	case op >= 6 && op <= 75:
		return len(rest) == 1+int(op)
	case op == txscript.OP_PUSHDATA1:
		return len(rest) >= 2 && rest[1] >= 76 && rest[1] <= 80 && len(rest) == 2+int(rest[1])
	}
	return false
}
