package wire_test

import (
	"math/rand"
	"sort"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/wire"
)

// msgGen makes random valid BOLT 1/2 messages from a seeded math/rand, for
// round-trip property tests, fuzz seeds and benchmarks.
type msgGen struct {
	r      *rand.Rand
	points []wire.Point
	// noTLV makes every optional record absent and ExtraTLVs empty, so
	// that the encoding ends with the last fixed field.
	noTLV bool
}

func newMsgGen(seed int64) *msgGen {
	g := &msgGen{r: rand.New(rand.NewSource(seed))}
	for i := 1; i <= 8; i++ {
		var k [32]byte
		k[0], k[31] = byte(i), byte(i*7)
		priv, _ := btcec.PrivKeyFromBytes(k[:])
		g.points = append(g.points, wire.NewPoint(priv.PubKey()))
	}
	return g
}

func (g *msgGen) coin() bool { return g.r.Intn(2) == 0 }

// opt reports whether an optional record should be present.
func (g *msgGen) opt() bool { return !g.noTLV && g.coin() }

func (g *msgGen) u64() uint64 {
	// Mix in small and edge values.
	switch g.r.Intn(4) {
	case 0:
		return uint64(g.r.Intn(1000))
	case 1:
		return ^uint64(0) - uint64(g.r.Intn(3))
	default:
		return g.r.Uint64()
	}
}

func (g *msgGen) u32() uint32 { return uint32(g.u64()) }
func (g *msgGen) u16() uint16 { return uint16(g.u64()) }

func (g *msgGen) fill(b []byte) { g.r.Read(b) }

// bytes returns up to max random bytes, nil when empty (as decoders return).
func (g *msgGen) bytes(max int) []byte {
	n := g.r.Intn(max + 1)
	if n == 0 {
		return nil
	}
	b := make([]byte, n)
	g.fill(b)
	return b
}

func (g *msgGen) point() wire.Point { return g.points[g.r.Intn(len(g.points))] }

func (g *msgGen) sig() (s wire.Signature) { g.fill(s[:]); return }

func (g *msgGen) chanID() (id wire.ChannelID) { g.fill(id[:]); return }

func (g *msgGen) hash() (h chainhash.Hash) { g.fill(h[:]); return }

func (g *msgGen) scid() wire.ShortChannelID {
	return wire.NewShortChannelID(g.u64())
}

// features returns a vector with a few bits below maxBit set.
func (g *msgGen) features(maxBit int) wire.FeatureVector {
	var bits []wire.FeatureBit
	for i := g.r.Intn(6); i > 0; i-- {
		bits = append(bits, wire.FeatureBit(g.r.Intn(maxBit)))
	}
	return wire.NewFeatureVector(bits...)
}

// extra returns up to three unknown odd records, sorted, avoiding the
// message's known types.
func (g *msgGen) extra(known ...uint64) wire.TLVRecords {
	if g.noTLV {
		return nil
	}
	seen := map[uint64]bool{}
	for _, k := range known {
		seen[k] = true
	}
	var rs wire.TLVRecords
	for i := g.r.Intn(4); i > 0; i-- {
		var typ uint64
		switch g.r.Intn(4) {
		case 0:
			typ = uint64(g.r.Intn(64))
		case 1:
			typ = 253 + uint64(g.r.Intn(300))
		case 2:
			typ = 65536 + uint64(g.r.Intn(1<<20))
		default:
			typ = g.r.Uint64()
		}
		typ |= 1
		if seen[typ] {
			continue
		}
		seen[typ] = true
		rs = append(rs, wire.TLVRecord{Type: typ, Value: g.bytes(40)})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Type < rs[j].Type })
	return rs
}

func (g *msgGen) initMsg() *wire.Init {
	m := &wire.Init{
		GlobalFeatures: g.features(14),
		Features:       g.features(64),
		ExtraTLVs:      g.extra(1, 3),
	}
	if g.opt() {
		var chains []chainhash.Hash
		for i := g.r.Intn(4); i > 0; i-- {
			chains = append(chains, g.hash())
		}
		m.Networks = wire.Some(chains)
	}
	if g.opt() {
		m.RemoteAddr = wire.Some(g.netAddress())
	}
	return m
}

