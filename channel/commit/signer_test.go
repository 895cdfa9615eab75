package commit

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// TestInMemorySigner runs a channel between two keys.InMemorySigner: each
// side signs the other's commitment, verifies the signatures on its own,
// and the engine accepts the commitments, the HTLC transactions and the
// sweeps signed with SignDelayedPayment, SignPayment and SignRevocation.
func TestInMemorySigner(t *testing.T) {
	for _, typ := range []ChannelType{StaticRemoteKey, AnchorsZeroFeeHTLC} {
		t.Run(typ.String(), func(t *testing.T) {
			signers := [2]*keys.InMemorySigner{
				keys.NewManager(keys.Seed{7}, keys.Config{}).ChannelKeys(keys.ChannelKeyIDFromCounter(3)),
				keys.NewManager(keys.Seed{8}, keys.Config{}).ChannelKeys(keys.ChannelKeyIDFromCounter(4)),
			}
			bp := func(k keys.ChannelPublicKeys) Basepoints {
				return Basepoints{Funding: k.FundingKey, Revocation: k.RevocationBasepoint, Payment: k.PaymentBasepoint,
					DelayedPayment: k.DelayedPaymentBasepoint, HTLC: k.HTLCBasepoint}
			}
			ch, err := New(Params{
				Type: typ, Capacity: 5_000_000, Opener: Remote,
				Local:  Party{Basepoints: bp(signers[Local].Basepoints()), DustLimit: 546, CSVDelay: 144},
				Remote: Party{Basepoints: bp(signers[Remote].Basepoints()), DustLimit: 600, CSVDelay: 720},
			})
			require.NoError(t, err)
			var preimages [3]wire.Preimage
			htlcs := make([]HTLC, len(preimages))
			for i := range preimages {
				preimages[i][0] = byte(i + 1)
				htlcs[i] = HTLC{ID: uint64(i), Offerer: Side(i % 2), Amount: wire.MilliSatoshi(100_000_000 * (i + 1)), PaymentHash: preimages[i].Hash(), CLTVExpiry: 900_000 + uint32(i)}
			}
			const number = 17
			for _, owner := range []Side{Local, Remote} {
				ownerS, cpS := signers[owner], signers[owner.Other()]
				st := &State{
					Number: number, PerCommitmentPoint: must(ownerS.PerCommitmentPoint(number)), FeeRate: 1000, HTLCs: htlcs,
					LocalBalance: 2_000_000_000, RemoteBalance: 2_400_000_000,
				}
				cm, err := ch.Build(owner, st)
				require.NoError(t, err)
				require.Len(t, cm.HTLCOutputs, 3, "%d htlc outputs", len(cm.HTLCOutputs))
				cpSigs := must(cm.SignAsCounterparty(cpS))
				require.NoError(t, cm.VerifyCounterparty(cpSigs))
				ownSigs := must(cm.SignAsOwner(ownerS))
				require.NoError(t, cm.VerifyOwner(ownSigs))
				signed := must(cm.SignedTx(ownSigs.Commitment, cpSigs.Commitment))
				runEngine(t, signed, 0, ch.FundingPkScript(), int64(ch.Params().Capacity))
				for j, i := range cm.HTLCOutputs {
					o := cm.Outputs[i]
					var pre *wire.Preimage
					if o.Kind == ReceivedHTLCOutput {
						pre = &preimages[o.HTLC.ID]
					}
					htx := must(cm.SignedHTLCTx(i, ownSigs.HTLCs[j], cpSigs.HTLCs[j], pre))
					runEngine(t, htx, 0, o.PkScript, int64(o.Amount))
				}

				txid := cm.TxID()
				secret := must(ownerS.PerCommitmentSecret(number))
				for i, o := range cm.Outputs {
					prev := btcwire.OutPoint{Hash: txid, Index: uint32(i)}
					switch o.Kind {
					case ToLocalOutput:
						tx := spend(prev, uint32(ch.party(owner).CSVDelay), 0)
						h := sigHash(t, tx, o.WitnessScript, o.PkScript, o.Amount)
						tx.TxIn[0].Witness = must(ToLocalDelayedWitness(must(ownerS.SignDelayedPayment(cm.Keys.PerCommitmentPoint, h)), o.WitnessScript))
						runEngine(t, tx, 0, o.PkScript, int64(o.Amount))
						tx = spend(prev, 0, 0)
						h = sigHash(t, tx, o.WitnessScript, o.PkScript, o.Amount)
						tx.TxIn[0].Witness = must(ToLocalRevokeWitness(must(cpS.SignRevocation(secret, h)), o.WitnessScript))
						runEngine(t, tx, 0, o.PkScript, int64(o.Amount))
					case ToRemoteOutput:
						tx := spend(prev, 1, 0)
						if typ.HasAnchors() {
							h := sigHash(t, tx, o.WitnessScript, o.PkScript, o.Amount)
							tx.TxIn[0].Witness = must(ToRemoteAnchorWitness(must(cpS.SignPayment(h)), o.WitnessScript))
						} else {
							h := sigHash(t, tx, o.PkScript, o.PkScript, o.Amount)
							tx.TxIn[0].Witness = must(ToRemoteWitness(must(cpS.SignPayment(h)), cm.Keys.RemotePayment))
						}
						runEngine(t, tx, 0, o.PkScript, int64(o.Amount))
					case OfferedHTLCOutput, ReceivedHTLCOutput:
						tx := spend(prev, 0, 0)
						h := sigHash(t, tx, o.WitnessScript, o.PkScript, o.Amount)
						tx.TxIn[0].Witness = must(HTLCRevokeWitness(must(cpS.SignRevocation(secret, h)), cm.Keys.Revocation, o.WitnessScript))
						runEngine(t, tx, 0, o.PkScript, int64(o.Amount))
					}
				}
				// The revealed secret is the point's private key.
				priv, _ := btcec.PrivKeyFromBytes(secret[:])
				require.True(t, priv.PubKey().IsEqual(cm.Keys.PerCommitmentPoint), "per-commitment secret does not match the point")
			}
		})
	}
}
