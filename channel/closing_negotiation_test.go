package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// closingDefault is a channel of 1,000,000 sat, 600,000 on the opener's
// side, dust limits 546, P2WPKH shutdown scripts, and no fees yet.
func closingDefault() closingSetup {
	return closingSetup{
		opener: closingSide{balance: 600_000_000, dust: 546, script: p2wpkh(0xaa)},
		fundee: closingSide{balance: 400_000_000, dust: 546, script: p2wpkh(0xbb)},
	}
}

// TestClosingNegotiation runs both sides against each other until they
// agree or one fails, and checks the fees sent, the agreed closing
// transaction (the same on both sides, valid in btcd's script engine) or
// the rule of the failure.
func TestClosingNegotiation(t *testing.T) {
	type sideFees struct {
		fees      closingFees
		sendRange bool
	}
	cases := []struct {
		name           string
		setup          func(*closingSetup)
		opener, fundee sideFees
		wantFees       []wire.Satoshi
		wantRule       Rule // the failure, else agreement on the last fee
		wantOutputs    int
	}{
		{
			name:     "ranges: the fundee takes the opener's fee",
			opener:   sideFees{closingFeesOf(500, 1000, 2000), true},
			fundee:   sideFees{closingFeesOf(300, 800, 600_000), true},
			wantFees: []wire.Satoshi{1000, 1000}, wantOutputs: 2,
		},
		{
			name:     "ranges: the fundee picks the overlap's minimum, the opener echoes",
			opener:   sideFees{closingFeesOf(500, 1000, 2000), true},
			fundee:   sideFees{closingFeesOf(1500, 3000, 600_000), true},
			wantFees: []wire.Satoshi{1000, 1500, 1500}, wantOutputs: 2,
		},
		{
			name:     "ranges: the opener's fee above the fundee's maximum",
			opener:   sideFees{closingFeesOf(500, 1000, 2000), true},
			fundee:   sideFees{closingFeesOf(100, 300, 800), true},
			wantFees: []wire.Satoshi{1000, 800, 800}, wantOutputs: 2,
		},
		{
			name:     "ranges do not overlap",
			opener:   sideFees{closingFeesOf(500, 1000, 2000), true},
			fundee:   sideFees{closingFeesOf(2500, 3000, 600_000), true},
			wantFees: []wire.Satoshi{1000}, wantRule: RuleClosingSignedFeeRange,
		},
		{
			name:     "legacy: the fundee agrees at once",
			opener:   sideFees{closingFeesOf(500, 1000, 2000), false},
			fundee:   sideFees{closingFeesOf(300, 800, 600_000), false},
			wantFees: []wire.Satoshi{1000, 1000}, wantOutputs: 2,
		},
		{
			name:     "legacy: proposals move strictly between the last two",
			opener:   sideFees{closingFeesOf(500, 1000, 16_000), false},
			fundee:   sideFees{closingFeesOf(12_000, 20_000, 600_000), false},
			wantFees: []wire.Satoshi{1000, 20_000, 10_500, 15_250, 15_250}, wantOutputs: 2,
		},
		{
			name:     "legacy: no fee both accept",
			opener:   sideFees{closingFeesOf(500, 1000, 1400), false},
			fundee:   sideFees{closingFeesOf(2500, 3000, 600_000), false},
			wantFees: []wire.Satoshi{1000, 3000, 1400, 2500}, wantRule: RuleClosingSignedFee,
		},
		{
			name:     "the opener sends a range, the fundee does not",
			opener:   sideFees{closingFeesOf(500, 1000, 2000), true},
			fundee:   sideFees{closingFeesOf(1500, 3000, 600_000), false},
			wantFees: []wire.Satoshi{1000, 1500, 1500}, wantOutputs: 2,
		},
		{
			name:     "the fundee sends a range, the opener does not",
			opener:   sideFees{closingFeesOf(500, 1000, 2000), false},
			fundee:   sideFees{closingFeesOf(1500, 3000, 600_000), true},
			wantFees: []wire.Satoshi{1000, 3000, 2000, 2000}, wantOutputs: 2,
		},
		{
			name: "opener with a tiny balance pays all of it",
			setup: func(s *closingSetup) {
				s.opener.balance, s.fundee.balance = 700_000, 999_300_000
			},
			opener:   sideFees{closingFeesOf(300, 700, 700), true},
			fundee:   sideFees{closingFeesOf(200, 700, 700), true},
			wantFees: []wire.Satoshi{700, 700}, wantOutputs: 1,
		},
		{
			name: "the fundee's output below the dust limit is removed",
			setup: func(s *closingSetup) {
				s.opener.balance, s.fundee.balance = 999_500_000, 500_000
			},
			opener:   sideFees{closingFeesOf(500, 1000, 2000), true},
			fundee:   sideFees{closingFeesOf(300, 800, 999_500), true},
			wantFees: []wire.Satoshi{1000, 1000}, wantOutputs: 1,
		},
		{
			name: "the opener omits its own p2pkh output below its script's dust threshold",
			setup: func(s *closingSetup) {
				s.opener.balance, s.fundee.balance = 1_450_000, 998_550_000
				s.opener.dust, s.fundee.dust = 354, 354
				s.opener.script = closingP2PKH(0xaa)
			},
			opener:   sideFees{closingFeesOf(500, 1000, 1400), true},
			fundee:   sideFees{closingFeesOf(300, 800, 1450), true},
			wantFees: []wire.Satoshi{1000, 1000}, wantOutputs: 1,
		},
		{
			name: "the fundee's dust limit removes the opener's output, the opener's does not",
			setup: func(s *closingSetup) {
				s.opener.balance, s.fundee.balance = 2_000_000, 998_000_000
				s.opener.dust, s.fundee.dust = 354, 1200
			},
			opener:   sideFees{closingFeesOf(500, 1000, 1400), true},
			fundee:   sideFees{closingFeesOf(300, 800, 2000), true},
			wantFees: []wire.Satoshi{1000, 1000}, wantOutputs: 2,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := closingDefault()
			if c.setup != nil {
				c.setup(&s)
			}
			s.opener.fees, s.opener.sendRange = c.opener.fees, c.opener.sendRange
			s.fundee.fees, s.fundee.sendRange = c.fundee.fees, c.fundee.sendRange
			opener, fundee := newClosingPair(t, s)
			fees, err := closingExchange(t, opener, fundee)
			require.Equal(t, c.wantFees, fees)
			if c.wantRule != "" {
				requireRule(t, err, c.wantRule)
				require.Nil(t, opener.agreedTx())
				require.Nil(t, fundee.agreedTx())
				return
			}
			require.NoError(t, err)
			agreed := fees[len(fees)-1]
			txA, txB := opener.agreedTx(), fundee.agreedTx()
			requireClosingValid(t, opener.p.channel, txA)
			requireClosingValid(t, fundee.p.channel, txB)
			require.Equal(t, txA.TxHash(), txB.TxHash(), "both sides hold the same closing transaction")
			require.Len(t, txA.TxOut, c.wantOutputs)
			// The fee is the agreed one plus what rounding and removed
			// outputs leave.
			paid := closingTxFee(opener.p.channel, txA)
			require.GreaterOrEqual(t, paid, agreed)
			if c.wantOutputs == 2 {
				require.Equal(t, agreed, paid)
			}
		})
	}
}