// netAddress returns an address descriptor of a random known type.
func (g *msgGen) netAddress() wire.NetAddress {
	lens := map[wire.AddressType]int{wire.AddressIPv4: 4, wire.AddressIPv6: 16, wire.AddressTorV2: 10, wire.AddressTorV3: 35}
	typ := wire.AddressType(1 + g.r.Intn(5))
	a := wire.NetAddress{Type: typ, Port: g.u16()}
	if n, ok := lens[typ]; ok {
		a.Addr = make([]byte, n)
		g.fill(a.Addr)
	} else {
		a.Addr = g.bytes(30) // nil when empty, as decoding returns
	}
	return a
}

func (g *msgGen) errorMsg() *wire.Error {
	return &wire.Error{ChannelID: g.chanID(), Data: g.bytes(100), ExtraTLVs: g.extra()}
}

func (g *msgGen) warning() *wire.Warning {
	return &wire.Warning{ChannelID: g.chanID(), Data: g.bytes(100), ExtraTLVs: g.extra()}
}

func (g *msgGen) ping() *wire.Ping {
	return &wire.Ping{NumPongBytes: g.u16(), IgnoredLen: uint16(g.r.Intn(300)), ExtraTLVs: g.extra()}
}

func (g *msgGen) pong() *wire.Pong {
	return &wire.Pong{IgnoredLen: uint16(g.r.Intn(300)), ExtraTLVs: g.extra()}
}

func (g *msgGen) openChannel() *wire.OpenChannel {
	m := &wire.OpenChannel{
		ChainHash:               g.hash(),
		TemporaryChannelID:      g.chanID(),
		FundingAmount:           wire.Satoshi(g.u64()),
		PushAmount:              wire.MilliSatoshi(g.u64()),
		DustLimit:               wire.Satoshi(g.u64()),
		MaxHTLCValueInFlight:    wire.MilliSatoshi(g.u64()),
		ChannelReserve:          wire.Satoshi(g.u64()),
		HTLCMinimum:             wire.MilliSatoshi(g.u64()),
		FeeRate:                 wire.FeeRate(g.u32()),
		ToSelfDelay:             g.u16(),
		MaxAcceptedHTLCs:        g.u16(),
		FundingPubKey:           g.point(),
		RevocationBasepoint:     g.point(),
		PaymentBasepoint:        g.point(),
		DelayedPaymentBasepoint: g.point(),
		HTLCBasepoint:           g.point(),
		FirstPerCommitmentPoint: g.point(),
		ChannelFlags:            uint8(g.r.Intn(256)),
		ExtraTLVs:               g.extra(0, 1),
	}
	if g.opt() {
		m.UpfrontShutdownScript = wire.Some(g.bytes(34))
	}
	if g.opt() {
		m.ChannelType = wire.Some(g.features(64))
	}
	return m
}

func (g *msgGen) acceptChannel() *wire.AcceptChannel {
	m := &wire.AcceptChannel{
		TemporaryChannelID:      g.chanID(),
		DustLimit:               wire.Satoshi(g.u64()),
		MaxHTLCValueInFlight:    wire.MilliSatoshi(g.u64()),
		ChannelReserve:          wire.Satoshi(g.u64()),
		HTLCMinimum:             wire.MilliSatoshi(g.u64()),
		MinimumDepth:            g.u32(),
		ToSelfDelay:             g.u16(),
		MaxAcceptedHTLCs:        g.u16(),
		FundingPubKey:           g.point(),
		RevocationBasepoint:     g.point(),
		PaymentBasepoint:        g.point(),
		DelayedPaymentBasepoint: g.point(),
		HTLCBasepoint:           g.point(),
		FirstPerCommitmentPoint: g.point(),
		ExtraTLVs:               g.extra(0, 1),
	}
	if g.opt() {
		m.UpfrontShutdownScript = wire.Some(g.bytes(34))
	}
	if g.opt() {
		m.ChannelType = wire.Some(g.features(64))
	}
	return m
}

func (g *msgGen) fundingCreated() *wire.FundingCreated {
	return &wire.FundingCreated{
		TemporaryChannelID: g.chanID(),
		FundingTxID:        g.hash(),
		FundingOutputIndex: g.u16(),
		Signature:          g.sig(),
		ExtraTLVs:          g.extra(),
	}
}

func (g *msgGen) fundingSigned() *wire.FundingSigned {
	return &wire.FundingSigned{ChannelID: g.chanID(), Signature: g.sig(), ExtraTLVs: g.extra()}
}

