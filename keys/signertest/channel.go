package signertest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// Channel is a channel signer under test and the public keys it declares.
type Channel struct {
	// Signer is the signer under test. If it is also a SweepSigner,
	// RunChannel checks those methods too.
	Signer commit.Signer
	// Keys are the keys the signer declares in open_channel or
	// accept_channel. FundingKey and HTLCBasepoint are required; the other
	// three are required when Signer is a SweepSigner, and stand-ins are
	// used for the missing ones otherwise.
	Keys keys.ChannelPublicKeys
}

// SweepSigner is the rest of a channel's signing, with which a node
// sweeps commitment outputs, as keys.InMemorySigner has it.
type SweepSigner interface {
	// SignPayment signs with the payment basepoint's secret.
	SignPayment(digest wire.Digest) (wire.Signature, error)
	// SignDelayedPayment signs with the delayed payment key derived from
	// delayed_payment_basepoint and perCommitmentPoint.
	SignDelayedPayment(perCommitmentPoint *btcec.PublicKey, digest wire.Digest) (wire.Signature, error)
	// SignRevocation signs with the revocation key derived from
	// revocation_basepoint's secret and perCommitmentSecret; an invalid
	// secret is an error.
	SignRevocation(perCommitmentSecret [32]byte, digest wire.Digest) (wire.Signature, error)
}

// RunChannel checks the channel signers newSigner returns, each check on a
// fresh one:
//   - SignFunding's signatures verify against Keys.FundingKey, low-S;
//   - SignHTLC's verify against the HTLC key BOLT 3 derives from
//     Keys.HTLCBasepoint and the per-commitment point, low-S, and a nil
//     point is an error, not a panic;
//   - commit's SignAsOwner and SignAsCounterparty with the signer produce
//     signatures that VerifyOwner and VerifyCounterparty accept, on
//     commitments with HTLCs of both channel types;
//   - with a SweepSigner, SignPayment, SignDelayedPayment and
//     SignRevocation verify against their BOLT 3 keys, and an invalid
//     per-commitment secret is an error.
func RunChannel(t *testing.T, newSigner func(t *testing.T) Channel) {
	t.Helper()
	runChecks(t, func(t *testing.T) Channel {
		ch := newSigner(t)
		require.NotNil(t, ch.Signer, "Channel.Signer")
		require.NotNil(t, ch.Keys.FundingKey, "Channel.Keys.FundingKey")
		require.NotNil(t, ch.Keys.HTLCBasepoint, "Channel.Keys.HTLCBasepoint")
		return ch
	}, []check[Channel]{
		{"funding", checkFunding},
		{"htlc", checkHTLC},
		{"commitment", checkCommitment},
		{"sweep", checkSweep},
	})
}

// check is one named check of a signer under test.
type check[T any] struct {
	name string
	f    func(T) error
}

// runChecks runs each check in a subtest, on a fresh signer.
func runChecks[T any](t *testing.T, newSigner func(t *testing.T) T, checks []check[T]) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) { require.NoError(t, c.f(newSigner(t))) })
	}
}

// RunChannelErrors checks a signer that fails: newFailing returns a signer
// that refuses every signature and the error it refuses with. Both
// methods must return an error matching it (errors.Is), and commit's
// SignAsOwner and SignAsCounterparty must return it wrapped, with no
// signatures.
func RunChannelErrors(t *testing.T, newFailing func(t *testing.T) (commit.Signer, error)) {
	t.Helper()
	runErrors(t, newFailing, checkChannelErrors)
}

// runErrors runs check on the failing signer newFailing returns.
func runErrors[S any](t *testing.T, newFailing func(t *testing.T) (S, error), check func(S, error) error) {
	t.Helper()
	s, want := newFailing(t)
	require.NotNil(t, s, "failing signer")
	require.Error(t, want, "the failing signer's error")
	require.NoError(t, check(s, want))
}

// digests are the digests every check signs: edge values and hashes.
func digests() []wire.Digest {
	var ones wire.Digest
	for i := range ones {
		ones[i] = 0xff
	}
	return []wire.Digest{{}, ones, sha256.Sum256([]byte("lnkit signertest 1")), sha256.Sum256([]byte("lnkit signertest 2"))}
}

