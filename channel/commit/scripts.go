package commit

import (
	"bytes"
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// Script sizes, in bytes.
const (
	// FundingScriptSize is the size of the 2-of-2 funding script.
	FundingScriptSize = 71
	// P2WSHSize is the size of a P2WSH output script.
	P2WSHSize = 34
	// P2WPKHSize is the size of a P2WPKH output script.
	P2WPKHSize = 22
	// ToLocalScriptMaxSize is the size of the longest to_local script
	// (to_self_delay of 32768 or more needs a 3-byte push).
	ToLocalScriptMaxSize = 78
	// ToRemoteAnchorScriptSize is the size of the anchors to_remote script.
	ToRemoteAnchorScriptSize = 37
	// AnchorScriptSize is the size of an anchor output's script.
	AnchorScriptSize = 40
	// OfferedHTLCScriptSize is the size of an offered HTLC script without
	// anchors; anchors add 3 bytes.
	OfferedHTLCScriptSize = 133
	// ReceivedHTLCScriptSize is the size of a received HTLC script without
	// anchors whose cltv_expiry needs a 3-byte push (heights from 32768 to
	// 8388607); BOLT 3 Appendix A assumes a 4-byte push (140). Anchors add
	// 3 bytes.
	ReceivedHTLCScriptSize = 139
	// receivedHTLCScriptMaxSize allows for a 5-byte cltv_expiry push.
	receivedHTLCScriptMaxSize = 141 + 3
	offeredHTLCScriptMaxSize  = OfferedHTLCScriptSize + 3
)

// P2WSH returns the version-0 pay-to-witness-script-hash output script of a
// witness script.
func P2WSH(witnessScript []byte) []byte {
	return appendP2WSH(make([]byte, 0, P2WSHSize), witnessScript)
}

func appendP2WSH(dst, witnessScript []byte) []byte {
	h := sha256.Sum256(witnessScript)
	dst = append(dst, txscript.OP_0, txscript.OP_DATA_32)
	return append(dst, h[:]...)
}

// P2WPKH returns the version-0 pay-to-witness-pubkey-hash output script of a
// public key.
func P2WPKH(pub *btcec.PublicKey) []byte {
	out := make([]byte, 0, P2WPKHSize)
	out = append(out, txscript.OP_0, txscript.OP_DATA_20)
	return append(out, btcutil.Hash160(pub.SerializeCompressed())...)
}

// FundingScript returns the 2-of-2 witness script of a funding output:
// 2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG with the keys in lexicographic
// order of their compressed form.
func FundingScript(a, b *btcec.PublicKey) []byte {
	a33, b33 := serialize33(a), serialize33(b)
	s, _ := fundingScript(&a33, &b33)
	return s
}

// fundingScript builds the 2-of-2 and reports whether a sorts first.
func fundingScript(a, b *[33]byte) ([]byte, bool) {
	aFirst := bytes.Compare(a[:], b[:]) < 0
	first, second := a, b
	if !aFirst {
		first, second = b, a
	}
	s := make([]byte, 0, FundingScriptSize)
	s = append(s, txscript.OP_2, txscript.OP_DATA_33)
	s = append(s, first[:]...)
	s = append(s, txscript.OP_DATA_33)
	s = append(s, second[:]...)
	s = append(s, txscript.OP_2, txscript.OP_CHECKMULTISIG)
	return s, aFirst
}

// ToLocalScript returns the witness script of a to_local output, which is
// also the script of the HTLC-success and HTLC-timeout outputs:
//
//	OP_IF <revocationpubkey> OP_ELSE <to_self_delay> OP_CHECKSEQUENCEVERIFY
//	OP_DROP <local_delayedpubkey> OP_ENDIF OP_CHECKSIG
func ToLocalScript(revocation, localDelayed *btcec.PublicKey, toSelfDelay uint16) []byte {
	rev, delayed := serialize33(revocation), serialize33(localDelayed)
	return appendToLocalScript(make([]byte, 0, ToLocalScriptMaxSize), &rev, &delayed, toSelfDelay)
}

func appendToLocalScript(dst []byte, revocation, delayed *[33]byte, toSelfDelay uint16) []byte {
	dst = append(dst, txscript.OP_IF, txscript.OP_DATA_33)
	dst = append(dst, revocation[:]...)
	dst = append(dst, txscript.OP_ELSE)
	dst = appendScriptNum(dst, int64(toSelfDelay))
	dst = append(dst, txscript.OP_CHECKSEQUENCEVERIFY, txscript.OP_DROP, txscript.OP_DATA_33)
	dst = append(dst, delayed[:]...)
	return append(dst, txscript.OP_ENDIF, txscript.OP_CHECKSIG)
}

// ToRemoteAnchorScript returns the witness script of the to_remote output
// of an anchors commitment: <remotepubkey> OP_CHECKSIGVERIFY 1
// OP_CHECKSEQUENCEVERIFY.
func ToRemoteAnchorScript(remote *btcec.PublicKey) []byte {
	r := serialize33(remote)
	return appendToRemoteAnchorScript(make([]byte, 0, ToRemoteAnchorScriptSize), &r)
}

func appendToRemoteAnchorScript(dst []byte, remote *[33]byte) []byte {
	dst = append(dst, txscript.OP_DATA_33)
	dst = append(dst, remote[:]...)
	return append(dst, txscript.OP_CHECKSIGVERIFY, txscript.OP_1, txscript.OP_CHECKSEQUENCEVERIFY)
}

// AnchorScript returns the witness script of an anchor output locked to a
// funding pubkey: <funding_pubkey> OP_CHECKSIG OP_IFDUP OP_NOTIF OP_16
// OP_CHECKSEQUENCEVERIFY OP_ENDIF.
func AnchorScript(funding *btcec.PublicKey) []byte {
	f := serialize33(funding)
	return appendAnchorScript(make([]byte, 0, AnchorScriptSize), &f)
}

func appendAnchorScript(dst []byte, funding *[33]byte) []byte {
	dst = append(dst, txscript.OP_DATA_33)
	dst = append(dst, funding[:]...)
	return append(dst, txscript.OP_CHECKSIG, txscript.OP_IFDUP, txscript.OP_NOTIF,
		txscript.OP_16, txscript.OP_CHECKSEQUENCEVERIFY, txscript.OP_ENDIF)
}

// OfferedHTLCScript returns the witness script of an HTLC output offered by
// the commitment's owner (local). anchors selects the variant with
// 1 OP_CHECKSEQUENCEVERIFY OP_DROP on the counterparty's branches.
func OfferedHTLCScript(revocation, localHTLC, remoteHTLC *btcec.PublicKey, hash wire.PaymentHash, anchors bool) []byte {
	var revHash [20]byte
	copy(revHash[:], btcutil.Hash160(revocation.SerializeCompressed()))
	l, r := serialize33(localHTLC), serialize33(remoteHTLC)
	return appendOfferedHTLCScript(make([]byte, 0, offeredHTLCScriptMaxSize), &revHash, &l, &r, &hash, anchors)
}

func appendOfferedHTLCScript(dst []byte, revHash *[20]byte, localHTLC, remoteHTLC *[33]byte, hash *wire.PaymentHash, anchors bool) []byte {
	dst = appendRevocationCheck(dst, revHash, remoteHTLC)
	dst = append(dst, txscript.OP_NOTIF,
		// To the local node via HTLC-timeout.
		txscript.OP_DROP, txscript.OP_2, txscript.OP_SWAP, txscript.OP_DATA_33)
	dst = append(dst, localHTLC[:]...)
	dst = append(dst, txscript.OP_2, txscript.OP_CHECKMULTISIG,
		// To the remote node with the preimage.
		txscript.OP_ELSE, txscript.OP_HASH160, txscript.OP_DATA_20)
	dst = appendRipemd160(dst, hash)
	dst = append(dst, txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG, txscript.OP_ENDIF)
	return appendHTLCScriptEnd(dst, anchors)
}

// ReceivedHTLCScript returns the witness script of an HTLC output offered
// to the commitment's owner (local). anchors selects the variant with
// 1 OP_CHECKSEQUENCEVERIFY OP_DROP on the counterparty's branches.
func ReceivedHTLCScript(revocation, localHTLC, remoteHTLC *btcec.PublicKey, hash wire.PaymentHash, cltvExpiry uint32, anchors bool) []byte {
	var revHash [20]byte
	copy(revHash[:], btcutil.Hash160(revocation.SerializeCompressed()))
	l, r := serialize33(localHTLC), serialize33(remoteHTLC)
	return appendReceivedHTLCScript(make([]byte, 0, receivedHTLCScriptMaxSize), &revHash, &l, &r, &hash, cltvExpiry, anchors)
}

func appendReceivedHTLCScript(dst []byte, revHash *[20]byte, localHTLC, remoteHTLC *[33]byte, hash *wire.PaymentHash, cltvExpiry uint32, anchors bool) []byte {
	dst = appendRevocationCheck(dst, revHash, remoteHTLC)
	dst = append(dst, txscript.OP_IF,
		// To the local node via HTLC-success.
		txscript.OP_HASH160, txscript.OP_DATA_20)
	dst = appendRipemd160(dst, hash)
	dst = append(dst, txscript.OP_EQUALVERIFY, txscript.OP_2, txscript.OP_SWAP, txscript.OP_DATA_33)
	dst = append(dst, localHTLC[:]...)
	dst = append(dst, txscript.OP_2, txscript.OP_CHECKMULTISIG,
		// To the remote node after the timeout.
		txscript.OP_ELSE, txscript.OP_DROP)
	dst = appendScriptNum(dst, int64(cltvExpiry))
	dst = append(dst, txscript.OP_CHECKLOCKTIMEVERIFY, txscript.OP_DROP, txscript.OP_CHECKSIG, txscript.OP_ENDIF)
	return appendHTLCScriptEnd(dst, anchors)
}

// appendRevocationCheck writes the common head of both HTLC scripts:
//
//	OP_DUP OP_HASH160 <RIPEMD160(SHA256(revocationpubkey))> OP_EQUAL
//	OP_IF OP_CHECKSIG OP_ELSE <remote_htlcpubkey> OP_SWAP OP_SIZE 32 OP_EQUAL
func appendRevocationCheck(dst []byte, revHash *[20]byte, remoteHTLC *[33]byte) []byte {
	dst = append(dst, txscript.OP_DUP, txscript.OP_HASH160, txscript.OP_DATA_20)
	dst = append(dst, revHash[:]...)
	dst = append(dst, txscript.OP_EQUAL, txscript.OP_IF, txscript.OP_CHECKSIG, txscript.OP_ELSE, txscript.OP_DATA_33)
	dst = append(dst, remoteHTLC[:]...)
	return append(dst, txscript.OP_SWAP, txscript.OP_SIZE, txscript.OP_DATA_1, 32, txscript.OP_EQUAL)
}

func appendHTLCScriptEnd(dst []byte, anchors bool) []byte {
	if anchors {
		dst = append(dst, txscript.OP_1, txscript.OP_CHECKSEQUENCEVERIFY, txscript.OP_DROP)
	}
	return append(dst, txscript.OP_ENDIF)
}

// appendRipemd160 appends RIPEMD160 of the payment hash (which is itself
// SHA256 of the preimage, so the script checks HASH160 of the preimage).
func appendRipemd160(dst []byte, hash *wire.PaymentHash) []byte {
	return append(dst, ripemd160Sum(hash[:])...)
}

// appendScriptNum appends the minimal push of a non-negative number, as
// txscript.ScriptBuilder.AddInt64 does: OP_0, OP_1..OP_16, or the
// little-endian sign-magnitude bytes.
func appendScriptNum(dst []byte, n int64) []byte {
	switch {
	case n == 0:
		return append(dst, txscript.OP_0)
	case n >= 1 && n <= 16:
		return append(dst, byte(txscript.OP_1-1+n))
	}
	var buf [9]byte
	l := 0
	for v := n; v > 0; v >>= 8 {
		buf[l] = byte(v)
		l++
	}
	if buf[l-1]&0x80 != 0 {
		buf[l] = 0
		l++
	}
	dst = append(dst, byte(l))
	return append(dst, buf[:l]...)
}

// FundingOutput returns the funding output paying amount to the 2-of-2 of
// two funding keys, and its witness script.
func FundingOutput(a, b *btcec.PublicKey, amount wire.Satoshi) (*btcwire.TxOut, []byte) {
	script := FundingScript(a, b)
	return btcwire.NewTxOut(int64(amount), P2WSH(script)), script
}