func (g *msgGen) channelReady() *wire.ChannelReady {
	m := &wire.ChannelReady{ChannelID: g.chanID(), SecondPerCommitmentPoint: g.point(), ExtraTLVs: g.extra(1)}
	if g.opt() {
		m.Alias = wire.Some(g.scid())
	}
	return m
}

func (g *msgGen) shutdown() *wire.Shutdown {
	return &wire.Shutdown{ChannelID: g.chanID(), ScriptPubKey: g.bytes(34), ExtraTLVs: g.extra()}
}

func (g *msgGen) closingSigned() *wire.ClosingSigned {
	m := &wire.ClosingSigned{ChannelID: g.chanID(), Fee: wire.Satoshi(g.u64()), Signature: g.sig(), ExtraTLVs: g.extra(1)}
	if g.opt() {
		m.FeeRange = wire.Some(wire.FeeRange{MinFee: wire.Satoshi(g.u64()), MaxFee: wire.Satoshi(g.u64())})
	}
	return m
}

func (g *msgGen) updateAddHTLC() *wire.UpdateAddHTLC {
	m := &wire.UpdateAddHTLC{
		ChannelID:  g.chanID(),
		ID:         g.u64(),
		Amount:     wire.MilliSatoshi(g.u64()),
		CLTVExpiry: g.u32(),
		ExtraTLVs:  g.extra(0),
	}
	g.fill(m.PaymentHash[:])
	g.fill(m.OnionPacket[:])
	if g.opt() {
		m.PathKey = wire.Some(g.point())
	}
	return m
}

func (g *msgGen) attribution() wire.Option[wire.AttributionData] {
	if !g.opt() {
		return wire.Option[wire.AttributionData]{}
	}
	var a wire.AttributionData
	g.fill(a[:])
	return wire.Some(a)
}

func (g *msgGen) updateFulfillHTLC() *wire.UpdateFulfillHTLC {
	m := &wire.UpdateFulfillHTLC{ChannelID: g.chanID(), ID: g.u64(), AttributionData: g.attribution(), ExtraTLVs: g.extra(1)}
	g.fill(m.PaymentPreimage[:])
	return m
}

func (g *msgGen) updateFailHTLC() *wire.UpdateFailHTLC {
	return &wire.UpdateFailHTLC{
		ChannelID:       g.chanID(),
		ID:              g.u64(),
		Reason:          g.bytes(300),
		AttributionData: g.attribution(),
		ExtraTLVs:       g.extra(1),
	}
}

func (g *msgGen) updateFailMalformedHTLC() *wire.UpdateFailMalformedHTLC {
	m := &wire.UpdateFailMalformedHTLC{ChannelID: g.chanID(), ID: g.u64(), FailureCode: g.u16(), ExtraTLVs: g.extra()}
	g.fill(m.OnionHash[:])
	return m
}

func (g *msgGen) commitmentSigned() *wire.CommitmentSigned {
	m := &wire.CommitmentSigned{ChannelID: g.chanID(), Signature: g.sig(), ExtraTLVs: g.extra(1)}
	for i := g.r.Intn(20); i > 0; i-- {
		m.HTLCSignatures = append(m.HTLCSignatures, g.sig())
	}
	if g.opt() {
		m.FundingTxID = wire.Some(g.hash())
	}
	return m
}

func (g *msgGen) revokeAndAck() *wire.RevokeAndAck {
	m := &wire.RevokeAndAck{ChannelID: g.chanID(), NextPerCommitmentPoint: g.point(), ExtraTLVs: g.extra()}
	g.fill(m.PerCommitmentSecret[:])
	return m
}

func (g *msgGen) updateFee() *wire.UpdateFee {
	return &wire.UpdateFee{ChannelID: g.chanID(), FeeRate: wire.FeeRate(g.u32()), ExtraTLVs: g.extra()}
}

func (g *msgGen) channelReestablish() *wire.ChannelReestablish {
	m := &wire.ChannelReestablish{
		ChannelID:                   g.chanID(),
		NextCommitmentNumber:        g.u64(),
		NextRevocationNumber:        g.u64(),
		MyCurrentPerCommitmentPoint: g.point(),
		ExtraTLVs:                   g.extra(1, 5),
	}
	g.fill(m.YourLastPerCommitmentSecret[:])
	if g.opt() {
		m.NextFunding = wire.Some(wire.NextFunding{TxID: g.hash(), RetransmitFlags: uint8(g.r.Intn(256))})
	}
	if g.opt() {
		m.MyCurrentFundingLocked = wire.Some(wire.FundingLocked{TxID: g.hash(), RetransmitFlags: uint8(g.r.Intn(256))})
	}
	return m
}

