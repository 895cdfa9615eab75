package events_test

import (
	"math/rand/v2"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// gen draws random events for round-trip tests. Every optional field is
// zero about a quarter of the time, so omission is covered too.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, seed^0x5eed))} }

func (g *gen) maybe() bool { return g.r.IntN(4) != 0 }

func (g *gen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

func (g *gen) u64() uint64 {
	if !g.maybe() {
		return 0
	}
	return g.r.Uint64() >> g.r.IntN(64)
}

func (g *gen) u16() uint16 { return uint16(g.u64()) }

func (g *gen) id32() (b [32]byte) {
	if g.maybe() {
		copy(b[:], g.bytes(32))
	}
	return b
}

func (g *gen) nodeID() wire.NodeID {
	if !g.maybe() {
		return wire.NodeID{}
	}
	return wire.NewNodeID(g.pubKey())
}

func (g *gen) pubKey() *btcec.PublicKey {
	k, _ := btcec.PrivKeyFromBytes(g.bytes(32))
	return k.PubKey()
}

func (g *gen) optPubKey() *btcec.PublicKey {
	if !g.maybe() {
		return nil
	}
	return g.pubKey()
}

func (g *gen) features() wire.FeatureVector {
	var f wire.FeatureVector
	for range g.r.IntN(5) {
		f.Set(wire.FeatureBit(g.r.IntN(120)))
	}
	return f
}

func (g *gen) script() []byte {
	if !g.maybe() {
		return nil
	}
	return g.bytes(1 + g.r.IntN(40))
}

func (g *gen) outPoint() btcwire.OutPoint {
	if !g.maybe() {
		return btcwire.OutPoint{}
	}
	op := btcwire.OutPoint{Index: g.r.Uint32()}
	copy(op.Hash[:], g.bytes(32))
	return op
}

// tx draws a transaction that survives Bitcoin's serialization: at least
// one input, and either no witness at all or a non-empty one per input.
func (g *gen) tx() *btcwire.MsgTx {
	tx := btcwire.NewMsgTx(int32(g.r.IntN(3)))
	withWitness := g.r.IntN(2) == 0
	for range 1 + g.r.IntN(3) {
		op := g.outPoint()
		in := btcwire.NewTxIn(&op, g.bytes(1+g.r.IntN(20)), nil)
		in.Sequence = g.r.Uint32()
		if withWitness {
			in.SignatureScript = []byte{} // as Deserialize gives it back
			for range 1 + g.r.IntN(3) {
				in.Witness = append(in.Witness, g.bytes(g.r.IntN(73)))
			}
		}
		tx.AddTxIn(in)
	}
	for range g.r.IntN(3) {
		tx.AddTxOut(btcwire.NewTxOut(int64(g.r.Uint64()>>12), g.bytes(1+g.r.IntN(34))))
	}
	tx.LockTime = g.r.Uint32()
	return tx
}

func (g *gen) output(kind spendable.Kind) spendable.Output {
	if kind == 0 {
		kind = spendable.Kind(1 + g.r.IntN(4))
	}
	return spendable.Output{
		Kind:               kind,
		OutPoint:           g.outPoint(),
		Value:              wire.Satoshi(g.u64()),
		PkScript:           g.script(),
		ChannelKeyID:       g.id32(),
		PerCommitmentPoint: g.optPubKey(),
		RevocationPubKey:   g.optPubKey(),
		ToSelfDelay:        g.u16(),
		CLTV:               uint32(g.u64()),
	}
}

func (g *gen) text() string {
	if !g.maybe() {
		return ""
	}
	return events.SanitizeText(string(g.bytes(g.r.IntN(60))))
}

// event draws a random event of kind k, with a random ID.
func (g *gen) event(k events.Kind) events.Event {
	var e events.Event
	switch k {
	case events.KindOpenChannelRequest:
		e = &events.OpenChannelRequest{
			TemporaryChannelID: g.id32(), CounterpartyNodeID: g.nodeID(),
			FundingAmount: wire.Satoshi(g.u64()), PushAmount: wire.MilliSatoshi(g.u64()),
			ChannelType: g.features(), IsAnnounced: g.r.IntN(2) == 0, CounterpartyFeatures: g.features(),
			Params: events.ChannelParameters{
				DustLimit: wire.Satoshi(g.u64()), MaxHTLCValueInFlight: wire.MilliSatoshi(g.u64()),
				HTLCMinimum: wire.MilliSatoshi(g.u64()), FeeRate: wire.FeeRate(g.u64()),
				ToSelfDelay: g.u16(), MaxAcceptedHTLCs: g.u16(), ChannelReserve: wire.Satoshi(g.u64()),
			},
		}
	case events.KindFundingGenerationReady:
		e = &events.FundingGenerationReady{
			TemporaryChannelID: g.id32(), CounterpartyNodeID: g.nodeID(),
			ChannelValue: wire.Satoshi(g.u64()), OutputScript: g.script(), UserChannelID: g.u64(),
		}
	case events.KindChannelPending:
		e = &events.ChannelPending{
			ChannelID: g.id32(), UserChannelID: g.u64(), FormerTemporaryChannelID: g.id32(),
			CounterpartyNodeID: g.nodeID(), FundingOutPoint: g.outPoint(), ChannelType: g.features(),
		}
	case events.KindChannelReady:
		e = &events.ChannelReady{
			ChannelID: g.id32(), UserChannelID: g.u64(), CounterpartyNodeID: g.nodeID(),
			FundingOutPoint: g.outPoint(), ChannelType: g.features(),
		}
	case events.KindChannelClosed:
		e = &events.ChannelClosed{
			ChannelID: g.id32(), UserChannelID: g.u64(),
			Reason:             events.ClosureReason{Kind: events.ClosureKind(1 + g.r.IntN(9)), Message: g.text(), Broadcast: g.r.IntN(2) == 0, Rule: g.text()},
			CounterpartyNodeID: g.nodeID(), ChannelCapacity: wire.Satoshi(g.u64()),
			FundingOutPoint: g.outPoint(), LastLocalBalance: wire.MilliSatoshi(g.u64()),
		}
	case events.KindDiscardFunding:
		d := &events.DiscardFunding{ChannelID: g.id32(), UserChannelID: g.u64(), FundingOutPoint: g.outPoint()}
		if g.maybe() {
			d.FundingTx = g.tx()
		}
		e = d
	case events.KindSpendableOutputs:
		s := &events.SpendableOutputs{ChannelID: g.id32()}
		for range 1 + g.r.IntN(4) {
			s.Outputs = append(s.Outputs, g.output(0))
		}
		e = s
	case events.KindBumpTransaction:
		e = &events.BumpTransaction{
			ChannelID: g.id32(), CounterpartyNodeID: g.nodeID(), ClaimID: g.id32(),
			CommitmentTx: g.tx(), CommitmentTxFee: wire.Satoshi(g.u64()),
			Anchor: g.output(spendable.Anchor), TargetFeeRate: wire.FeeRate(g.u64()),
		}
	default:
		panic("gen: unknown kind")
	}
	setID(e, g.u64())
	return e
}

// allKinds lists every event kind.
var allKinds = []events.Kind{
	events.KindOpenChannelRequest, events.KindFundingGenerationReady, events.KindChannelPending,
	events.KindChannelReady, events.KindChannelClosed, events.KindDiscardFunding,
	events.KindSpendableOutputs, events.KindBumpTransaction,
}

// setID sets an event's ID as the queue would.
func setID(e events.Event, id uint64) {
	switch e := e.(type) {
	case *events.OpenChannelRequest:
		e.ID = id
	case *events.FundingGenerationReady:
		e.ID = id
	case *events.ChannelPending:
		e.ID = id
	case *events.ChannelReady:
		e.ID = id
	case *events.ChannelClosed:
		e.ID = id
	case *events.DiscardFunding:
		e.ID = id
	case *events.SpendableOutputs:
		e.ID = id
	case *events.BumpTransaction:
		e.ID = id
	}
}
