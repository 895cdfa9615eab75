package channel

import (
	"strings"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// The Manager against a hostile or confused peer beyond the open and
// accept rules: bad funding signatures, messages in the wrong phase or for
// unknown channels, unsupported messages, the peer's errors, bad shutdown
// scripts and bad closing_signed.

// fundSecond opens a second channel of ruleFunding sat from A to B up to
// funding_created (in flight through the tamper) and everything it
// causes; it returns the temporary id and the funding transaction.
func (rp *rulePair) fundSecond(t *testing.T) (wire.ChannelID, *btcwire.MsgTx) {
	t.Helper()
	tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
	require.NoError(t, err)
	rp.deliver()
	ready := eventsOf[*events.FundingGenerationReady](t, rp.a)
	ev := ready[len(ready)-1]
	require.Equal(t, tmp, ev.TemporaryChannelID)
	coin, err := rp.chain.Fund(anyonePkScript(), ruleFunding+fundingFee)
	require.NoError(t, err)
	tx := spendCoin(coin, btcwire.NewTxOut(ruleFunding, ev.OutputScript))
	require.NoError(t, rp.a.m.FundingTransactionGenerated(tmp, rp.b.id, tx))
	rp.deliver()
	return tmp, tx
}

// spending returns the transactions of txs that spend op.
func spending(txs []*btcwire.MsgTx, op btcwire.OutPoint) []*btcwire.MsgTx {
	var out []*btcwire.MsgTx
	for _, tx := range txs {
		for _, in := range tx.TxIn {
			if in.PreviousOutPoint == op {
				out = append(out, tx)
			}
		}
	}
	return out
}

// flipSig returns sig with one bit of s changed: a well-formed signature
// of nothing.
func flipSig(sig wire.Signature) wire.Signature {
	sig[63] ^= 1
	return sig
}

// requirePrefix requires the text to start with rule's name.
func requirePrefix(t *testing.T, rule Rule, text string) {
	t.Helper()
	require.True(t, strings.HasPrefix(text, string(rule)+": "), "%q does not name %s", text, rule)
}

// TestManagerFundingCreatedRefused: B refuses a funding_created whose
// signature is not of its first commitment, or whose funding output is
// that of a channel already open, with an error for the temporary id; A
// forgets the channel (ChannelClosed, DiscardFunding: its funding
// transaction was built) and never broadcasts the funding.
func TestManagerFundingCreatedRefused(t *testing.T) {
	for _, tc := range []struct {
		rule   Rule
		tamper func(rp *rulePair, m *wire.FundingCreated)
	}{
		{RuleFundingCreatedSignature, func(_ *rulePair, m *wire.FundingCreated) { m.Signature = flipSig(m.Signature) }},
		{RuleFundingCreatedOutpoint, func(rp *rulePair, m *wire.FundingCreated) {
			m.FundingTxID, m.FundingOutputIndex = rp.good.fundingTx.TxHash(), 0
		}},
	} {
		t.Run(string(tc.rule), func(t *testing.T) {
			rp := newRulePair(t, nil, nil, nil)
			rp.sent = nil
			rp.tamper = func(from *testNode, msg wire.Message) wire.Message {
				if m, ok := msg.(*wire.FundingCreated); ok {
					tc.tamper(rp, m)
				}
				return msg
			}
			tmp, tx := rp.fundSecond(t)
			rp.tamper = nil

			errs := errorsFor(rp.testPair, rp.b, tmp)
			require.Len(t, errs, 1)
			requirePrefix(t, tc.rule, string(errs[0].Data))
			require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.a))
			require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
			require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))

			id := wire.NewChannelID(btcwire.OutPoint{Hash: tx.TxHash()})
			closed := closedOf(t, rp.a, id)
			require.Len(t, closed, 1, "A hears of the channel it funded")
			require.Equal(t, events.ClosedCounterpartyError, closed[0].Reason.Kind)
			requirePrefix(t, tc.rule, closed[0].Reason.Message)
			discard := eventsOf[*events.DiscardFunding](t, rp.a)
			require.Len(t, discard, 1)
			require.Equal(t, tx.TxHash(), discard[0].FundingTx.TxHash())
			require.Empty(t, spending(rp.a.bcast.broadcasts(), tx.TxIn[0].PreviousOutPoint), "the funding is never broadcast")

			closed = closedOf(t, rp.b, tmp)
			require.Len(t, closed, 1)
			require.Equal(t, events.ClosedProcessingError, closed[0].Reason.Kind)
			require.Contains(t, closed[0].Reason.Message, string(tc.rule))
			require.Len(t, eventsOf[*events.ChannelPending](t, rp.b), 1, "the good channel's only")

			rp.checkGoodChannel(t)
		})
	}
}

