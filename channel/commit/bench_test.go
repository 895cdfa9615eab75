package commit

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// benchSetup is a channel between two keys.InMemorySigner with a state of
// n untrimmed HTLCs (half offered by each side).
type benchSetup struct {
	ch            *Channel
	local, remote *keys.InMemorySigner
	st            *State
}

func newBenchSetup(b testing.TB, typ ChannelType, n int) *benchSetup {
	b.Helper()
	local := keys.NewManager(keys.Seed{1}, keys.Config{}).ChannelKeys(keys.ChannelKeyIDFromCounter(1))
	remote := keys.NewManager(keys.Seed{2}, keys.Config{}).ChannelKeys(keys.ChannelKeyIDFromCounter(1))
	bp := func(k keys.ChannelPublicKeys) Basepoints {
		return Basepoints{Funding: k.FundingKey, Revocation: k.RevocationBasepoint, Payment: k.PaymentBasepoint,
			DelayedPayment: k.DelayedPaymentBasepoint, HTLC: k.HTLCBasepoint}
	}
	const capacity = 100_000_000
	ch, err := New(Params{
		Type: typ, Capacity: capacity, Opener: Local,
		Local:  Party{Basepoints: bp(local.Basepoints()), DustLimit: 546, CSVDelay: 144},
		Remote: Party{Basepoints: bp(remote.Basepoints()), DustLimit: 546, CSVDelay: 144},
	})
	require.NoError(b, err)
	rng := rand.New(rand.NewChaCha8([32]byte{'b'}))
	st := &State{Number: 1000, PerCommitmentPoint: must(remote.PerCommitmentPoint(1000)), FeeRate: 2500}
	var used wire.MilliSatoshi
	for i := range n {
		var p wire.Preimage
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		h := HTLC{ID: uint64(i), Offerer: Side(i % 2), Amount: wire.MilliSatoshi(20_000_000 + rng.Uint64N(50_000_000)),
			PaymentHash: p.Hash(), CLTVExpiry: 800_000 + uint32(i)}
		used += h.Amount
		st.HTLCs = append(st.HTLCs, h)
	}
	st.LocalBalance = (capacity*1000 - used) / 2
	st.RemoteBalance = capacity*1000 - used - st.LocalBalance
	return &benchSetup{ch: ch, local: local, remote: remote, st: st}
}

// BenchmarkBuild builds the peer's commitment (scripts, outputs, sort,
// txid, funding sighash).
func BenchmarkBuild(b *testing.B) {
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		for _, n := range []int{0, 483, 966} {
			b.Run(fmt.Sprintf("%v/htlcs=%d", typ, n), func(b *testing.B) {
				s := newBenchSetup(b, typ, n)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := s.ch.Build(Remote, s.st); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkBuildAndSign builds the peer's commitment and makes
// commitment_signed: the commitment signature and one signature per HTLC
// transaction, with keys.InMemorySigner.
func BenchmarkBuildAndSign(b *testing.B) {
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		for _, n := range []int{483, 966} {
			b.Run(fmt.Sprintf("%v/htlcs=%d", typ, n), func(b *testing.B) {
				s := newBenchSetup(b, typ, n)
				b.ReportAllocs()
				for b.Loop() {
					cm, err := s.ch.Build(Remote, s.st)
					if err != nil {
						b.Fatal(err)
					}
					sigs, err := cm.SignAsCounterparty(s.local)
					if err != nil || len(sigs.HTLCs) != n {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerify checks the peer's commitment_signed on our own
// commitment (already built): the commitment signature and every HTLC
// signature.
func BenchmarkVerify(b *testing.B) {
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		for _, n := range []int{483, 966} {
			b.Run(fmt.Sprintf("%v/htlcs=%d", typ, n), func(b *testing.B) {
				s := newBenchSetup(b, typ, n)
				s.st.PerCommitmentPoint = must(s.local.PerCommitmentPoint(1000))
				cm, err := s.ch.Build(Local, s.st)
				if err != nil {
					b.Fatal(err)
				}
				sigs, err := cm.SignAsCounterparty(s.remote)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					cm.verified.Store(nil) // verify, not recall
					if err := cm.VerifyCounterparty(sigs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
