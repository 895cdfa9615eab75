package invoice

import (
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

// TestFallbackFutureWitness checks addresses and scripts of witness
// versions btcutil has no type for, against the BIP 350 examples.
func TestFallbackFutureWitness(t *testing.T) {
	cases := []struct {
		version byte
		program string
		address string
		script  string
	}{
		{2, "751e76e8199196d454941c45d1b3a323", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"},
		{16, "751e", "bc1sw50qgdz25j", "6002751e"},
		{1, "751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
	}
	for _, c := range cases {
		fb := Fallback{Version: c.version, Program: mustHex(t, c.program)}
		addr, err := fb.Address(&chaincfg.MainNetParams)
		if err != nil {
			t.Fatal(err)
		}
		if addr.EncodeAddress() != c.address || addr.String() != c.address {
			t.Errorf("v%d: address %s, want %s", c.version, addr, c.address)
		}
		if !addr.IsForNet(&chaincfg.MainNetParams) || addr.IsForNet(&chaincfg.TestNet3Params) {
			t.Errorf("v%d: IsForNet", c.version)
		}
		if hex.EncodeToString(addr.ScriptAddress()) != c.program {
			t.Errorf("v%d: ScriptAddress %x", c.version, addr.ScriptAddress())
		}
		script, err := fb.PkScript()
		if err != nil || hex.EncodeToString(script) != c.script {
			t.Errorf("v%d: script %x (%v), want %s", c.version, script, err, c.script)
		}
		back, err := fallbackFromAddress(addr, &chaincfg.MainNetParams)
		if err != nil || back.Version != c.version || hex.EncodeToString(back.Program) != c.program {
			t.Errorf("v%d: fallbackFromAddress %+v, %v", c.version, back, err)
		}
	}
	if _, err := (Fallback{Version: 20, Program: make([]byte, 20)}).Address(&chaincfg.MainNetParams); err == nil {
		t.Error("unknown version has an address")
	}
	if _, err := (Fallback{Version: 0, Program: make([]byte, 21)}).PkScript(); err == nil {
		t.Error("bad program has a script")
	}
}
