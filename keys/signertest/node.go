package signertest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// Node is a node key signer under test and the node id it declares.
type Node struct {
	// Signer is the signer under test. If it also implements keys.ECDH or
	// NodeHashSigner, RunNode checks those methods too.
	Signer invoice.Signer
	// NodeID is the node id (the node public key) it declares.
	NodeID wire.NodeID
}

// NodeHashSigner signs a digest with the node key, as gossip signatures
// (channel_update, node_announcement) need; keys.Manager has it.
type NodeHashSigner interface {
	// SignHash signs digest as is with the node key.
	SignHash(digest wire.Digest) (wire.Signature, error)
}

// RunNode checks the node signers newSigner returns, each check on a fresh
// one:
//   - SignInvoice's signatures verify against NodeID, low-S, and their
//     recovery id recovers NodeID;
//   - an invoice built with it decodes with NodeID as its payee;
//   - with keys.ECDH, ECDH agrees with the other party's computation and
//     refuses a nil key with an error, not a panic;
//   - with NodeHashSigner, SignHash's signatures verify against NodeID,
//     low-S.
func RunNode(t *testing.T, newSigner func(t *testing.T) Node) {
	t.Helper()
	runChecks(t, func(t *testing.T) node {
		n := newSigner(t)
		require.NotNil(t, n.Signer, "Node.Signer")
		pub, err := n.NodeID.PublicKey()
		require.NoError(t, err, "Node.NodeID")
		return node{n, pub}
	}, []check[node]{
		{"invoice", checkSignInvoice},
		{"build", checkBuildInvoice},
		{"ecdh", checkECDH},
		{"hash", checkSignHash},
	})
}

// node is a Node with its parsed public key.
type node struct {
	Node
	pub *btcec.PublicKey
}

// RunNodeErrors checks a node signer that fails: newFailing returns a
// signer that refuses every signature and the error it refuses with.
// SignInvoice must return an error matching it (errors.Is), and
// invoice.Builder.Build must return it wrapped.
func RunNodeErrors(t *testing.T, newFailing func(t *testing.T) (invoice.Signer, error)) {
	t.Helper()
	runErrors(t, newFailing, checkNodeErrors)
}

func checkSignInvoice(n node) error {
	for _, d := range digests() {
		sig, recID, err := n.Signer.SignInvoice(d)
		if err := checkSig("SignInvoice", sig, err, d, n.pub); err != nil {
			return err
		}
		if recID > 3 {
			return fmt.Errorf("SignInvoice: recovery id %d is not 0 to 3", recID)
		}
		var compact [65]byte
		compact[0] = 27 + 4 + recID
		copy(compact[1:], sig[:])
		got, _, err := ecdsa.RecoverCompact(compact[:], d[:])
		if err != nil || wire.NewNodeID(got) != n.NodeID {
			return fmt.Errorf("SignInvoice: recovery id %d does not recover the node id", recID)
		}
	}
	return nil
}

// testInvoice is the builder of the invoice the checks sign.
func testInvoice() *invoice.Builder {
	return invoice.NewBuilder(&chaincfg.RegressionNetParams, time.Unix(1_700_000_000, 0)).
		Amount(1_000_000).
		PaymentHash(wire.PaymentHash(sha256.Sum256([]byte("signertest preimage")))).
		PaymentSecret(wire.PaymentSecret{1, 2, 3}).
		Description("lnkit signertest")
}

func checkBuildInvoice(n node) error {
	inv, err := testInvoice().Build(n.Signer)
	if err != nil {
		return fmt.Errorf("build invoice: %w", err)
	}
	back, err := invoice.Decode(inv.String())
	if err != nil {
		return fmt.Errorf("decode the signed invoice: %w", err)
	}
	if back.Payee() != n.NodeID {
		return fmt.Errorf("invoice payee is %s, not the declared node id %s", back.Payee(), n.NodeID)
	}
	return nil
}

func checkECDH(n node) error {
	e, ok := n.Signer.(keys.ECDH)
	if !ok {
		return nil
	}
	for i := range 4 {
		k, _ := btcec.PrivKeyFromBytes([]byte{byte(i + 1), 's', 'i', 'g', 'n', 'e', 'r'})
		got, err := e.ECDH(k.PubKey())
		if err != nil {
			return fmt.Errorf("ECDH: %w", err)
		}
		want, _ := secp.ECDH(&k.Key, n.pub)
		if got != want {
			return errors.New("ECDH: differs from the other party's SHA256(compressed(k·node_key))")
		}
	}
	return noPanicError("ECDH with a nil public key", func() error {
		_, err := e.ECDH(nil)
		return err
	})
}

func checkSignHash(n node) error {
	h, ok := n.Signer.(NodeHashSigner)
	if !ok {
		return nil
	}
	for _, d := range digests() {
		sig, err := h.SignHash(d)
		if err := checkSig("SignHash", sig, err, d, n.pub); err != nil {
			return err
		}
	}
	return nil
}

func checkNodeErrors(s invoice.Signer, want error) error {
	if _, _, err := s.SignInvoice(wire.Digest{1}); !errors.Is(err, want) {
		return fmt.Errorf("SignInvoice: got %v, want an error matching %v", err, want)
	}
	inv, err := testInvoice().Build(s)
	if !errors.Is(err, want) {
		return fmt.Errorf("invoice Build: got %v, want an error matching %v", err, want)
	}
	if inv != nil {
		return errors.New("invoice Build: an invoice returned with an error")
	}
	return nil
}
