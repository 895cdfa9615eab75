package signertest

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// counterparty returns the other side of the test channel and a signer
// whose basepoints stand in for those a Channel does not declare.
func counterparty() (other, standIn *keys.InMemorySigner) {
	m := keys.NewManager(keys.Seed{'s', 'i', 'g', 'n', 'e', 'r', 't', 'e', 's', 't'}, keys.Config{})
	return m.ChannelKeys(keys.ChannelKeyIDFromCounter(0)), m.ChannelKeys(keys.ChannelKeyIDFromCounter(1))
}

func basepoints(k keys.ChannelPublicKeys) commit.Basepoints {
	return commit.Basepoints{Funding: k.FundingKey, Revocation: k.RevocationBasepoint, Payment: k.PaymentBasepoint,
		DelayedPayment: k.DelayedPaymentBasepoint, HTLC: k.HTLCBasepoint}
}

// testChannel returns a channel whose local side has the declared keys
// (stand-ins for the missing ones) and the counterparty's signer.
func testChannel(typ commit.ChannelType, declared keys.ChannelPublicKeys) (*commit.Channel, *keys.InMemorySigner, error) {
	other, standIn := counterparty()
	k, s := declared, standIn.Basepoints()
	if k.RevocationBasepoint == nil {
		k.RevocationBasepoint = s.RevocationBasepoint
	}
	if k.PaymentBasepoint == nil {
		k.PaymentBasepoint = s.PaymentBasepoint
	}
	if k.DelayedPaymentBasepoint == nil {
		k.DelayedPaymentBasepoint = s.DelayedPaymentBasepoint
	}
	ch, err := commit.New(commit.Params{
		Type: typ, Capacity: 5_000_000, Opener: commit.Local,
		Local:  commit.Party{Basepoints: basepoints(k), DustLimit: 546, CSVDelay: 144},
		Remote: commit.Party{Basepoints: basepoints(other.Basepoints()), DustLimit: 546, CSVDelay: 144},
	})
	return ch, other, err
}

// testState is a state with three HTLCs, two offered by the local side.
func testState(n uint64, pcp *btcec.PublicKey) *commit.State {
	st := &commit.State{Number: n, PerCommitmentPoint: pcp, FeeRate: 1000,
		LocalBalance: 2_000_000_000, RemoteBalance: 2_700_000_000}
	for i := range 3 {
		var p wire.Preimage
		p[0] = byte(i + 1)
		st.HTLCs = append(st.HTLCs, commit.HTLC{ID: uint64(i), Offerer: commit.Side(i % 2), Amount: 100_000_000,
			PaymentHash: p.Hash(), CLTVExpiry: 900_000 + uint32(i)})
	}
	return st
}

// testCommitments returns, on a channel of type typ whose local side has
// the declared keys, the local side's own commitment and the
// counterparty's, both with HTLC outputs.
func testCommitments(typ commit.ChannelType, declared keys.ChannelPublicKeys) (own, theirs *commit.Commitment, err error) {
	ch, other, err := testChannel(typ, declared)
	if err != nil {
		return nil, nil, fmt.Errorf("%v: declared keys: %w", typ, err)
	}
	_, points := perCommitment()
	if own, err = ch.Build(commit.Local, testState(1, points[1])); err != nil {
		return nil, nil, fmt.Errorf("%v: build: %w", typ, err)
	}
	otherPoint, err := other.PerCommitmentPoint(1)
	if err != nil {
		return nil, nil, fmt.Errorf("%v: per-commitment point: %w", typ, err)
	}
	if theirs, err = ch.Build(commit.Remote, testState(1, otherPoint)); err != nil {
		return nil, nil, fmt.Errorf("%v: build: %w", typ, err)
	}
	if len(own.HTLCOutputs) == 0 || len(theirs.HTLCOutputs) == 0 {
		return nil, nil, errors.New("signertest: test commitment has no htlc outputs")
	}
	return own, theirs, nil
}

// signing is one of commit's signing functions with its verifier.
type signing struct {
	name   string
	sign   func(commit.Signer) (commit.Signatures, error)
	verify func(commit.Signatures) error
}

// signings returns the signing functions of the local side: as owner of its
// own commitment, as counterparty of the other's.
func signings(own, theirs *commit.Commitment) []signing {
	return []signing{
		{"SignAsOwner", own.SignAsOwner, own.VerifyOwner},
		{"SignAsCounterparty", theirs.SignAsCounterparty, theirs.VerifyCounterparty},
	}
}

// checkCommitment signs, with the signer, its own commitment as owner and
// the counterparty's as counterparty, and verifies both.
func checkCommitment(c Channel) error {
	for _, typ := range []commit.ChannelType{commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC} {
		own, theirs, err := testCommitments(typ, c.Keys)
		if err != nil {
			return err
		}
		for _, s := range signings(own, theirs) {
			sigs, err := s.sign(c.Signer)
			if err != nil {
				return fmt.Errorf("%v: %s: %w", typ, s.name, err)
			}
			if err := s.verify(sigs); err != nil {
				return fmt.Errorf("%v: %s: %w", typ, s.name, err)
			}
		}
	}
	return nil
}

// checkChannelErrors checks that s fails with want everywhere, directly and
// through commit.
func checkChannelErrors(s commit.Signer, want error) error {
	if _, err := s.SignFunding(wire.Digest{1}); !errors.Is(err, want) {
		return fmt.Errorf("SignFunding: got %v, want an error matching %v", err, want)
	}
	_, points := perCommitment()
	if _, err := s.SignHTLC(points[0], wire.Digest{1}); !errors.Is(err, want) {
		return fmt.Errorf("SignHTLC: got %v, want an error matching %v", err, want)
	}
	_, standIn := counterparty()
	own, theirs, err := testCommitments(commit.AnchorsZeroFeeHTLC, standIn.Basepoints())
	if err != nil {
		return err
	}
	for _, sg := range signings(own, theirs) {
		sigs, err := sg.sign(s)
		if !errors.Is(err, want) {
			return fmt.Errorf("%s: got %v, want an error matching %v", sg.name, err, want)
		}
		if sigs.HTLCs != nil || sigs.Commitment != (wire.Signature{}) {
			return fmt.Errorf("%s: signatures returned with an error", sg.name)
		}
	}
	return nil
}
