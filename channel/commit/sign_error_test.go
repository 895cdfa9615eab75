package commit

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// errRefused is what failingSigner's device answers.
var errRefused = errors.New("hsm: refused")

// failingSigner signs with an InMemorySigner until its failAt-th call
// (counting from 0, over both methods), which fails with errRefused.
type failingSigner struct {
	*keys.InMemorySigner
	calls, failAt int
}

func (s *failingSigner) next() error {
	s.calls++
	if s.calls-1 == s.failAt {
		return errRefused
	}
	return nil
}

func (s *failingSigner) SignFunding(d wire.Digest) (wire.Signature, error) {
	if err := s.next(); err != nil {
		return wire.Signature{}, err
	}
	return s.InMemorySigner.SignFunding(d)
}

func (s *failingSigner) SignHTLC(pcp *btcec.PublicKey, d wire.Digest) (wire.Signature, error) {
	if err := s.next(); err != nil {
		return wire.Signature{}, err
	}
	return s.InMemorySigner.SignHTLC(pcp, d)
}

// TestSignerErrorReachesCaller checks that an error of the Signer, on the
// commitment signature or on any HTLC signature, is returned by
// SignAsOwner and SignAsCounterparty wrapped (errors.Is finds it), with no
// signatures.
func TestSignerErrorReachesCaller(t *testing.T) {
	local := keys.NewManager(keys.Seed{11}, keys.Config{}).ChannelKeys(keys.ChannelKeyIDFromCounter(0))
	remote := keys.NewManager(keys.Seed{12}, keys.Config{}).ChannelKeys(keys.ChannelKeyIDFromCounter(0))
	bp := func(k keys.ChannelPublicKeys) Basepoints {
		return Basepoints{Funding: k.FundingKey, Revocation: k.RevocationBasepoint, Payment: k.PaymentBasepoint,
			DelayedPayment: k.DelayedPaymentBasepoint, HTLC: k.HTLCBasepoint}
	}
	ch, err := New(Params{
		Type: AnchorsZeroFeeHTLC, Capacity: 5_000_000, Opener: Local,
		Local:  Party{Basepoints: bp(local.Basepoints()), DustLimit: 546, CSVDelay: 144},
		Remote: Party{Basepoints: bp(remote.Basepoints()), DustLimit: 546, CSVDelay: 144},
	})
	require.NoError(t, err)
	st := &State{Number: 5, PerCommitmentPoint: must(local.PerCommitmentPoint(5)), FeeRate: 1000,
		LocalBalance: 2_000_000_000, RemoteBalance: 2_700_000_000}
	for i := range 3 {
		var p wire.Preimage
		p[0] = byte(i + 1)
		st.HTLCs = append(st.HTLCs, HTLC{ID: uint64(i), Offerer: Side(i % 2), Amount: 100_000_000,
			PaymentHash: p.Hash(), CLTVExpiry: 900_000})
	}
	cm, err := ch.Build(Local, st)
	require.NoError(t, err)
	require.Len(t, cm.HTLCOutputs, 3)

	tests := []struct {
		name   string
		failAt int
	}{
		{"commitment signature", 0},
		{"first htlc signature", 1},
		{"last htlc signature", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sigs, err := cm.SignAsOwner(&failingSigner{InMemorySigner: local, failAt: tc.failAt})
			require.ErrorIs(t, err, errRefused)
			require.Equal(t, Signatures{}, sigs)
			sigs, err = cm.SignAsCounterparty(&failingSigner{InMemorySigner: remote, failAt: tc.failAt})
			require.ErrorIs(t, err, errRefused)
			require.Equal(t, Signatures{}, sigs)
		})
	}

	// The same signers, not failing, sign what the other side verifies.
	sigs, err := cm.SignAsCounterparty(&failingSigner{InMemorySigner: remote, failAt: -1})
	require.NoError(t, err)
	require.NoError(t, cm.VerifyCounterparty(sigs))
}