// TestManagerFundingSignedBadSignature: A refuses a funding_signed whose
// signature is not of its first commitment, with an error for the
// channel; A never broadcasts the funding and tells its application
// (ChannelClosed naming the rule, DiscardFunding); B, funded already,
// force-closes.
func TestManagerFundingSignedBadSignature(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	rp.sent = nil
	rp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if m, ok := msg.(*wire.FundingSigned); ok {
			m.Signature = flipSig(m.Signature)
		}
		return msg
	}
	_, tx := rp.fundSecond(t)
	rp.tamper = nil
	id := wire.NewChannelID(btcwire.OutPoint{Hash: tx.TxHash()})

	errs := errorsFor(rp.testPair, rp.a, id)
	require.Len(t, errs, 1)
	requirePrefix(t, RuleFundingSignedSignature, string(errs[0].Data))
	require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.b))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))

	closed := closedOf(t, rp.a, id)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedProcessingError, closed[0].Reason.Kind)
	require.Contains(t, closed[0].Reason.Message, string(RuleFundingSignedSignature))
	discard := eventsOf[*events.DiscardFunding](t, rp.a)
	require.Len(t, discard, 1)
	require.Equal(t, tx.TxHash(), discard[0].FundingTx.TxHash())
	require.Empty(t, spending(rp.a.bcast.broadcasts(), tx.TxIn[0].PreviousOutPoint), "the funding is never broadcast")

	closed = closedOf(t, rp.b, id)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedCounterpartyError, closed[0].Reason.Kind)
	requirePrefix(t, RuleFundingSignedSignature, closed[0].Reason.Message)

	rp.checkGoodChannel(t)
}

// TestManagerOpenTemporaryIDReuse: an open_channel reusing the temporary
// id of a channel being negotiated is refused with an error for that id,
// which fails the negotiation on both sides (the peer fails its channel
// on that error, so keeping ours would leave an orphan).
func TestManagerOpenTemporaryIDReuse(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	rp.sent = nil
	var open *wire.OpenChannel
	rp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if m, ok := msg.(*wire.OpenChannel); ok {
			open = m
		}
		return msg
	}
	tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
	require.NoError(t, err)
	rp.deliver()
	rp.tamper = nil
	require.Len(t, eventsOf[*events.FundingGenerationReady](t, rp.a), 2)

	require.NoError(t, rp.b.m.HandleChannelMessage(rp.a.id, open))
	rp.deliver()

	errs := errorsFor(rp.testPair, rp.b, tmp)
	require.Len(t, errs, 1)
	requirePrefix(t, RuleOpenTemporaryChannelID, string(errs[0].Data))
	require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.a))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))
	closed := closedOf(t, rp.a, tmp)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedCounterpartyError, closed[0].Reason.Kind)
	requirePrefix(t, RuleOpenTemporaryChannelID, closed[0].Reason.Message)
	closed = closedOf(t, rp.b, tmp)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedProcessingError, closed[0].Reason.Kind)

	rp.checkGoodChannel(t)
}