// TestClosingFirstSender: the opener sends first, once; the fundee never
// starts.
func TestClosingFirstSender(t *testing.T) {
	s := closingDefault()
	s.opener.fees, s.fundee.fees = closingFeesOf(500, 1000, 2000), closingFeesOf(300, 800, 600_000)
	opener, fundee := newClosingPair(t, s)
	msg, err := fundee.start()
	require.NoError(t, err)
	require.Nil(t, msg)
	msg, err = opener.start()
	require.NoError(t, err)
	require.Equal(t, wire.Satoshi(1000), msg.Fee)
	require.Equal(t, closingTestChannelID, msg.ChannelID)
	require.False(t, msg.FeeRange.Present, "legacy params send no fee_range")
	again, err := opener.start()
	require.NoError(t, err)
	require.Nil(t, again, "start sends only once")

	// A fundee that receives the proposal agrees and still never starts.
	reply, tx, err := fundee.receive(msg)
	require.NoError(t, err)
	require.Equal(t, wire.Satoshi(1000), reply.Fee)
	requireClosingValid(t, fundee.p.channel, tx)
	none, err := fundee.start()
	require.NoError(t, err)
	require.Nil(t, none)

	// The echo completes the opener; a repeat is ignored, another fee is not.
	reply, tx, err = opener.receive(reply)
	require.NoError(t, err)
	require.Nil(t, reply)
	requireClosingValid(t, opener.p.channel, tx)
	repeat, err := fundee.p.closingSign(tx)
	require.NoError(t, err)
	reply, again2, err := opener.receive(&wire.ClosingSigned{ChannelID: closingTestChannelID, Fee: 1000, Signature: repeat})
	require.NoError(t, err)
	require.Nil(t, reply)
	require.Nil(t, again2)
	other := closingPeerMessage(t, &fundee.p, 900, nil)
	_, _, err = opener.receive(other)
	requireRule(t, err, RuleClosingSignedFee)
}

// TestClosingSentRangeFirst: a fee in the fee_range we sent is agreed even
// when, without fee_range, it is not strictly between the last two
// proposals (BOLT 2 checks "matches its previously sent fee_range" first).
func TestClosingSentRangeFirst(t *testing.T) {
	s := closingDefault()
	s.opener.fees, s.opener.sendRange = closingFeesOf(500, 1000, 2000), true
	s.fundee.fees = closingFeesOf(300, 800, 600_000)
	opener, fundee := newClosingPair(t, s)
	_, err := opener.start()
	require.NoError(t, err)
	reply, _, err := opener.receive(closingPeerMessage(t, &fundee.p, 3000, nil))
	require.NoError(t, err)
	require.Equal(t, wire.Satoshi(2000), reply.Fee, "halfway, capped at our maximum")
	reply, tx, err := opener.receive(closingPeerMessage(t, &fundee.p, 1500, nil))
	require.NoError(t, err)
	require.Equal(t, wire.Satoshi(1500), reply.Fee, "echoed")
	requireClosingValid(t, opener.p.channel, tx)
	require.Equal(t, wire.Satoshi(1500), closingTxFee(opener.p.channel, tx))
}
