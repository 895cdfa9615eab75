package channel

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// The Manager's behaviour on each rule of open_channel and accept_channel
// (BOLT 2): a tamper breaks exactly one rule of the message in flight; the
// receiver fails that channel alone with an error naming the rule, the
// opener's application hears ChannelClosed, and the connection and
// another channel with the same peer go on.

// badPoint is not a point: x is above the field prime.
func badPoint() wire.Point {
	var p wire.Point
	p[0] = 0x02
	for i := 1; i < len(p); i++ {
		p[i] = 0xff
	}
	return p
}

// ruleFunding is the amount of the channels the rule tests open.
const ruleFunding = 1_000_000

// ruleCase breaks one rule of open_channel (open) or accept_channel
// (accept) in flight; ua, ub and setup adjust the nodes so that the rule
// applies (a limit of ours to break) while the good channel still opens.
type ruleCase struct {
	rule   Rule
	ua, ub func(u *UserConfig)
	setup  func(tp *testPair)
	open   func(m *wire.OpenChannel)
	accept func(m *wire.AcceptChannel)
}

// openRuleCases break each rule of open_channel but its temporary id
// (TestManagerOpenTemporaryIDReuse).
func openRuleCases() []ruleCase {
	return []ruleCase{
		{rule: RuleOpenChainHash, open: func(m *wire.OpenChannel) { m.ChainHash[0] ^= 1 }},
		{rule: RuleOpenFundingSatoshis, open: func(m *wire.OpenChannel) { m.FundingAmount = LargeChannelThreshold }},
		{rule: RuleOpenPushMsat, open: func(m *wire.OpenChannel) { m.PushAmount = m.FundingAmount.ToMilliSatoshi() + 1 }},
		{rule: RuleOpenDustLimit, open: func(m *wire.OpenChannel) { m.DustLimit = 353 }},
		{rule: RuleOpenChannelReserve, open: func(m *wire.OpenChannel) { m.ChannelReserve = m.FundingAmount/5 + 1 }},
		{rule: RuleOpenHTLCMinimum, open: func(m *wire.OpenChannel) { m.HTLCMinimum = m.FundingAmount.ToMilliSatoshi() }},
		{
			rule: RuleOpenMaxHTLCValueInFlight,
			ub:   func(u *UserConfig) { u.Limits.MinMaxHTLCValueInFlight = 1 },
			open: func(m *wire.OpenChannel) { m.MaxHTLCValueInFlight = 0 },
		},
		{rule: RuleOpenMaxAcceptedHTLCs, open: func(m *wire.OpenChannel) { m.MaxAcceptedHTLCs = MaxAcceptedHTLCsLimit + 1 }},
		{rule: RuleOpenToSelfDelay, open: func(m *wire.OpenChannel) { m.ToSelfDelay = DefaultMaxToSelfDelay + 1 }},
		{rule: RuleOpenFeeRate, open: func(m *wire.OpenChannel) { m.FeeRate = 1 }},
		{rule: RuleOpenInitialCommitment, open: func(m *wire.OpenChannel) { m.PushAmount = m.FundingAmount.ToMilliSatoshi() - 1000 }},
		{rule: RuleOpenPoints, open: func(m *wire.OpenChannel) { m.FundingPubKey = badPoint() }},
		{rule: RuleOpenChannelType, open: func(m *wire.OpenChannel) { m.ChannelType = wire.Option[wire.FeatureVector]{} }},
		{
			rule: RuleOpenChannelFlags,
			ub:   func(u *UserConfig) { u.Limits.ForceAnnouncedChannelPreference = true },
			open: func(m *wire.OpenChannel) { m.ChannelFlags ^= 1 },
		},
		{rule: RuleOpenUpfrontShutdownScript, open: func(m *wire.OpenChannel) { m.UpfrontShutdownScript = wire.Some([]byte{0x6a}) }},
		{
			// Both sides now have option_dual_fund (A's init as B saw it):
			// open_channel (v1) is then refused. No tamper of the message.
			rule: RuleOpenDualFund,
			setup: func(tp *testPair) {
				tp.b.m.cfg.Features.Set(wire.DualFundOptional)
				f := testFeatures()
				f.Set(wire.DualFundOptional)
				tp.b.m.peer(tp.a.id, false).init = &wire.Init{Features: f}
			},
			open: func(*wire.OpenChannel) {},
		},
	}
}

