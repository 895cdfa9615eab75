package wallet

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
)

// The derivation of the wallet's BIP 32 master key from the node seed
// (package documentation). Fixed forever: changing it loses every coin of
// existing wallets.
const (
	bip32SeedSalt = "lnkit wallet v1"
	bip32SeedInfo = "lnkit wallet bip32 seed"
	bip32SeedLen  = 64
)

// AddressType is the kind of address the wallet hands out.
type AddressType uint8

// The address types.
const (
	// P2WPKH is a BIP 84 native segwit v0 address (bc1q...).
	P2WPKH AddressType = iota + 1
	// P2TR is a BIP 86 taproot key-path address (bc1p...).
	P2TR
)

// String names the type: "p2wkh" or "p2tr", as lncli does.
func (t AddressType) String() string {
	switch t {
	case P2WPKH:
		return "p2wkh"
	case P2TR:
		return "p2tr"
	default:
		return fmt.Sprintf("address-type(%d)", uint8(t))
	}
}

// branch is one of the wallet's four chains of keys.
type branch uint8

// The four branches: BIP 84 receive and change, BIP 86 receive and change.
const (
	branchWPKHReceive branch = iota
	branchWPKHChange
	branchTRReceive
	branchTRChange
	numBranches
)

// addrType returns the branch's address type.
func (b branch) addrType() AddressType {
	if b >= branchTRReceive {
		return P2TR
	}
	return P2WPKH
}

// branchOf returns the branch of an address type.
func branchOf(t AddressType, change bool) branch {
	b := branchWPKHReceive
	if t == P2TR {
		b = branchTRReceive
	}
	if change {
		b++
	}
	return b
}

// keyRef locates a wallet key: its branch and index.
type keyRef struct {
	Branch branch
	Index  uint32
}

// keychain holds the four branch keys m/purpose'/coin'/0'/change, private
// (for signing) and public (to derive scripts cheaply).
type keychain struct {
	branches [numBranches]*hdkeychain.ExtendedKey
	public   [numBranches]*hdkeychain.ExtendedKey
}

// bip32Seed derives the wallet's 64-byte BIP 32 seed from the node seed:
// HKDF-SHA256(ikm = seed, salt = "lnkit wallet v1", info = "lnkit wallet
// bip32 seed", 64 bytes).
func bip32Seed(seed *keys.Seed) ([]byte, error) {
	return hkdf.Key(sha256.New, seed[:], []byte(bip32SeedSalt), bip32SeedInfo, bip32SeedLen)
}

// newKeychain derives the branch keys of seed for params.
func newKeychain(seed *keys.Seed, params *chaincfg.Params) (*keychain, error) {
	s, err := bip32Seed(seed)
	if err != nil {
		return nil, fmt.Errorf("wallet: derive bip32 seed: %w", err)
	}
	defer clear(s)
	return keychainFromBIP32Seed(s, params)
}

// keychainFromBIP32Seed derives the branch keys of a BIP 32 seed.
func keychainFromBIP32Seed(s []byte, params *chaincfg.Params) (*keychain, error) {
	master, err := hdkeychain.NewMaster(s, params)
	if err != nil {
		return nil, fmt.Errorf("wallet: bip32 master: %w", err)
	}
	defer master.Zero()
	kc := &keychain{}
	for _, purpose := range []uint32{84, 86} {
		acct, err := derivePath(master, hdkeychain.HardenedKeyStart+purpose,
			hdkeychain.HardenedKeyStart+params.HDCoinType, hdkeychain.HardenedKeyStart)
		if err != nil {
			return nil, err
		}
		for change := uint32(0); change < 2; change++ {
			k, err := acct.Derive(change)
			if err != nil {
				return nil, fmt.Errorf("wallet: derive branch: %w", err)
			}
			b := branchWPKHReceive
			if purpose == 86 {
				b = branchTRReceive
			}
			pub, err := k.Neuter()
			if err != nil {
				return nil, fmt.Errorf("wallet: neuter branch: %w", err)
			}
			kc.branches[b+branch(change)] = k
			kc.public[b+branch(change)] = pub
		}
		acct.Zero()
	}
	return kc, nil
}

// derivePath derives k/path[0]/path[1]/...
func derivePath(k *hdkeychain.ExtendedKey, path ...uint32) (*hdkeychain.ExtendedKey, error) {
	for _, i := range path {
		var err error
		if k, err = k.Derive(i); err != nil {
			return nil, fmt.Errorf("wallet: derive %d: %w", i, err)
		}
	}
	return k, nil
}

// pubKey returns the public key at ref.
func (kc *keychain) pubKey(ref keyRef) (*btcec.PublicKey, error) {
	k, err := kc.public[ref.Branch].Derive(ref.Index)
	if err != nil {
		return nil, fmt.Errorf("wallet: derive key %d/%d: %w", ref.Branch, ref.Index, err)
	}
	return k.ECPubKey()
}

// privKey returns the private key at ref.
func (kc *keychain) privKey(ref keyRef) (*btcec.PrivateKey, error) {
	k, err := kc.branches[ref.Branch].Derive(ref.Index)
	if err != nil {
		return nil, fmt.Errorf("wallet: derive key %d/%d: %w", ref.Branch, ref.Index, err)
	}
	defer k.Zero()
	return k.ECPrivKey()
}

// script returns the output script of the key at ref.
func (kc *keychain) script(ref keyRef) ([]byte, error) {
	pub, err := kc.pubKey(ref)
	if err != nil {
		return nil, err
	}
	return scriptFor(ref.Branch.addrType(), pub)
}

// scriptFor returns the P2WPKH or BIP 86 P2TR script of pub.
func scriptFor(t AddressType, pub *btcec.PublicKey) ([]byte, error) {
	if t == P2TR {
		return txscript.PayToTaprootScript(txscript.ComputeTaprootKeyNoScript(pub))
	}
	return commit.P2WPKH(pub), nil
}