// TestManagerAcceptTemporaryIDChanged: an accept_channel whose temporary
// id is not the open_channel's names no channel of ours, so it is
// answered as a message for an unknown channel (an error for that id
// only); RuleAcceptTemporaryChannelID (CheckAcceptChannel) cannot fire
// behind the Manager, whose routing is by that id. The negotiation waits
// (until the peer disconnects); nothing else changes.
func TestManagerAcceptTemporaryIDChanged(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	rp.sent = nil
	var wrong wire.ChannelID
	rp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if m, ok := msg.(*wire.AcceptChannel); ok {
			m.TemporaryChannelID[0] ^= 1
			wrong = m.TemporaryChannelID
		}
		return msg
	}
	tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
	require.NoError(t, err)
	rp.deliver()
	rp.tamper = nil

	errs := errorsFor(rp.testPair, rp.a, wrong)
	require.Len(t, errs, 1)
	require.Equal(t, "lnkit: accept_channel for unknown channel", string(errs[0].Data))
	require.Empty(t, errorsFor(rp.testPair, rp.a, tmp))
	require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.b))
	require.Len(t, eventsOf[*events.FundingGenerationReady](t, rp.a), 1, "no funding for the bad accept")
	require.Empty(t, closedOf(t, rp.a, tmp))
	require.Equal(t, StateNegotiating, rp.a.details(t, tmp).State)

	// The disconnection ends the negotiation on both sides.
	rp.reconnect()
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))
	closed := closedOf(t, rp.a, tmp)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedDisconnectedBeforeFunding, closed[0].Reason.Kind)
	rp.goodA, rp.goodB = rp.a.details(t, rp.good.id), rp.b.details(t, rp.good.id)
	require.True(t, rp.goodA.Usable)
	rp.checkGoodChannel(t)
}

// TestManagerUnexpectedMessage: a message the channel's phase does not
// expect fails that channel (an error naming RuleUnexpectedMessage) and
// nothing else.
func TestManagerUnexpectedMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		// msg is what B sends once A's second channel is accepted,
		// given the accept_channel B sent.
		msg func(acc *wire.AcceptChannel) wire.Message
	}{
		{"second accept_channel", func(acc *wire.AcceptChannel) wire.Message { return acc }},
		{"funding_signed before funding_created", func(acc *wire.AcceptChannel) wire.Message {
			return &wire.FundingSigned{ChannelID: acc.TemporaryChannelID}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := newRulePair(t, nil, nil, nil)
			rp.sent = nil
			tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
			require.NoError(t, err)
			rp.deliver()
			acc := sentOf[*wire.AcceptChannel](rp.testPair, rp.b)
			require.Len(t, acc, 1)
			require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, tc.msg(acc[0])))
			rp.deliver()

			errs := errorsFor(rp.testPair, rp.a, tmp)
			require.Len(t, errs, 1)
			requirePrefix(t, RuleUnexpectedMessage, string(errs[0].Data))
			require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
			require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))
			closed := closedOf(t, rp.a, tmp)
			require.Len(t, closed, 1)
			require.Equal(t, events.ClosedProcessingError, closed[0].Reason.Kind)
			require.Len(t, closedOf(t, rp.b, tmp), 1)
			rp.checkGoodChannel(t)
		})
	}
}

// TestManagerUnknownChannel: a message for a channel we do not have gets
// an error for that id only: no disconnection, the peer's channels go on.
func TestManagerUnknownChannel(t *testing.T) {
	unknown := wire.ChannelID{0xde, 0xad}
	for _, msg := range []wire.Message{
		&wire.AcceptChannel{TemporaryChannelID: unknown},
		&wire.FundingCreated{TemporaryChannelID: unknown},
		&wire.FundingSigned{ChannelID: unknown},
		&wire.ChannelReady{ChannelID: unknown},
		&wire.Shutdown{ChannelID: unknown, ScriptPubKey: p2wpkh(9)},
		&wire.ClosingSigned{ChannelID: unknown},
		&wire.ChannelReestablish{ChannelID: unknown},
		&wire.AnnouncementSignatures{ChannelID: unknown},
	} {
		t.Run(msg.Type().String(), func(t *testing.T) {
			rp := newRulePair(t, nil, nil, nil)
			rp.sent = nil
			require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, msg))
			rp.deliver()
			errs := sentOf[*wire.Error](rp.testPair, rp.a)
			require.Len(t, errs, 1)
			require.Equal(t, unknown, errs[0].ChannelID)
			require.Equal(t, "lnkit: "+msg.Type().String()+" for unknown channel", string(errs[0].Data))
			require.Empty(t, rp.a.drainEvents(t))
			require.Empty(t, rp.b.drainEvents(t))
			rp.checkGoodChannel(t)
		})
	}
}