func (g *msgGen) peerStorage() *wire.PeerStorage {
	return &wire.PeerStorage{Blob: g.bytes(200), ExtraTLVs: g.extra()}
}

func (g *msgGen) peerStorageRetrieval() *wire.PeerStorageRetrieval {
	return &wire.PeerStorageRetrieval{Blob: g.bytes(200), ExtraTLVs: g.extra()}
}

func (g *msgGen) stfu() *wire.Stfu {
	return &wire.Stfu{ChannelID: g.chanID(), Initiator: uint8(g.r.Intn(3)), ExtraTLVs: g.extra()}
}

func (g *msgGen) startBatch() *wire.StartBatch {
	m := &wire.StartBatch{ChannelID: g.chanID(), BatchSize: g.u16(), ExtraTLVs: g.extra(1)}
	if g.opt() {
		m.BatchType = wire.Some(wire.MessageType(g.u16()))
	}
	return m
}

func (g *msgGen) optSig() wire.Option[wire.Signature] {
	if !g.opt() {
		return wire.Option[wire.Signature]{}
	}
	return wire.Some(g.sig())
}

func (g *msgGen) closingSigs() wire.ClosingSigs {
	return wire.ClosingSigs{CloserOutputOnly: g.optSig(), CloseeOutputOnly: g.optSig(), CloserAndCloseeOutputs: g.optSig()}
}

func (g *msgGen) closingComplete() *wire.ClosingComplete {
	return &wire.ClosingComplete{
		ChannelID: g.chanID(), CloserScriptPubKey: g.bytes(34), CloseeScriptPubKey: g.bytes(34),
		Fee: wire.Satoshi(g.u64()), Locktime: g.u32(), Sigs: g.closingSigs(), ExtraTLVs: g.extra(1, 3),
	}
}

func (g *msgGen) closingSig() *wire.ClosingSig {
	return &wire.ClosingSig{
		ChannelID: g.chanID(), CloserScriptPubKey: g.bytes(34), CloseeScriptPubKey: g.bytes(34),
		Fee: wire.Satoshi(g.u64()), Locktime: g.u32(), Sigs: g.closingSigs(), ExtraTLVs: g.extra(1, 3),
	}
}

func (g *msgGen) openChannel2() *wire.OpenChannel2 {
	m := &wire.OpenChannel2{
		ChainHash:                g.hash(),
		TemporaryChannelID:       g.chanID(),
		FundingFeeRate:           wire.FeeRate(g.u32()),
		CommitmentFeeRate:        wire.FeeRate(g.u32()),
		FundingAmount:            wire.Satoshi(g.u64()),
		DustLimit:                wire.Satoshi(g.u64()),
		MaxHTLCValueInFlight:     wire.MilliSatoshi(g.u64()),
		HTLCMinimum:              wire.MilliSatoshi(g.u64()),
		ToSelfDelay:              g.u16(),
		MaxAcceptedHTLCs:         g.u16(),
		Locktime:                 g.u32(),
		FundingPubKey:            g.point(),
		RevocationBasepoint:      g.point(),
		PaymentBasepoint:         g.point(),
		DelayedPaymentBasepoint:  g.point(),
		HTLCBasepoint:            g.point(),
		FirstPerCommitmentPoint:  g.point(),
		SecondPerCommitmentPoint: g.point(),
		ChannelFlags:             uint8(g.r.Intn(256)),
		RequireConfirmedInputs:   g.opt(),
		ExtraTLVs:                g.extra(1),
	}
	if g.opt() {
		m.UpfrontShutdownScript = wire.Some(g.bytes(34))
	}
	if g.opt() {
		m.ChannelType = wire.Some(g.features(64))
	}
	return m
}

