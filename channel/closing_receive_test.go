package channel

import (
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// closingHighS returns sig with s replaced by n - s: the same signature in
// its high-S form.
func closingHighS(sig wire.Signature) wire.Signature {
	var s btcec.ModNScalar
	s.SetByteSlice(sig[32:])
	s.Negate()
	b := s.Bytes()
	copy(sig[32:], b[:])
	return sig
}

// TestClosingReceiveRules feeds one bad closing_signed to a negotiation
// and checks the rule it fails, and that the negotiation is unchanged.
func TestClosingReceiveRules(t *testing.T) {
	rangeOf := func(lo, hi wire.Satoshi) *wire.FeeRange { return &wire.FeeRange{MinFee: lo, MaxFee: hi} }
	type pair struct{ opener, fundee *closingNegotiation }
	// startedOpener has the opener start, then receive the fundee's fee
	// with range r.
	startedOpener := func(fee wire.Satoshi, r *wire.FeeRange) func(*testing.T, pair) (*closingNegotiation, *wire.ClosingSigned) {
		return func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
			_, err := p.opener.start()
			require.NoError(t, err)
			return p.opener, closingPeerMessage(t, &p.fundee.p, fee, r)
		}
	}
	cases := []struct {
		name  string
		setup func(*closingSetup)
		// prepare runs the exchange up to the bad message and returns the
		// receiver and the message.
		prepare func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned)
		rule    Rule
	}{
		{
			name: "signature of another fee",
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				msg := closingPeerMessage(t, &p.opener.p, 1000, rangeOf(500, 2000))
				msg.Fee = 1001
				return p.fundee, msg
			},
			rule: RuleClosingSignedSignature,
		},
		{
			name: "signature by the wrong key",
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				msg := closingPeerMessage(t, &p.opener.p, 1000, rangeOf(500, 2000))
				tx, err := p.opener.p.ourClosingTx(1000)
				require.NoError(t, err)
				msg.Signature, err = p.fundee.p.closingSign(tx)
				require.NoError(t, err)
				return p.fundee, msg
			},
			rule: RuleClosingSignedSignature,
		},
		{
			name: "high-S signature",
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				msg := closingPeerMessage(t, &p.opener.p, 1000, rangeOf(500, 2000))
				msg.Signature = closingHighS(msg.Signature)
				return p.fundee, msg
			},
			rule: RuleClosingSignedSignature,
		},
		{
			name: "zero signature",
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				return p.fundee, &wire.ClosingSigned{ChannelID: closingTestChannelID, Fee: 1000}
			},
			rule: RuleClosingSignedSignature,
		},
		{
			name: "fee above the opener's balance",
			prepare: func(_ *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				return p.fundee, &wire.ClosingSigned{ChannelID: closingTestChannelID, Fee: 600_001}
			},
			rule: RuleClosingSignedFee,
		},
		{
			name: "fee near 2^64 (would wrap in millisatoshis)",
			prepare: func(_ *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				return p.opener, &wire.ClosingSigned{ChannelID: closingTestChannelID, Fee: 1<<64/1000 + 1}
			},
			rule: RuleClosingSignedFee,
		},
		{
			name: "fee outside the sender's own range",
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				return p.fundee, closingPeerMessage(t, &p.opener.p, 1000, rangeOf(1100, 2000))
			},
			rule: RuleClosingSignedFeeRange,
		},
		{
			name: "fee range minimum above its maximum",
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				return p.fundee, closingPeerMessage(t, &p.opener.p, 1000, rangeOf(2000, 500))
			},
			rule: RuleClosingSignedFeeRange,
		},
		{
			name: "another channel",
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				msg := closingPeerMessage(t, &p.opener.p, 1000, rangeOf(500, 2000))
				msg.ChannelID[31] ^= 1
				return p.fundee, msg
			},
			rule: RuleClosingSignedChannelID,
		},
		{
			name:    "ranges do not overlap (at the opener)",
			prepare: startedOpener(2500, rangeOf(2500, 3000)),
			rule:    RuleClosingSignedFeeRange,
		},
		{
			name:    "opener: fee outside the overlap",
			prepare: startedOpener(400, rangeOf(300, 1500)),
			rule:    RuleClosingSignedFee,
		},
		{
			name: "fundee: a fee other than the one it sent",
			setup: func(s *closingSetup) {
				s.fundee.fees = closingFeesOf(1500, 3000, 600_000)
			},
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				first, err := p.opener.start()
				require.NoError(t, err)
				reply, _, err := p.fundee.receive(first)
				require.NoError(t, err)
				require.Equal(t, wire.Satoshi(1500), reply.Fee)
				return p.fundee, closingPeerMessage(t, &p.opener.p, 1400, rangeOf(500, 2000))
			},
			rule: RuleClosingSignedFee,
		},
		{
			name: "legacy: not strictly between the last two",
			setup: func(s *closingSetup) {
				s.opener.fees, s.opener.sendRange = closingFeesOf(500, 1000, 16_000), false
				s.fundee.fees, s.fundee.sendRange = closingFeesOf(12_000, 20_000, 600_000), false
			},
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				msg, err := p.opener.start()
				require.NoError(t, err)
				msg, _, err = p.fundee.receive(msg)
				require.NoError(t, err)
				msg, _, err = p.opener.receive(msg)
				require.NoError(t, err)
				require.Equal(t, wire.Satoshi(10_500), msg.Fee)
				// The opener sent 1000 and 10,500 and received 20,000: the
				// fundee's next must lie in (10,500, 20,000).
				return p.opener, closingPeerMessage(t, &p.fundee.p, 20_000, nil)
			},
			rule: RuleClosingSignedFee,
		},
		{
			name: "an output below its script's dust threshold",
			setup: func(s *closingSetup) {
				s.opener.balance, s.fundee.balance = 999_550_000, 450_000
				s.opener.dust, s.fundee.dust = 354, 354
				s.fundee.script = closingP2PKH(0xbb)
				s.fundee.fees = closingFeesOf(300, 800, 999_550)
			},
			prepare: func(t *testing.T, p pair) (*closingNegotiation, *wire.ClosingSigned) {
				// The opener cannot propose a transaction with the fundee's
				// 450 sat p2pkh output; a peer that does is refused.
				_, err := p.opener.start()
				requireRule(t, err, RuleClosingSignedDust)
				tx, err := p.opener.p.closingTx(1000, commit.Local, false, false)
				require.NoError(t, err)
				require.Len(t, tx.TxOut, 2)
				sig, err := p.opener.p.closingSign(tx)
				require.NoError(t, err)
				return p.fundee, &wire.ClosingSigned{ChannelID: closingTestChannelID, Fee: 1000, Signature: sig}
			},
			rule: RuleClosingSignedDust,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := closingDefault()
			s.opener.fees, s.opener.sendRange = closingFeesOf(500, 1000, 2000), true
			s.fundee.fees, s.fundee.sendRange = closingFeesOf(300, 800, 600_000), true
			if c.setup != nil {
				c.setup(&s)
			}
			opener, fundee := newClosingPair(t, s)
			n, msg := c.prepare(t, pair{opener, fundee})
			before := *n
			reply, tx, err := n.receive(msg)
			requireRule(t, err, c.rule)
			require.Nil(t, reply)
			require.Nil(t, tx)
			require.Equal(t, before, *n, "a refused message changes nothing")
		})
	}
}

