package invoice

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// Fallback versions beyond the witness versions 0 to 16.
const (
	// FallbackP2PKH is the f field version of a pay-to-pubkey-hash address.
	FallbackP2PKH byte = 17
	// FallbackP2SH is the f field version of a pay-to-script-hash address.
	FallbackP2SH byte = 18
	// maxWitnessVersion is the highest segwit version.
	maxWitnessVersion byte = 16
)

// Fallback is an on-chain fallback address as an f field carries it: a
// version (0 to 16 for segwit, FallbackP2PKH, FallbackP2SH) and a program
// (the witness program, or the 20-byte hash).
type Fallback struct {
	// Version is the witness version, FallbackP2PKH or FallbackP2SH.
	Version byte
	// Program is the witness program or the pubkey/script hash.
	Program []byte
}

// validate checks the program length of a known version (BIP 141: witness
// programs of 2 to 40 bytes, 20 or 32 for version 0).
func (f Fallback) validate() error {
	n := len(f.Program)
	switch {
	case f.Version == FallbackP2PKH || f.Version == FallbackP2SH:
		if n != 20 {
			return fmt.Errorf("version %d needs a 20-byte hash, got %d bytes", f.Version, n)
		}
	case f.Version == 0:
		if n != 20 && n != 32 {
			return fmt.Errorf("witness version 0 needs a 20- or 32-byte program, got %d bytes", n)
		}
	case f.Version <= maxWitnessVersion:
		if n < 2 || n > 40 {
			return fmt.Errorf("witness version %d needs a 2- to 40-byte program, got %d bytes", f.Version, n)
		}
	default:
		return fmt.Errorf("unknown fallback version %d", f.Version)
	}
	return nil
}

// parseFallback decodes an f field. known is false for versions 19 to 31,
// which readers skip.
func parseFallback(groups []byte) (fb Fallback, known bool, err error) {
	if len(groups) == 0 {
		return Fallback{}, false, newError("f", ErrInvalidField, "empty")
	}
	fb.Version = groups[0]
	if fb.Version > FallbackP2SH {
		return Fallback{}, false, nil
	}
	fb.Program = make([]byte, bytesLen(len(groups)-1))
	if !unpackGroups(fb.Program, groups[1:]) {
		return Fallback{}, false, newError("f", ErrInvalidField, "non-zero or excess padding")
	}
	if err := fb.validate(); err != nil {
		return Fallback{}, false, newError("f", ErrInvalidField, err.Error())
	}
	return fb, true, nil
}

// appendFallback appends the data groups of an f field.
func appendFallback(dst []byte, fb Fallback) []byte {
	dst = append(dst, fb.Version)
	return appendGroups(dst, fb.Program)
}

// Address returns the fallback as an address of net: a
// *btcutil.AddressPubKeyHash, *btcutil.AddressScriptHash,
// *btcutil.AddressWitnessPubKeyHash, *btcutil.AddressWitnessScriptHash,
// *btcutil.AddressTaproot, or a *WitnessAddress for other witness versions
// and program lengths.
func (f Fallback) Address(net *chaincfg.Params) (btcutil.Address, error) {
	if err := f.validate(); err != nil {
		return nil, newError("f", ErrInvalidField, err.Error())
	}
	switch {
	case f.Version == FallbackP2PKH:
		return btcutil.NewAddressPubKeyHash(f.Program, net)
	case f.Version == FallbackP2SH:
		return btcutil.NewAddressScriptHashFromHash(f.Program, net)
	case f.Version == 0 && len(f.Program) == 20:
		return btcutil.NewAddressWitnessPubKeyHash(f.Program, net)
	case f.Version == 0:
		return btcutil.NewAddressWitnessScriptHash(f.Program, net)
	case f.Version == 1 && len(f.Program) == 32:
		return btcutil.NewAddressTaproot(f.Program, net)
	default:
		return &WitnessAddress{
			hrp:     net.Bech32HRPSegwit,
			version: f.Version,
			program: append([]byte(nil), f.Program...),
		}, nil
	}
}

// PkScript returns the output script the fallback pays to.
func (f Fallback) PkScript() ([]byte, error) {
	if err := f.validate(); err != nil {
		return nil, newError("f", ErrInvalidField, err.Error())
	}
	b := txscript.NewScriptBuilder()
	switch f.Version {
	case FallbackP2PKH:
		b.AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).AddData(f.Program).
			AddOp(txscript.OP_EQUALVERIFY).AddOp(txscript.OP_CHECKSIG)
	case FallbackP2SH:
		b.AddOp(txscript.OP_HASH160).AddData(f.Program).AddOp(txscript.OP_EQUAL)
	default:
		b.AddOp(witnessVersionOp(f.Version)).AddData(f.Program)
	}
	return b.Script()
}

// witnessVersionOp returns the opcode pushing a witness version.
func witnessVersionOp(v byte) byte {
	if v == 0 {
		return txscript.OP_0
	}
	return txscript.OP_1 + v - 1
}

// fallbackFromAddress converts an address to an f field value, checking it
// belongs to net.
func fallbackFromAddress(addr btcutil.Address, net *chaincfg.Params) (Fallback, error) {
	if addr == nil {
		return Fallback{}, fmt.Errorf("nil address")
	}
	if !addr.IsForNet(net) {
		return Fallback{}, fmt.Errorf("address %s is not for network %s", addr, net.Name)
	}
	var fb Fallback
	switch a := addr.(type) {
	case *btcutil.AddressPubKeyHash:
		fb = Fallback{Version: FallbackP2PKH, Program: append([]byte(nil), a.Hash160()[:]...)}
	case *btcutil.AddressScriptHash:
		fb = Fallback{Version: FallbackP2SH, Program: append([]byte(nil), a.Hash160()[:]...)}
	case *btcutil.AddressPubKey:
		fb = Fallback{Version: FallbackP2PKH, Program: append([]byte(nil), a.AddressPubKeyHash().Hash160()[:]...)}
	case interface {
		WitnessVersion() byte
		WitnessProgram() []byte
	}:
		fb = Fallback{Version: a.WitnessVersion(), Program: append([]byte(nil), a.WitnessProgram()...)}
	default:
		return Fallback{}, fmt.Errorf("unsupported address type %T", addr)
	}
	if err := fb.validate(); err != nil {
		return Fallback{}, err
	}
	return fb, nil
}

// WitnessAddress is a segwit address that btcutil has no type for: witness
// versions 2 to 16, or version 1 with a program other than 32 bytes. It
// implements btcutil.Address and encodes in bech32m (BIP 350).
type WitnessAddress struct {
	hrp     string
	version byte
	program []byte
}

// EncodeAddress returns the bech32m encoding, e.g. "bc1z...".
func (a *WitnessAddress) EncodeAddress() string {
	groups := appendGroups([]byte{a.version}, a.program)
	return string(appendBech32(nil, a.hrp, groups, bech32mConst))
}

// String returns EncodeAddress.
func (a *WitnessAddress) String() string { return a.EncodeAddress() }

// ScriptAddress returns the witness program, as btcutil's segwit addresses do.
func (a *WitnessAddress) ScriptAddress() []byte { return append([]byte(nil), a.program...) }

// IsForNet reports whether the address's human-readable part is net's.
func (a *WitnessAddress) IsForNet(net *chaincfg.Params) bool {
	return net != nil && net.Bech32HRPSegwit == a.hrp
}

// WitnessVersion returns the witness version.
func (a *WitnessAddress) WitnessVersion() byte { return a.version }

// WitnessProgram returns a copy of the witness program.
func (a *WitnessAddress) WitnessProgram() []byte { return append([]byte(nil), a.program...) }