// perCommitment returns per-commitment secrets and their points, from a
// shachain seed fixed by the test.
func perCommitment() ([][32]byte, []*btcec.PublicKey) {
	seed := sha256.Sum256([]byte("lnkit signertest per-commitment seed"))
	var secrets [][32]byte
	var points []*btcec.PublicKey
	// The indexes of commitment numbers 0, 1, 42 and MaxCommitmentNumber.
	for _, idx := range []uint64{keys.MaxShachainIndex, keys.MaxShachainIndex - 1, keys.MaxShachainIndex - 42, 0} {
		s := keys.PerCommitmentSecret(seed, idx)
		secrets = append(secrets, s)
		points = append(points, keys.PerCommitmentPointFromSecret(s))
	}
	return secrets, points
}

// checkSig verifies sig (from what, with err) against pub and checks low S.
func checkSig(what string, sig wire.Signature, err error, d wire.Digest, pub *btcec.PublicKey) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !sig.Verify(d[:], pub) {
		return fmt.Errorf("%s: signature of %s does not verify against the declared key", what, d)
	}
	var s btcec.ModNScalar
	s.SetByteSlice(sig[32:])
	if s.IsOverHalfOrder() {
		return fmt.Errorf("%s: high-S signature (BIP 62 standardness wants low S)", what)
	}
	return nil
}

func checkFunding(c Channel) error {
	for _, d := range digests() {
		sig, err := c.Signer.SignFunding(d)
		if err := checkSig("SignFunding", sig, err, d, c.Keys.FundingKey); err != nil {
			return err
		}
	}
	return nil
}

func checkHTLC(c Channel) error {
	_, points := perCommitment()
	for _, pcp := range points {
		key := keys.DerivePubKey(c.Keys.HTLCBasepoint, pcp)
		for _, d := range digests() {
			sig, err := c.Signer.SignHTLC(pcp, d)
			if err := checkSig("SignHTLC", sig, err, d, key); err != nil {
				return err
			}
		}
	}
	return noPanicError("SignHTLC with a nil per-commitment point", func() error {
		_, err := c.Signer.SignHTLC(nil, wire.Digest{})
		return err
	})
}

// noPanicError runs f and requires it to return an error without
// panicking.
func noPanicError(what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: panicked: %v", what, r)
		}
	}()
	if f() == nil {
		return fmt.Errorf("%s: no error", what)
	}
	return nil
}

func checkSweep(c Channel) error {
	s, ok := c.Signer.(SweepSigner)
	if !ok {
		return nil
	}
	k := c.Keys
	if k.PaymentBasepoint == nil || k.DelayedPaymentBasepoint == nil || k.RevocationBasepoint == nil {
		return errors.New("a SweepSigner must declare PaymentBasepoint, DelayedPaymentBasepoint and RevocationBasepoint")
	}
	secrets, points := perCommitment()
	for _, d := range digests() {
		sig, err := s.SignPayment(d)
		if err := checkSig("SignPayment", sig, err, d, k.PaymentBasepoint); err != nil {
			return err
		}
		for i, pcp := range points {
			sig, err := s.SignDelayedPayment(pcp, d)
			if err := checkSig("SignDelayedPayment", sig, err, d, keys.DerivePubKey(k.DelayedPaymentBasepoint, pcp)); err != nil {
				return err
			}
			sig, err = s.SignRevocation(secrets[i], d)
			if err := checkSig("SignRevocation", sig, err, d, keys.DeriveRevocationPubKey(k.RevocationBasepoint, pcp)); err != nil {
				return err
			}
		}
	}
	if err := noPanicError("SignRevocation with a zero secret", func() error {
		_, err := s.SignRevocation([32]byte{}, wire.Digest{})
		return err
	}); err != nil {
		return err
	}
	return noPanicError("SignDelayedPayment with a nil per-commitment point", func() error {
		_, err := s.SignDelayedPayment(nil, wire.Digest{})
		return err
	})
}