// TestClosingReceiveNil: a nil message is an error, not a panic.
func TestClosingReceiveNil(t *testing.T) {
	s := closingDefault()
	s.opener.fees, s.fundee.fees = closingFeesOf(500, 1000, 2000), closingFeesOf(300, 800, 600_000)
	_, fundee := newClosingPair(t, s)
	_, _, err := fundee.receive(nil)
	require.ErrorIs(t, err, errClosingNilMessage)
}

// TestClosingParamsInvalid: newClosingNegotiation refuses incomplete or
// inconsistent params with ErrInvalidConfig.
func TestClosingParamsInvalid(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*closingParams)
		field  string
	}{
		{"no channel", func(p *closingParams) { p.channel = nil }, "closingParams.channel"},
		{"no signer", func(p *closingParams) { p.signer = nil }, "closingParams.signer"},
		{"no local script", func(p *closingParams) { p.localScript = nil }, "closingParams.localScript"},
		{"no remote script", func(p *closingParams) { p.remoteScript = nil }, "closingParams.remoteScript"},
		{"balances off", func(p *closingParams) { p.remoteBalance++ }, "closingParams.localBalance"},
		{"balance above capacity", func(p *closingParams) { p.localBalance = 1 << 62 }, "closingParams.localBalance"},
		{"ideal below min", func(p *closingParams) { p.fees = closingFeesOf(600, 500, 700) }, "closingParams.fees"},
		{"ideal above max", func(p *closingParams) { p.fees = closingFeesOf(100, 800, 700) }, "closingParams.fees"},
		{"max above the opener's balance", func(p *closingParams) { p.fees = closingFeesOf(100, 800, 600_001) }, "closingParams.fees"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := closingDefault()
			s.opener.fees = closingFeesOf(500, 1000, 2000)
			p, _ := closingParamsOf(t, s)
			c.mutate(&p)
			_, err := newClosingNegotiation(p)
			require.ErrorIs(t, err, ErrInvalidConfig)
			require.Contains(t, err.Error(), c.field)
		})
	}
}