// TestManagerUnsupportedMessages: the messages of later issues (HTLCs,
// update_fee, ...) get a warning for their channel; the connection and
// the channel stay.
func TestManagerUnsupportedMessages(t *testing.T) {
	for _, mk := range []func(id wire.ChannelID) wire.Message{
		func(id wire.ChannelID) wire.Message {
			return &wire.SpliceInit{ChannelID: id, FundingContribution: 1000}
		},
		func(id wire.ChannelID) wire.Message { return &wire.Stfu{ChannelID: id} },
	} {
		rp := newRulePair(t, nil, nil, nil)
		msg := mk(rp.good.id)
		t.Run(msg.Type().String(), func(t *testing.T) {
			rp.sent = nil
			require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, msg))
			rp.deliver()
			warns := sentOf[*wire.Warning](rp.testPair, rp.a)
			require.Len(t, warns, 1)
			require.Equal(t, rp.good.id, warns[0].ChannelID)
			require.Contains(t, string(warns[0].Data), msg.Type().String())
			require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.a))
			require.Empty(t, rp.a.drainEvents(t))
			rp.checkGoodChannel(t)
		})
	}
}

// TestManagerPeerErrorForceCloses: an error from the peer for a funded
// channel force-closes it (our commitment is broadcast; ChannelClosed, the
// counterparty's error); another channel with the peer goes on, and no
// error is sent back.
func TestManagerPeerErrorForceCloses(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	other := rp.open(ruleFunding, 0, 2)
	rp.mine(3)
	rp.sent = nil
	require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, &wire.Error{ChannelID: other.id, Data: []byte("boom")}))
	rp.deliver()

	require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.a))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
	closed := closedOf(t, rp.a, other.id)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosureReason{Kind: events.ClosedCounterpartyError, Message: "boom"}, closed[0].Reason)
	require.Len(t, spending(rp.a.bcast.broadcasts(), btcwire.OutPoint{Hash: other.fundingTx.TxHash()}), 1, "our commitment")
	rp.checkGoodChannel(t)
}

// TestManagerPeerErrorAllChannels: an error with the all-zero channel id
// fails every channel with the peer (BOLT 1): both funded channels are
// force-closed and a negotiation is forgotten.
func TestManagerPeerErrorAllChannels(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	other := rp.open(ruleFunding, 0, 2)
	rp.mine(3)
	tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 3, nil)
	require.NoError(t, err)
	rp.deliver()
	rp.sent = nil
	require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, &wire.Error{Data: []byte("all gone")}))
	rp.deliver()

	require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.a))
	require.Empty(t, rp.a.m.ListChannels())
	for _, id := range []wire.ChannelID{rp.good.id, other.id, tmp} {
		closed := closedOf(t, rp.a, id)
		require.Len(t, closed, 1, "%v", id)
		require.Equal(t, events.ClosedCounterpartyError, closed[0].Reason.Kind)
		require.Equal(t, "all gone", closed[0].Reason.Message)
	}
	txs := rp.a.bcast.broadcasts()
	require.Len(t, spending(txs, btcwire.OutPoint{Hash: rp.good.fundingTx.TxHash()}), 1)
	require.Len(t, spending(txs, btcwire.OutPoint{Hash: other.fundingTx.TxHash()}), 1)
}

// TestManagerShutdownScriptRefused: a shutdown whose script is not an
// allowed form, or differs from the peer's upfront_shutdown_script, gets a
// warning and a disconnection (BOLT 2); the channel stays, and closes
// cooperatively after the reconnection.
func TestManagerShutdownScriptRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script []byte
		why    string
	}{
		{"not an allowed form", []byte{0x6a, 0x01, 0x00}, "not an allowed form"},
		{"differs from upfront", p2wpkh(9), "differs from the upfront_shutdown_script"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := newRulePair(t, nil, nil, nil)
			rp.sent = nil
			require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, &wire.Shutdown{ChannelID: rp.good.id, ScriptPubKey: tc.script}))
			rp.deliver()
			require.Len(t, rp.sent, 1)
			w, ok := rp.sent[0].msg.(*wire.Warning)
			require.True(t, ok, "%T", rp.sent[0].msg)
			require.True(t, rp.sent[0].disconnect)
			require.Equal(t, rp.good.id, w.ChannelID)
			require.Contains(t, string(w.Data), tc.why)
			require.Equal(t, rp.goodA, rp.a.details(t, rp.good.id))
			require.Empty(t, rp.a.drainEvents(t))

			rp.reconnect()
			rp.sent = nil
			rp.checkGoodChannel(t)
		})
	}
}