// acceptRuleCases break each rule of accept_channel but its temporary id
// (TestManagerAcceptTemporaryIDChanged).
func acceptRuleCases() []ruleCase {
	return []ruleCase{
		{rule: RuleAcceptDustLimit, accept: func(m *wire.AcceptChannel) { m.DustLimit = 353 }},
		{rule: RuleAcceptChannelReserve, accept: func(m *wire.AcceptChannel) { m.ChannelReserve = ruleFunding/5 + 1 }},
		{rule: RuleAcceptHTLCMinimum, accept: func(m *wire.AcceptChannel) { m.HTLCMinimum = wire.Satoshi(ruleFunding).ToMilliSatoshi() }},
		{
			rule:   RuleAcceptMaxHTLCValueInFlight,
			ua:     func(u *UserConfig) { u.Limits.MinMaxHTLCValueInFlight = 1 },
			accept: func(m *wire.AcceptChannel) { m.MaxHTLCValueInFlight = 0 },
		},
		{rule: RuleAcceptMaxAcceptedHTLCs, accept: func(m *wire.AcceptChannel) { m.MaxAcceptedHTLCs = MaxAcceptedHTLCsLimit + 1 }},
		{rule: RuleAcceptToSelfDelay, accept: func(m *wire.AcceptChannel) { m.ToSelfDelay = DefaultMaxToSelfDelay + 1 }},
		{rule: RuleAcceptMinimumDepth, accept: func(m *wire.AcceptChannel) { m.MinimumDepth = DefaultMaxMinimumDepth + 1 }},
		{
			// A's own reserve is the 1000 sat minimum and it allows any
			// reserve share: a reserve 2000 sat below the funding passes
			// the reserve and htlc_minimum rules, yet both outputs of the
			// first commitment (the funder's pays the ~3500 sat fee and
			// anchors) are at or below it.
			rule: RuleAcceptInitialCommitment,
			ua: func(u *UserConfig) {
				u.Handshake.ChannelReserveProportionalMillionths = 1
				u.Limits.MaxChannelReserveProportionalMillionths = 1_000_000
			},
			accept: func(m *wire.AcceptChannel) { m.ChannelReserve = ruleFunding - 2000 },
		},
		{rule: RuleAcceptPoints, accept: func(m *wire.AcceptChannel) { m.FirstPerCommitmentPoint = badPoint() }},
		{rule: RuleAcceptChannelType, accept: func(m *wire.AcceptChannel) { m.ChannelType = wire.Option[wire.FeatureVector]{} }},
		{rule: RuleAcceptUpfrontShutdownScript, accept: func(m *wire.AcceptChannel) { m.UpfrontShutdownScript = wire.Some([]byte{0x6a}) }},
	}
}

// TestManagerRuleCasesCoverEveryRule: the two tables (and the two
// temporary id tests) cover every Rule of open_channel and accept_channel.
func TestManagerRuleCasesCoverEveryRule(t *testing.T) {
	covered := map[Rule]bool{RuleOpenTemporaryChannelID: true, RuleAcceptTemporaryChannelID: true}
	for _, c := range append(openRuleCases(), acceptRuleCases()...) {
		require.False(t, covered[c.rule], "%s twice", c.rule)
		covered[c.rule] = true
	}
	all := []Rule{
		RuleOpenChainHash, RuleOpenFundingSatoshis, RuleOpenPushMsat, RuleOpenDustLimit, RuleOpenChannelReserve,
		RuleOpenHTLCMinimum, RuleOpenMaxHTLCValueInFlight, RuleOpenMaxAcceptedHTLCs, RuleOpenToSelfDelay,
		RuleOpenFeeRate, RuleOpenInitialCommitment, RuleOpenPoints, RuleOpenChannelType, RuleOpenChannelFlags,
		RuleOpenUpfrontShutdownScript, RuleOpenDualFund, RuleOpenTemporaryChannelID,
		RuleAcceptTemporaryChannelID, RuleAcceptDustLimit, RuleAcceptChannelReserve, RuleAcceptHTLCMinimum,
		RuleAcceptMaxHTLCValueInFlight, RuleAcceptMaxAcceptedHTLCs, RuleAcceptToSelfDelay, RuleAcceptMinimumDepth,
		RuleAcceptInitialCommitment, RuleAcceptPoints, RuleAcceptChannelType, RuleAcceptUpfrontShutdownScript,
	}
	for _, r := range all {
		require.True(t, covered[r], "no manager test breaks %s", r)
	}
	require.Len(t, covered, len(all))
}