func (g *msgGen) acceptChannel2() *wire.AcceptChannel2 {
	m := &wire.AcceptChannel2{
		TemporaryChannelID:       g.chanID(),
		FundingAmount:            wire.Satoshi(g.u64()),
		DustLimit:                wire.Satoshi(g.u64()),
		MaxHTLCValueInFlight:     wire.MilliSatoshi(g.u64()),
		HTLCMinimum:              wire.MilliSatoshi(g.u64()),
		MinimumDepth:             g.u32(),
		ToSelfDelay:              g.u16(),
		MaxAcceptedHTLCs:         g.u16(),
		FundingPubKey:            g.point(),
		RevocationBasepoint:      g.point(),
		PaymentBasepoint:         g.point(),
		DelayedPaymentBasepoint:  g.point(),
		HTLCBasepoint:            g.point(),
		FirstPerCommitmentPoint:  g.point(),
		SecondPerCommitmentPoint: g.point(),
		RequireConfirmedInputs:   g.opt(),
		ExtraTLVs:                g.extra(1),
	}
	if g.opt() {
		m.UpfrontShutdownScript = wire.Some(g.bytes(34))
	}
	if g.opt() {
		m.ChannelType = wire.Some(g.features(64))
	}
	return m
}

func (g *msgGen) txAddInput() *wire.TxAddInput {
	m := &wire.TxAddInput{ChannelID: g.chanID(), SerialID: g.u64(), PrevTx: g.bytes(300),
		PrevTxVout: g.u32(), Sequence: g.u32(), ExtraTLVs: g.extra()}
	if g.opt() {
		m.SharedInputTxID = wire.Some(g.hash())
	}
	return m
}

func (g *msgGen) txAddOutput() *wire.TxAddOutput {
	return &wire.TxAddOutput{ChannelID: g.chanID(), SerialID: g.u64(), Amount: wire.Satoshi(g.u64()),
		Script: g.bytes(34), ExtraTLVs: g.extra()}
}

func (g *msgGen) txRemoveInput() *wire.TxRemoveInput {
	return &wire.TxRemoveInput{ChannelID: g.chanID(), SerialID: g.u64(), ExtraTLVs: g.extra()}
}

func (g *msgGen) txRemoveOutput() *wire.TxRemoveOutput {
	return &wire.TxRemoveOutput{ChannelID: g.chanID(), SerialID: g.u64(), ExtraTLVs: g.extra()}
}

func (g *msgGen) txComplete() *wire.TxComplete {
	return &wire.TxComplete{ChannelID: g.chanID(), ExtraTLVs: g.extra()}
}

func (g *msgGen) txSignatures() *wire.TxSignatures {
	m := &wire.TxSignatures{ChannelID: g.chanID(), TxID: g.hash(), SharedInputSignature: g.optSig(), ExtraTLVs: g.extra()}
	for i := g.r.Intn(5); i > 0; i-- {
		m.Witnesses = append(m.Witnesses, g.bytes(120))
	}
	return m
}

func (g *msgGen) optS64() wire.Option[int64] {
	if !g.opt() {
		return wire.Option[int64]{}
	}
	return wire.Some(int64(g.u64()))
}

func (g *msgGen) txInitRBF() *wire.TxInitRBF {
	return &wire.TxInitRBF{ChannelID: g.chanID(), Locktime: g.u32(), FeeRate: wire.FeeRate(g.u32()),
		FundingOutputContribution: g.optS64(), RequireConfirmedInputs: g.opt(), ExtraTLVs: g.extra()}
}

func (g *msgGen) txAckRBF() *wire.TxAckRBF {
	return &wire.TxAckRBF{ChannelID: g.chanID(), FundingOutputContribution: g.optS64(),
		RequireConfirmedInputs: g.opt(), ExtraTLVs: g.extra()}
}

func (g *msgGen) txAbort() *wire.TxAbort {
	return &wire.TxAbort{ChannelID: g.chanID(), Data: g.bytes(100), ExtraTLVs: g.extra()}
}

func (g *msgGen) spliceInit() *wire.SpliceInit {
	return &wire.SpliceInit{ChannelID: g.chanID(), FundingContribution: int64(g.u64()),
		FundingFeeRate: wire.FeeRate(g.u32()), Locktime: g.u32(), FundingPubKey: g.point(),
		RequireConfirmedInputs: g.opt(), ExtraTLVs: g.extra()}
}

func (g *msgGen) spliceAck() *wire.SpliceAck {
	return &wire.SpliceAck{ChannelID: g.chanID(), FundingContribution: int64(g.u64()), FundingPubKey: g.point(),
		RequireConfirmedInputs: g.opt(), ExtraTLVs: g.extra()}
}

func (g *msgGen) spliceLocked() *wire.SpliceLocked {
	return &wire.SpliceLocked{ChannelID: g.chanID(), SpliceTxID: g.hash(), ExtraTLVs: g.extra()}
}