// TestManagerClosingSignedRules breaks a rule of the opener's first
// closing_signed in flight: B fails the channel (an error naming the rule,
// its commitment broadcast, ChannelClosed), A hears the error and
// force-closes too.
func TestManagerClosingSignedRules(t *testing.T) {
	for _, tc := range []struct {
		rule   Rule
		tamper func(m *wire.ClosingSigned)
	}{
		{RuleClosingSignedSignature, func(m *wire.ClosingSigned) { m.Signature = flipSig(m.Signature) }},
		{RuleClosingSignedFeeRange, func(m *wire.ClosingSigned) {
			m.FeeRange = wire.Some(wire.FeeRange{MinFee: m.Fee + 1, MaxFee: m.Fee})
		}},
		{RuleClosingSignedFee, func(m *wire.ClosingSigned) {
			m.Fee = ruleFunding
			m.FeeRange = wire.Some(wire.FeeRange{MinFee: 0, MaxFee: ruleFunding})
		}},
	} {
		t.Run(string(tc.rule), func(t *testing.T) {
			rp := newRulePair(t, nil, nil, nil)
			rp.sent = nil
			rp.tamper = func(from *testNode, msg wire.Message) wire.Message {
				if m, ok := msg.(*wire.ClosingSigned); ok && from == rp.a {
					tc.tamper(m)
				}
				return msg
			}
			require.NoError(t, rp.a.m.CloseChannel(rp.good.id, rp.b.id, CloseOptions{}))
			rp.deliver()
			rp.tamper = nil

			errs := errorsFor(rp.testPair, rp.b, rp.good.id)
			require.Len(t, errs, 1)
			requirePrefix(t, tc.rule, string(errs[0].Data))
			require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.a))
			require.Empty(t, rp.a.m.ListChannels())
			require.Empty(t, rp.b.m.ListChannels())
			funding := btcwire.OutPoint{Hash: rp.good.fundingTx.TxHash()}
			closed := closedOf(t, rp.b, rp.good.id)
			require.Len(t, closed, 1)
			require.Equal(t, events.ClosedProcessingError, closed[0].Reason.Kind)
			require.Contains(t, closed[0].Reason.Message, string(tc.rule))
			require.Len(t, spending(rp.b.bcast.broadcasts(), funding), 1, "B's commitment")
			closed = closedOf(t, rp.a, rp.good.id)
			require.Len(t, closed, 1)
			require.Equal(t, events.ClosedCounterpartyError, closed[0].Reason.Kind)
			requirePrefix(t, tc.rule, closed[0].Reason.Message)
			require.Len(t, spending(rp.a.bcast.broadcasts(), funding), 1, "A's commitment")

			// One commitment confirms; the channel is over for both.
			rp.mine(1)
			require.Empty(t, rp.a.m.ListChannels())
			require.Empty(t, rp.b.m.ListChannels())
		})
	}
}

// TestManagerEstablishmentMessageForFundedChannel: a message of channel
// establishment naming a funded channel (a stray or repeated
// funding_signed, ...) gets a warning for it, never an error (which would
// make the peer fail a healthy channel): the channel goes on.
func TestManagerEstablishmentMessageForFundedChannel(t *testing.T) {
	for _, mk := range []func(id wire.ChannelID) wire.Message{
		func(id wire.ChannelID) wire.Message { return &wire.AcceptChannel{TemporaryChannelID: id} },
		func(id wire.ChannelID) wire.Message { return &wire.FundingCreated{TemporaryChannelID: id} },
		func(id wire.ChannelID) wire.Message { return &wire.FundingSigned{ChannelID: id} },
	} {
		rp := newRulePair(t, nil, nil, nil)
		msg := mk(rp.good.id)
		t.Run(msg.Type().String(), func(t *testing.T) {
			rp.sent = nil
			require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, msg))
			rp.deliver()
			require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.a))
			warns := sentOf[*wire.Warning](rp.testPair, rp.a)
			require.Len(t, warns, 1)
			require.Equal(t, rp.good.id, warns[0].ChannelID)
			require.Empty(t, rp.a.drainEvents(t))
			rp.checkGoodChannel(t)
		})
	}
}