// TestClosingSignatureVariants: the fundee accepts the opener's signature
// on each closing transaction BOLT 3 lets it sign, whichever dust limit it
// was built with, and holds that transaction signed.
func TestClosingSignatureVariants(t *testing.T) {
	cases := []struct {
		name        string
		setup       func(*closingSetup)
		variant     func(opener, fundee *closingParams) (*btcwire.MsgTx, error)
		wantOutputs int
	}{
		{
			name: "the opener's variant",
			variant: func(o, _ *closingParams) (*btcwire.MsgTx, error) {
				return o.closingTx(1000, commit.Local, false, false)
			},
			wantOutputs: 2,
		},
		{
			name: "the opener's variant without its output",
			variant: func(o, _ *closingParams) (*btcwire.MsgTx, error) {
				return o.closingTx(1000, commit.Local, true, false)
			},
			wantOutputs: 1,
		},
		{
			name: "the fundee's variant: its larger dust limit removes the opener's output",
			setup: func(s *closingSetup) {
				s.opener.balance, s.fundee.balance = 2_000_000, 998_000_000
				s.opener.dust, s.fundee.dust = 354, 1200
			},
			variant: func(_, f *closingParams) (*btcwire.MsgTx, error) {
				return f.ourClosingTx(1000)
			},
			wantOutputs: 1,
		},
		{
			name: "the fundee's dust limit, without the opener's output",
			setup: func(s *closingSetup) {
				s.opener.balance, s.fundee.balance = 999_000_000, 1_000_000
				s.opener.dust, s.fundee.dust = 1200, 354
			},
			variant: func(_, f *closingParams) (*btcwire.MsgTx, error) {
				return f.closingTx(1000, commit.Local, false, true)
			},
			wantOutputs: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := closingDefault()
			if c.setup != nil {
				c.setup(&s)
			}
			s.opener.fees, s.opener.sendRange = closingFeesOf(500, 1000, 1500), true
			s.fundee.fees, s.fundee.sendRange = closingFeesOf(300, 800, (s.opener.balance).ToSatoshi()), true
			opener, fundee := newClosingPair(t, s)
			tx, err := c.variant(&opener.p, &fundee.p)
			require.NoError(t, err)
			sig, err := opener.p.closingSign(tx)
			require.NoError(t, err)
			msg := &wire.ClosingSigned{ChannelID: closingTestChannelID, Fee: 1000, Signature: sig,
				FeeRange: wire.Some(s.opener.fees.feeRange)}
			reply, final, err := fundee.receive(msg)
			require.NoError(t, err)
			require.Equal(t, wire.Satoshi(1000), reply.Fee)
			requireClosingValid(t, fundee.p.channel, final)
			require.Len(t, final.TxOut, c.wantOutputs)
			require.True(t, closingSameTx(tx, final), "the fundee holds the transaction the opener signed")
		})
	}
}
