package wallet

import (
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"
)

// pinnedAddrs are the first P2WPKH, P2TR and second P2WPKH mainnet
// receive addresses of testSeed(7). They must never change.
var pinnedAddrs = []string{
	"bc1qgw36gfgzw89r6cvkexzlfmekku5pn49w4md7ee",
	"bc1pvvz2z4c5mx9l23ryqdjt4y4f0d4sr9yc9un9chqwr5wvqp3hyy9qfl57pw",
	"bc1qae7zap7wqk6z0hkljxhzc6wlwz5vma7h5yz2dg",
}

// TestBIPVectors checks the BIP 84 and BIP 86 paths against the BIPs' test
// vectors (BIP 39 seed of "abandon ... about").
func TestBIPVectors(t *testing.T) {
	seed, err := hex.DecodeString("5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4")
	require.NoError(t, err)
	kc, err := keychainFromBIP32Seed(seed, &chaincfg.MainNetParams)
	require.NoError(t, err)
	tests := []struct {
		ref  keyRef
		addr string
	}{
		{keyRef{Branch: branchWPKHReceive, Index: 0}, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"},
		{keyRef{Branch: branchWPKHReceive, Index: 1}, "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"},
		{keyRef{Branch: branchWPKHChange, Index: 0}, "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"},
		{keyRef{Branch: branchTRReceive, Index: 0}, "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"},
		{keyRef{Branch: branchTRReceive, Index: 1}, "bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh"},
		{keyRef{Branch: branchTRChange, Index: 0}, "bc1p3qkhfews2uk44qtvauqyr2ttdsw7svhkl9nkm9s9c3x4ax5h60wqwruhk7"},
	}
	w := &Wallet{cfg: Config{Params: &chaincfg.MainNetParams}}
	for _, tc := range tests {
		script, err := kc.script(tc.ref)
		require.NoError(t, err)
		addr, err := w.address(script)
		require.NoError(t, err)
		require.Equal(t, tc.addr, addr.EncodeAddress(), "%+v", tc.ref)
	}
}
