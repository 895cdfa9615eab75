package wire_test

import (
	"github.com/lnkit/lnkit/wire"
)

// msgCase describes one message type for the table-driven tests, fuzz
// targets and benchmarks.
type msgCase struct {
	name string
	typ  wire.MessageType
	gen  func(g *msgGen) wire.Message
	// lossy marks messages whose decoding normalises the input (feature
	// vectors lose leading zero bytes, ping/pong padding becomes zeros), so
	// that re-encoding a fuzzed input may differ from it.
	lossy bool
	// points returns the message's fixed point fields that decoding
	// validates.
	points func(m wire.Message) []*wire.Point
	// badTLVs are known records carrying a value of the wrong length.
	badTLVs []wire.TLVRecord
}

func msgCases() []msgCase {
	openPoints := func(m wire.Message) []*wire.Point {
		o := m.(*wire.OpenChannel)
		return []*wire.Point{&o.FundingPubKey, &o.RevocationBasepoint, &o.PaymentBasepoint,
			&o.DelayedPaymentBasepoint, &o.HTLCBasepoint, &o.FirstPerCommitmentPoint}
	}
	acceptPoints := func(m wire.Message) []*wire.Point {
		a := m.(*wire.AcceptChannel)
		return []*wire.Point{&a.FundingPubKey, &a.RevocationBasepoint, &a.PaymentBasepoint,
			&a.DelayedPaymentBasepoint, &a.HTLCBasepoint, &a.FirstPerCommitmentPoint}
	}
	return []msgCase{
		{name: "init", typ: wire.MsgInit, gen: func(g *msgGen) wire.Message { return g.initMsg() }, lossy: true,
			badTLVs: []wire.TLVRecord{{Type: 1, Value: make([]byte, 31)}, {Type: 1, Value: make([]byte, 33)}}},
		{name: "error", typ: wire.MsgError, gen: func(g *msgGen) wire.Message { return g.errorMsg() }},
		{name: "warning", typ: wire.MsgWarning, gen: func(g *msgGen) wire.Message { return g.warning() }},
		{name: "ping", typ: wire.MsgPing, gen: func(g *msgGen) wire.Message { return g.ping() }, lossy: true},
		{name: "pong", typ: wire.MsgPong, gen: func(g *msgGen) wire.Message { return g.pong() }, lossy: true},
		{name: "open_channel", typ: wire.MsgOpenChannel, gen: func(g *msgGen) wire.Message { return g.openChannel() },
			lossy: true, points: openPoints},
		{name: "accept_channel", typ: wire.MsgAcceptChannel, gen: func(g *msgGen) wire.Message { return g.acceptChannel() },
			lossy: true, points: acceptPoints},
		{name: "funding_created", typ: wire.MsgFundingCreated, gen: func(g *msgGen) wire.Message { return g.fundingCreated() }},
		{name: "funding_signed", typ: wire.MsgFundingSigned, gen: func(g *msgGen) wire.Message { return g.fundingSigned() }},
		{name: "channel_ready", typ: wire.MsgChannelReady, gen: func(g *msgGen) wire.Message { return g.channelReady() },
			points: func(m wire.Message) []*wire.Point {
				return []*wire.Point{&m.(*wire.ChannelReady).SecondPerCommitmentPoint}
			},
			badTLVs: []wire.TLVRecord{{Type: 1, Value: make([]byte, 7)}, {Type: 1, Value: make([]byte, 9)}}},
		{name: "shutdown", typ: wire.MsgShutdown, gen: func(g *msgGen) wire.Message { return g.shutdown() }},
		{name: "closing_signed", typ: wire.MsgClosingSigned, gen: func(g *msgGen) wire.Message { return g.closingSigned() },
			badTLVs: []wire.TLVRecord{{Type: 1, Value: make([]byte, 15)}, {Type: 1, Value: make([]byte, 17)}}},
		{name: "update_add_htlc", typ: wire.MsgUpdateAddHTLC, gen: func(g *msgGen) wire.Message { return g.updateAddHTLC() },
			badTLVs: []wire.TLVRecord{{Type: 0, Value: make([]byte, 32)}, {Type: 0, Value: make([]byte, 34)},
				{Type: 0, Value: append([]byte{0x04}, make([]byte, 32)...)}}},
		{name: "update_fulfill_htlc", typ: wire.MsgUpdateFulfillHTLC, gen: func(g *msgGen) wire.Message { return g.updateFulfillHTLC() },
			badTLVs: []wire.TLVRecord{{Type: 1, Value: make([]byte, 919)}, {Type: 1, Value: make([]byte, 921)}}},
		{name: "update_fail_htlc", typ: wire.MsgUpdateFailHTLC, gen: func(g *msgGen) wire.Message { return g.updateFailHTLC() },
			badTLVs: []wire.TLVRecord{{Type: 1, Value: nil}, {Type: 1, Value: make([]byte, 921)}}},
		{name: "update_fail_malformed_htlc", typ: wire.MsgUpdateFailMalformedHTLC,
			gen: func(g *msgGen) wire.Message { return g.updateFailMalformedHTLC() }},
		{name: "commitment_signed", typ: wire.MsgCommitmentSigned, gen: func(g *msgGen) wire.Message { return g.commitmentSigned() },
			badTLVs: []wire.TLVRecord{{Type: 1, Value: make([]byte, 31)}, {Type: 1, Value: make([]byte, 33)}}},
		{name: "revoke_and_ack", typ: wire.MsgRevokeAndAck, gen: func(g *msgGen) wire.Message { return g.revokeAndAck() },
			points: func(m wire.Message) []*wire.Point {
				return []*wire.Point{&m.(*wire.RevokeAndAck).NextPerCommitmentPoint}
			}},
		{name: "update_fee", typ: wire.MsgUpdateFee, gen: func(g *msgGen) wire.Message { return g.updateFee() }},
		{name: "channel_reestablish", typ: wire.MsgChannelReestablish,
			gen:     func(g *msgGen) wire.Message { return g.channelReestablish() },
			badTLVs: []wire.TLVRecord{{Type: 1, Value: make([]byte, 32)}, {Type: 5, Value: make([]byte, 34)}}},
		{name: "peer_storage", typ: wire.MsgPeerStorage, gen: func(g *msgGen) wire.Message { return g.peerStorage() }},
		{name: "peer_storage_retrieval", typ: wire.MsgPeerStorageRetrieval,
			gen: func(g *msgGen) wire.Message { return g.peerStorageRetrieval() }},
		{name: "stfu", typ: wire.MsgStfu, gen: func(g *msgGen) wire.Message { return g.stfu() }},
		{name: "start_batch", typ: wire.MsgStartBatch, gen: func(g *msgGen) wire.Message { return g.startBatch() },
			badTLVs: []wire.TLVRecord{{Type: 1, Value: []byte{1}}, {Type: 1, Value: []byte{1, 2, 3}}}},
		{name: "closing_complete", typ: wire.MsgClosingComplete, gen: func(g *msgGen) wire.Message { return g.closingComplete() },
			badTLVs: closingBadTLVs},
		{name: "closing_sig", typ: wire.MsgClosingSig, gen: func(g *msgGen) wire.Message { return g.closingSig() },
			badTLVs: closingBadTLVs},
		{name: "open_channel2", typ: wire.MsgOpenChannel2, gen: func(g *msgGen) wire.Message { return g.openChannel2() },
			lossy: true, points: func(m wire.Message) []*wire.Point {
				o := m.(*wire.OpenChannel2)
				return []*wire.Point{&o.FundingPubKey, &o.RevocationBasepoint, &o.PaymentBasepoint,
					&o.DelayedPaymentBasepoint, &o.HTLCBasepoint, &o.FirstPerCommitmentPoint, &o.SecondPerCommitmentPoint}
			},
			badTLVs: []wire.TLVRecord{{Type: 2, Value: []byte{0}}}},
		{name: "accept_channel2", typ: wire.MsgAcceptChannel2, gen: func(g *msgGen) wire.Message { return g.acceptChannel2() },
			lossy: true, points: func(m wire.Message) []*wire.Point {
				a := m.(*wire.AcceptChannel2)
				return []*wire.Point{&a.FundingPubKey, &a.RevocationBasepoint, &a.PaymentBasepoint,
					&a.DelayedPaymentBasepoint, &a.HTLCBasepoint, &a.FirstPerCommitmentPoint, &a.SecondPerCommitmentPoint}
			},
			badTLVs: []wire.TLVRecord{{Type: 2, Value: []byte{0}}}},
		{name: "tx_add_input", typ: wire.MsgTxAddInput, gen: func(g *msgGen) wire.Message { return g.txAddInput() },
			badTLVs: []wire.TLVRecord{{Type: 0, Value: make([]byte, 31)}, {Type: 0, Value: make([]byte, 33)}}},
		{name: "tx_add_output", typ: wire.MsgTxAddOutput, gen: func(g *msgGen) wire.Message { return g.txAddOutput() }},
		{name: "tx_remove_input", typ: wire.MsgTxRemoveInput, gen: func(g *msgGen) wire.Message { return g.txRemoveInput() }},
		{name: "tx_remove_output", typ: wire.MsgTxRemoveOutput, gen: func(g *msgGen) wire.Message { return g.txRemoveOutput() }},
		{name: "tx_complete", typ: wire.MsgTxComplete, gen: func(g *msgGen) wire.Message { return g.txComplete() }},
		{name: "tx_signatures", typ: wire.MsgTxSignatures, gen: func(g *msgGen) wire.Message { return g.txSignatures() },
			badTLVs: []wire.TLVRecord{{Type: 0, Value: make([]byte, 63)}, {Type: 0, Value: make([]byte, 65)}}},
		{name: "tx_init_rbf", typ: wire.MsgTxInitRBF, gen: func(g *msgGen) wire.Message { return g.txInitRBF() },
			badTLVs: rbfBadTLVs},
		{name: "tx_ack_rbf", typ: wire.MsgTxAckRBF, gen: func(g *msgGen) wire.Message { return g.txAckRBF() },
			badTLVs: rbfBadTLVs},
		{name: "tx_abort", typ: wire.MsgTxAbort, gen: func(g *msgGen) wire.Message { return g.txAbort() }},
		{name: "splice_init", typ: wire.MsgSpliceInit, gen: func(g *msgGen) wire.Message { return g.spliceInit() },
			points:  func(m wire.Message) []*wire.Point { return []*wire.Point{&m.(*wire.SpliceInit).FundingPubKey} },
			badTLVs: []wire.TLVRecord{{Type: 2, Value: []byte{1}}}},
		{name: "splice_ack", typ: wire.MsgSpliceAck, gen: func(g *msgGen) wire.Message { return g.spliceAck() },
			points:  func(m wire.Message) []*wire.Point { return []*wire.Point{&m.(*wire.SpliceAck).FundingPubKey} },
			badTLVs: []wire.TLVRecord{{Type: 2, Value: []byte{1}}}},
		{name: "splice_locked", typ: wire.MsgSpliceLocked, gen: func(g *msgGen) wire.Message { return g.spliceLocked() }},
	}
}

var (
	closingBadTLVs = []wire.TLVRecord{{Type: 1, Value: make([]byte, 63)}, {Type: 2, Value: make([]byte, 65)},
		{Type: 3, Value: nil}}
	rbfBadTLVs = []wire.TLVRecord{{Type: 0, Value: make([]byte, 7)}, {Type: 0, Value: make([]byte, 9)},
		{Type: 2, Value: []byte{1}}}
)

// msgCaseByType returns the case of message type t; it panics for a type
// without a case, which is a bug in the test table.
func msgCaseByType(t wire.MessageType) msgCase {
	for _, c := range msgCases() {
		if c.typ == t {
			return c
		}
	}
	panic("no test case for " + t.String())
}