// rulePair is a test pair with one good, ready channel from A to B.
type rulePair struct {
	*testPair
	good *testChannel
	// goodA and goodB are the good channel as each side listed it once
	// ready.
	goodA, goodB ChannelDetails
}

// newRulePair builds the pair of c (configs and setup) and opens the good
// channel to readiness.
func newRulePair(t *testing.T, ua, ub func(*UserConfig), setup func(*testPair)) *rulePair {
	t.Helper()
	cfgA, cfgB := testUser(3, true), testUser(3, true)
	if ua != nil {
		ua(&cfgA)
	}
	if ub != nil {
		ub(&cfgB)
	}
	tp := newTestPair(t, cfgA, cfgB)
	good := tp.open(ruleFunding, 0, 1)
	tp.mine(3)
	rp := &rulePair{testPair: tp, good: good, goodA: tp.a.details(t, good.id), goodB: tp.b.details(t, good.id)}
	require.True(t, rp.goodA.Usable)
	require.True(t, rp.goodB.Usable)
	if setup != nil {
		setup(tp)
	}
	tp.a.drainEvents(t)
	tp.b.drainEvents(t)
	return rp
}

// checkGoodChannel: the good channel is untouched on both sides, no
// message asked for a disconnection, and the channel still works: it
// closes cooperatively.
func (rp *rulePair) checkGoodChannel(t *testing.T) {
	t.Helper()
	for _, s := range rp.sent {
		require.False(t, s.disconnect, "%s disconnected after %v", s.from.name, s.msg.Type())
	}
	require.Equal(t, settled(rp.goodA), settled(rp.a.details(t, rp.good.id)))
	require.Equal(t, settled(rp.goodB), settled(rp.b.details(t, rp.good.id)))
	require.NoError(t, rp.a.m.CloseChannel(rp.good.id, rp.b.id, CloseOptions{}))
	rp.deliver()
	closed := closedOf(t, rp.a, rp.good.id)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedCooperativelyByUs, closed[0].Reason.Kind)
	closed = closedOf(t, rp.b, rp.good.id)
	require.Len(t, closed, 1)
	require.Equal(t, events.ClosedCooperativelyByPeer, closed[0].Reason.Kind)
}

// settled returns cd without what blocks change (confirmations): what
// stays while nothing happens to the channel.
func settled(cd ChannelDetails) ChannelDetails {
	cd.Confirmations = 0
	return cd
}

// closedOf returns node n's ChannelClosed events of channel id.
func closedOf(t *testing.T, n *testNode, id wire.ChannelID) []*events.ChannelClosed {
	t.Helper()
	var out []*events.ChannelClosed
	for _, c := range eventsOf[*events.ChannelClosed](t, n) {
		if c.ChannelID == id {
			out = append(out, c)
		}
	}
	return out
}

// errorsFor returns the error messages node from sent for channel id.
func errorsFor(tp *testPair, from *testNode, id wire.ChannelID) []*wire.Error {
	var out []*wire.Error
	for _, e := range sentOf[*wire.Error](tp, from) {
		if e.ChannelID == id {
			out = append(out, e)
		}
	}
	return out
}

// channelIDs returns the ids node n lists.
func channelIDs(n *testNode) []wire.ChannelID {
	var ids []wire.ChannelID
	for _, cd := range n.m.ListChannels() {
		ids = append(ids, cd.ChannelID)
	}
	return ids
}

// storedKeys returns the keys of node n's channel records and pending
// fundings.
func storedKeys(t *testing.T, n *testNode) []string {
	t.Helper()
	var keys []string
	for _, ns := range []string{ChannelsNamespace, PendingFundingNamespace} {
		k, err := n.store.List(context.Background(), persist.Namespace{Primary: ns})
		require.NoError(t, err)
		keys = append(keys, k...)
	}
	return keys
}