// TestManagerFundedMessageForNegotiation: a message of a funded channel
// naming a channel still negotiated fails the negotiation with
// RuleUnexpectedMessage (the peer fails its side on our error; none is
// left orphaned).
func TestManagerFundedMessageForNegotiation(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	rp.sent = nil
	tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
	require.NoError(t, err)
	rp.deliver()
	require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, &wire.ChannelReady{ChannelID: tmp}))
	rp.deliver()

	errs := errorsFor(rp.testPair, rp.a, tmp)
	require.Len(t, errs, 1)
	requirePrefix(t, RuleUnexpectedMessage, string(errs[0].Data))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))
	require.Len(t, closedOf(t, rp.a, tmp), 1)
	require.Len(t, closedOf(t, rp.b, tmp), 1)
	rp.checkGoodChannel(t)
}

// TestManagerMessageFromDisconnectedPeer: a message from a peer that is
// not connected (outside peer.ChannelMessageHandler's contract: after
// PeerDisconnected, or from a stranger) is refused with
// ErrPeerNotConnected, never a panic (the peer's init is gone), and
// changes nothing.
func TestManagerMessageFromDisconnectedPeer(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	var open *wire.OpenChannel
	rp.tamper = func(from *testNode, msg wire.Message) wire.Message {
		if m, ok := msg.(*wire.OpenChannel); ok {
			open = m
			return nil
		}
		return msg
	}
	_, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
	require.NoError(t, err)
	rp.deliver()
	rp.tamper = nil
	require.NotNil(t, open)

	rp.b.m.PeerDisconnected(rp.a.id)
	require.ErrorIs(t, rp.b.m.HandleChannelMessage(rp.a.id, open), ErrPeerNotConnected)
	require.ErrorIs(t, rp.b.m.HandleChannelMessage(rp.a.id, &wire.Shutdown{ChannelID: rp.good.id, ScriptPubKey: p2wpkh(2)}), ErrPeerNotConnected)
	var stranger wire.NodeID
	stranger[0] = 0x02
	require.ErrorIs(t, rp.b.m.HandleChannelMessage(stranger, open), ErrPeerNotConnected)
	require.Empty(t, rp.b.m.PendingMessages(nil))
	require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))

	rp.a.m.PeerDisconnected(rp.b.id)
	rp.connect()
	rp.deliver()
	rp.sent = nil
	rp.goodA, rp.goodB = rp.a.details(t, rp.good.id), rp.b.details(t, rp.good.id)
	rp.checkGoodChannel(t)
}

// TestManagerPeerNoticesKeepChannels: a warning (for a channel or the
// connection) and an error for a channel we do not have change nothing
// and get no answer (an error never gets an error back).
func TestManagerPeerNoticesKeepChannels(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	for _, msg := range []wire.Message{
		&wire.Warning{ChannelID: rp.good.id, Data: []byte("careful")},
		&wire.Warning{Data: []byte("careful, all of you")},
		&wire.Error{ChannelID: wire.ChannelID{0xde, 0xad}, Data: []byte("not yours")},
	} {
		rp.sent = nil
		require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, msg))
		rp.deliver()
		require.Empty(t, rp.sent, "%v", msg.Type())
		require.Empty(t, rp.a.drainEvents(t))
	}
	rp.checkGoodChannel(t)
}

// TestManagerPeerErrorAfterClosingAgreed: an error for a channel whose
// closing transaction is agreed (and broadcast) changes nothing: no
// commitment competes with the closing transaction, and the application
// hears of the close once; the closing transaction confirming ends it.
func TestManagerPeerErrorAfterClosingAgreed(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	require.NoError(t, rp.a.m.CloseChannel(rp.good.id, rp.b.id, CloseOptions{}))
	rp.deliver()
	funding := btcwire.OutPoint{Hash: rp.good.fundingTx.TxHash()}
	closing := spending(rp.a.bcast.broadcasts(), funding)
	require.Len(t, closing, 1, "the closing transaction")
	require.Len(t, closedOf(t, rp.a, rp.good.id), 1)

	rp.sent = nil
	require.NoError(t, rp.a.m.HandleChannelMessage(rp.b.id, &wire.Error{ChannelID: rp.good.id, Data: []byte("late")}))
	rp.deliver()
	require.Empty(t, rp.sent)
	require.Equal(t, closing, spending(rp.a.bcast.broadcasts(), funding))
	require.Len(t, closedOf(t, rp.a, rp.good.id), 1)

	rp.mine(1)
	require.Empty(t, rp.a.m.ListChannels())
	require.Len(t, closedOf(t, rp.a, rp.good.id), 1)
}
