package invoice

import (
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"
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
		require.NoError(t, err)
		require.Equal(t, c.address, addr.EncodeAddress(), "v%d: address %s, want %s", c.version, addr, c.address)
		require.Equal(t, c.address, addr.String(), "v%d: address %s, want %s", c.version, addr, c.address)
		require.True(t, addr.IsForNet(&chaincfg.MainNetParams), "v%d: IsForNet", c.version)
		require.False(t, addr.IsForNet(&chaincfg.TestNet3Params), "v%d: IsForNet", c.version)
		require.Equal(t, c.program, hex.EncodeToString(addr.ScriptAddress()), "v%d: ScriptAddress %x", c.version, addr.ScriptAddress())
		script, err := fb.PkScript()
		require.NoError(t, err, "v%d: script %x (%v), want %s", c.version, script, err, c.script)
		require.Equal(t, c.script, hex.EncodeToString(script), "v%d: script %x (%v), want %s", c.version, script, err, c.script)
		back, err := fallbackFromAddress(addr, &chaincfg.MainNetParams)
		require.NoError(t, err, "v%d: fallbackFromAddress %+v", c.version, back)
		require.Equal(t, c.version, back.Version, "v%d: fallbackFromAddress %+v, %v", c.version, back, err)
		require.Equal(t, c.program, hex.EncodeToString(back.Program), "v%d: fallbackFromAddress %+v, %v", c.version, back, err)
	}
	_, err := (Fallback{Version: 20, Program: make([]byte, 20)}).Address(&chaincfg.MainNetParams)
	require.Error(t, err, "unknown version has an address")
	_, err = (Fallback{Version: 0, Program: make([]byte, 21)}).PkScript()
	require.Error(t, err, "bad program has a script")
}
