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
			Reason:             events.ClosureReason{Kind: events.ClosureKind(1 + g.r.IntN(10)), Message: g.text(), Broadcast: g.r.IntN(2) == 0, Rule: g.text()},
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
		e = g.paymentEvent(k)
	}
	setID(e, g.u64())
	return e
}

// paymentEvent draws a random payment event of kind k. Preimages hash to
// the payment hash, as check requires.
func (g *gen) paymentEvent(k events.Kind) events.Event {
	switch k {
	case events.KindPaymentClaimable:
		p, h := g.purpose()
		return &events.PaymentClaimable{
			PaymentHash: h, Amount: wire.MilliSatoshi(g.u64()), Purpose: p, ReceiverNodeID: g.nodeID(),
			ViaChannelID: g.id32(), ViaUserChannelID: g.u64(), ClaimDeadline: uint32(g.u64()),
			PaymentMetadata: g.script(), CustomRecords: g.customRecords(),
		}
	case events.KindPaymentClaimed:
		p, h := g.purpose()
		return &events.PaymentClaimed{
			PaymentHash: h, Amount: wire.MilliSatoshi(g.u64()), Purpose: p, ReceiverNodeID: g.nodeID(),
			HTLCCount: uint32(g.u64()),
		}
	case events.KindPaymentSent:
		pre := wire.Preimage(g.id32())
		return &events.PaymentSent{
			PaymentID: g.id32(), PaymentHash: pre.Hash(), Preimage: pre,
			FeePaid: wire.MilliSatoshi(g.u64()), Amount: wire.MilliSatoshi(g.u64()), HoldTimes: g.holdTimes(),
		}
	case events.KindPaymentFailed:
		e := &events.PaymentFailed{
			PaymentID: g.id32(), PaymentHash: g.id32(),
			Reason: events.PaymentFailureReason(1 + g.r.IntN(6)),
		}
		if g.maybe() {
			e.Failure = wire.Some(g.htlcFailure())
		}
		return e
	case events.KindPaymentForwarded:
		return &events.PaymentForwarded{
			PrevChannelID: g.id32(), NextChannelID: g.id32(), PaymentHash: g.id32(),
			IncomingAmount: wire.MilliSatoshi(g.u64()), OutgoingAmount: wire.MilliSatoshi(g.u64()),
			FeeEarned: wire.MilliSatoshi(g.u64()), ClaimedOnChain: g.maybe(),
		}
	case events.KindHTLCIntercepted:
		return &events.HTLCIntercepted{
			InterceptID: g.id32(), RequestedNextHopSCID: wire.NewShortChannelID(g.u64()), PaymentHash: g.id32(),
			InboundAmount: wire.MilliSatoshi(g.u64()), ExpectedOutboundAmount: wire.MilliSatoshi(g.u64()),
			PrevChannelID: g.id32(), CLTVExpiry: uint32(g.u64()), OutgoingCLTV: uint32(g.u64()),
		}
	case events.KindPaymentPathFailed:
		e := &events.PaymentPathFailed{
			PaymentID: g.id32(), PaymentHash: g.id32(), PaymentFailedPermanently: g.r.IntN(2) == 0,
			Failure: g.htlcFailure(), Retryable: g.r.IntN(2) == 0,
		}
		if g.maybe() {
			e.ShortChannelID = wire.NewShortChannelID(g.r.Uint64())
		}
		e.Path = g.path()
		return e
	case events.KindPaymentPathSuccessful:
		return &events.PaymentPathSuccessful{
			PaymentID: g.id32(), PaymentHash: g.id32(), Path: g.path(),
			Amount: wire.MilliSatoshi(g.u64()), FeePaid: wire.MilliSatoshi(g.u64()),
		}
	case events.KindProbeSuccessful:
		return &events.ProbeSuccessful{PaymentID: g.id32(), PaymentHash: g.id32(), Path: g.path()}
	case events.KindProbeFailed:
		e := &events.ProbeFailed{PaymentID: g.id32(), PaymentHash: g.id32(), Path: g.path(), Failure: g.htlcFailure()}
		if g.maybe() {
			e.ShortChannelID = wire.NewShortChannelID(g.r.Uint64())
		}
		return e
	}
	panic("gen: unknown kind")
}

// path draws up to 4 node ids.
func (g *gen) path() []wire.NodeID {
	var p []wire.NodeID
	for range g.r.IntN(5) {
		p = append(p, g.nodeID())
	}
	return p
}

// purpose draws a payment purpose and the payment hash it goes with.
func (g *gen) purpose() (events.PaymentPurpose, wire.PaymentHash) {
	p := events.PaymentPurpose{Kind: events.PurposeKind(1 + g.r.IntN(2))}
	if p.Kind == events.PurposeInvoice {
		p.Secret = g.id32()
	}
	if p.Kind == events.PurposeSpontaneous || g.maybe() {
		p.Preimage = wire.Some(wire.Preimage(g.id32()))
		return p, p.Preimage.Value.Hash()
	}
	return p, g.id32()
}

// customRecords draws custom onion records (types of 65536 and above, in
// increasing order; empty values are nil, as they decode).
func (g *gen) customRecords() wire.TLVRecords {
	var rs wire.TLVRecords
	typ := uint64(1 << 16)
	for range g.r.IntN(4) {
		typ += 1 + 2*uint64(g.r.IntN(1000))
		var v []byte
		if n := g.r.IntN(20); n > 0 {
			v = g.bytes(n)
		}
		rs = append(rs, wire.TLVRecord{Type: typ, Value: v})
	}
	return rs
}

func (g *gen) htlcFailure() events.HTLCFailure {
	f := events.HTLCFailure{
		ErringNode: g.nodeID(), HopIndex: uint8(g.u64()), Code: g.u16(),
		Permanent: g.r.IntN(2) == 0, ChannelUpdate: g.script(),
		Tampered: g.r.IntN(4) == 0, HoldTimes: g.holdTimes(),
	}
	if !g.maybe() {
		f.HopIndex = events.HopIndexUnknown
	}
	return f
}

// allKinds lists every event kind.
var allKinds = []events.Kind{
	events.KindOpenChannelRequest, events.KindFundingGenerationReady, events.KindChannelPending,
	events.KindChannelReady, events.KindChannelClosed, events.KindDiscardFunding,
	events.KindSpendableOutputs, events.KindBumpTransaction, events.KindPaymentClaimable,
	events.KindPaymentClaimed, events.KindPaymentSent, events.KindPaymentFailed,
	events.KindPaymentPathFailed, events.KindPaymentForwarded, events.KindHTLCIntercepted,
	events.KindPaymentPathSuccessful, events.KindProbeSuccessful, events.KindProbeFailed,
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
	case *events.PaymentClaimable:
		e.ID = id
	case *events.PaymentClaimed:
		e.ID = id
	case *events.PaymentSent:
		e.ID = id
	case *events.PaymentFailed:
		e.ID = id
	case *events.PaymentPathFailed:
		e.ID = id
	case *events.PaymentForwarded:
		e.ID = id
	case *events.HTLCIntercepted:
		e.ID = id
	case *events.PaymentPathSuccessful:
		e.ID = id
	case *events.ProbeSuccessful:
		e.ID = id
	case *events.ProbeFailed:
		e.ID = id
	}
}

// holdTimes is nil or up to 20 hold times.
func (g *gen) holdTimes() []uint32 {
	n := g.r.IntN(21)
	if n == 0 || !g.maybe() {
		return nil
	}
	hs := make([]uint32, n)
	for i := range hs {
		hs[i] = uint32(g.u64())
	}
	return hs
}
