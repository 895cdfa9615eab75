package commit

import (
	"errors"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// Signing and checking through Workers gives what one after the other
// gives: the same signatures, the same verdict, and for a bad HTLC
// signature the first by HTLC order.
func TestParallelSignAndVerify(t *testing.T) {
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		for _, n := range []int{0, 3, 40} {
			t.Run(fmt.Sprintf("%v/htlcs=%d", typ, n), func(t *testing.T) {
				s := newBenchSetup(t, typ, n)
				s.st.PerCommitmentPoint = must(s.local.PerCommitmentPoint(1000))
				cm, err := s.ch.Build(Local, s.st)
				require.NoError(t, err)
				want, err := cm.SignAsCounterparty(s.remote)
				require.NoError(t, err)
				for _, par := range []Parallel{nil, Workers(1), Workers(4)} {
					got, err := cm.SignAsCounterpartyWith(s.remote, par)
					require.NoError(t, err)
					require.Equal(t, want, got)
					cm.verified.Store(nil)
					require.NoError(t, cm.VerifyCounterpartyWith(got, par))
					if n < 2 {
						continue
					}
					// HTLCs n/2 and n-1 get HTLC 0's signature: both bad.
					bad := cloneSigs(got)
					bad.HTLCs[n-1], bad.HTLCs[n/2] = bad.HTLCs[0], bad.HTLCs[0]
					cm.verified.Store(nil)
					var se *SignatureError
					require.True(t, errors.As(cm.VerifyCounterpartyWith(bad, par), &se))
					require.Equal(t, n/2, se.Index, "the first bad one")
				}
			})
		}
	}
}

// Workers runs every index exactly once, whatever the count.
func TestWorkersRunsEachOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 7} {
		for _, count := range []int{0, 1, 5, 100} {
			hits := make([]int, count)
			Workers(workers)(count, func(i int) { hits[i]++ })
			for i, h := range hits {
				require.Equal(t, 1, h, "workers %d, count %d, index %d", workers, count, i)
			}
		}
	}
}

// A signer error is returned the same way through Workers.
func TestParallelSignerError(t *testing.T) {
	s := newBenchSetup(t, AnchorsZeroFeeHTLC, 12)
	cm, err := s.ch.Build(Remote, s.st)
	require.NoError(t, err)
	_, err = cm.SignAsCounterpartyWith(failingHTLCSigner{s.local}, Workers(3))
	require.ErrorIs(t, err, errRefused)
	require.ErrorContains(t, err, "sign htlc 0")
}

// failingHTLCSigner signs the commitment but refuses every HTLC.
type failingHTLCSigner struct{ Signer }

func (failingHTLCSigner) SignHTLC(*btcec.PublicKey, wire.Digest) (wire.Signature, error) {
	return wire.Signature{}, errRefused
}

func cloneSigs(s Signatures) Signatures {
	s.HTLCs = append([]wire.Signature(nil), s.HTLCs...)
	return s
}