// TestManagerOpenChannelRules breaks each rule of open_channel in flight:
// B refuses with an error for the temporary id naming the rule and keeps
// nothing; A hears ChannelClosed (the counterparty's error); the good
// channel with B goes on.
func TestManagerOpenChannelRules(t *testing.T) {
	for _, c := range openRuleCases() {
		t.Run(string(c.rule), func(t *testing.T) {
			rp := newRulePair(t, c.ua, c.ub, c.setup)
			storedB := storedKeys(t, rp.b)
			rp.sent = nil
			rp.tamper = func(from *testNode, msg wire.Message) wire.Message {
				if m, ok := msg.(*wire.OpenChannel); ok {
					c.open(m)
				}
				return msg
			}
			tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
			require.NoError(t, err)
			rp.deliver()
			rp.tamper = nil

			errs := errorsFor(rp.testPair, rp.b, tmp)
			require.Len(t, errs, 1)
			require.True(t, strings.HasPrefix(string(errs[0].Data), string(c.rule)+": "), "error data %q", errs[0].Data)
			require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.a), "an error never gets an error back")
			require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
			require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))

			closed := closedOf(t, rp.a, tmp)
			require.Len(t, closed, 1)
			require.Equal(t, events.ClosedCounterpartyError, closed[0].Reason.Kind)
			require.True(t, strings.HasPrefix(closed[0].Reason.Message, string(c.rule)+": "), closed[0].Reason.Message)
			require.Equal(t, uint64(2), closed[0].UserChannelID)
			require.Empty(t, eventsOf[*events.DiscardFunding](t, rp.a))
			require.Empty(t, rp.b.drainEvents(t), "the acceptor raises nothing")
			require.Equal(t, storedB, storedKeys(t, rp.b), "the acceptor stores nothing")

			rp.checkGoodChannel(t)
		})
	}
}

// TestManagerAcceptChannelRules breaks each rule of accept_channel in
// flight: A fails the channel with an error for the temporary id naming
// the rule and tells its application (ChannelClosed, a processing error
// naming the rule); B forgets it (ChannelClosed, the counterparty's
// error); the good channel with B goes on.
func TestManagerAcceptChannelRules(t *testing.T) {
	for _, c := range acceptRuleCases() {
		t.Run(string(c.rule), func(t *testing.T) {
			rp := newRulePair(t, c.ua, c.ub, c.setup)
			rp.sent = nil
			rp.tamper = func(from *testNode, msg wire.Message) wire.Message {
				if m, ok := msg.(*wire.AcceptChannel); ok {
					c.accept(m)
				}
				return msg
			}
			tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
			require.NoError(t, err)
			rp.deliver()
			rp.tamper = nil

			errs := errorsFor(rp.testPair, rp.a, tmp)
			require.Len(t, errs, 1)
			require.True(t, strings.HasPrefix(string(errs[0].Data), string(c.rule)+": "), "error data %q", errs[0].Data)
			require.Empty(t, sentOf[*wire.Error](rp.testPair, rp.b), "an error never gets an error back")
			require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.a))
			require.Equal(t, []wire.ChannelID{rp.good.id}, channelIDs(rp.b))

			closed := closedOf(t, rp.a, tmp)
			require.Len(t, closed, 1)
			require.Equal(t, events.ClosedProcessingError, closed[0].Reason.Kind)
			require.Contains(t, closed[0].Reason.Message, string(c.rule)+": ")
			// The application gets the rule as a typed error.
			typed := ClosureError(closed[0].Reason)
			require.ErrorIs(t, typed, ErrRuleViolated)
			require.ErrorIs(t, typed, &RuleError{Rule: c.rule})
			require.Empty(t, eventsOf[*events.FundingGenerationReady](t, rp.a)[1:], "no funding asked for the bad channel")
			require.Empty(t, eventsOf[*events.DiscardFunding](t, rp.a))

			closed = closedOf(t, rp.b, tmp)
			require.Len(t, closed, 1)
			require.Equal(t, events.ClosedCounterpartyError, closed[0].Reason.Kind)
			require.True(t, strings.HasPrefix(closed[0].Reason.Message, string(c.rule)+": "), closed[0].Reason.Message)

			rp.checkGoodChannel(t)
		})
	}
}
