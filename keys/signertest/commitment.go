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

// checkCommitment signs, with the signer, its own commitment as owner and
// the counterparty's as counterparty, and verifies both.
func checkCommitment(c Channel) error {
	_, points := perCommitment()
	for _, typ := range []commit.ChannelType{commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC} {
		ch, other, err := testChannel(typ, c.Keys)
		if err != nil {
			return fmt.Errorf("%v: declared keys: %w", typ, err)
		}
		for _, owner := range []commit.Side{commit.Local, commit.Remote} {
			pcp := points[1]
			if owner == commit.Remote {
				pcp = other.PerCommitmentPoint(1)
			}
			cm, err := ch.Build(owner, testState(1, pcp))
			if err != nil {
				return fmt.Errorf("%v: build: %w", typ, err)
			}
			if len(cm.HTLCOutputs) == 0 {
				return errors.New("signertest: test commitment has no htlc outputs")
			}
			if owner == commit.Local {
				sigs, err := cm.SignAsOwner(c.Signer)
				if err != nil {
					return fmt.Errorf("%v: SignAsOwner: %w", typ, err)
				}
				if err := cm.VerifyOwner(sigs); err != nil {
					return fmt.Errorf("%v: signatures as owner: %w", typ, err)
				}
				continue
			}
			sigs, err := cm.SignAsCounterparty(c.Signer)
			if err != nil {
				return fmt.Errorf("%v: SignAsCounterparty: %w", typ, err)
			}
			if err := cm.VerifyCounterparty(sigs); err != nil {
				return fmt.Errorf("%v: signatures as counterparty: %w", typ, err)
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
	ch, other, err := testChannel(commit.AnchorsZeroFeeHTLC, standIn.Basepoints())
	if err != nil {
		return err
	}
	for _, owner := range []commit.Side{commit.Local, commit.Remote} {
		pcp := points[1]
		if owner == commit.Remote {
			pcp = other.PerCommitmentPoint(1)
		}
		cm, err := ch.Build(owner, testState(1, pcp))
		if err != nil {
			return err
		}
		sign, name := cm.SignAsOwner, "SignAsOwner"
		if owner == commit.Remote {
			sign, name = cm.SignAsCounterparty, "SignAsCounterparty"
		}
		sigs, err := sign(s)
		if !errors.Is(err, want) {
			return fmt.Errorf("%s: got %v, want an error matching %v", name, err, want)
		}
		if sigs.HTLCs != nil || sigs.Commitment != (wire.Signature{}) {
			return fmt.Errorf("%s: signatures returned with an error", name)
		}
	}
	return nil
}
