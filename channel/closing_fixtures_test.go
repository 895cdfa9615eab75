package channel

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// closingTestChannelID is the channel_id of every closing test.
var closingTestChannelID = wire.ChannelID{0xc1, 0x05, 0xe0}

// closingSide is one party of a closing test: its balance, dust limit,
// shutdown script and fees.
type closingSide struct {
	balance   wire.MilliSatoshi
	dust      wire.Satoshi
	script    []byte
	fees      closingFees
	sendRange bool
}

// closingSetup describes a channel between an opener and a fundee about
// to negotiate its closing fee.
type closingSetup struct {
	opener, fundee closingSide
}

// closingTestKeys are the real channel signers of the opener and the fundee.
func closingTestKeys() (opener, fundee *keys.InMemorySigner) {
	return keys.NewManager(keys.Seed{0xc1}, keys.Config{}).ChannelKeys(keys.ChannelKeyIDFromCounter(1)),
		keys.NewManager(keys.Seed{0xc2}, keys.Config{}).ChannelKeys(keys.ChannelKeyIDFromCounter(1))
}

func closingBasepoints(k keys.ChannelPublicKeys) commit.Basepoints {
	return commit.Basepoints{Funding: k.FundingKey, Revocation: k.RevocationBasepoint, Payment: k.PaymentBasepoint,
		DelayedPayment: k.DelayedPaymentBasepoint, HTLC: k.HTLCBasepoint}
}

// closingChannels returns the channel of s seen from the opener and from
// the fundee.
func closingChannels(t testing.TB, s closingSetup, opener, fundee *keys.InMemorySigner) (*commit.Channel, *commit.Channel) {
	t.Helper()
	capacity := (s.opener.balance + s.fundee.balance).ToSatoshi()
	op := commit.Party{Basepoints: closingBasepoints(opener.Basepoints()), DustLimit: s.opener.dust, CSVDelay: 144}
	fu := commit.Party{Basepoints: closingBasepoints(fundee.Basepoints()), DustLimit: s.fundee.dust, CSVDelay: 144}
	outpoint := btcwire.OutPoint{Hash: chainhash.Hash{0xf0, 0x0d}, Index: 1}
	chA, err := commit.New(commit.Params{Type: commit.AnchorsZeroFeeHTLC, FundingOutpoint: outpoint,
		Capacity: capacity, Opener: commit.Local, Local: op, Remote: fu})
	require.NoError(t, err)
	chB, err := commit.New(commit.Params{Type: commit.AnchorsZeroFeeHTLC, FundingOutpoint: outpoint,
		Capacity: capacity, Opener: commit.Remote, Local: fu, Remote: op})
	require.NoError(t, err)
	return chA, chB
}

// closingParamsOf returns the params of both sides of s, without fees.
func closingParamsOf(t testing.TB, s closingSetup) (opener, fundee closingParams) {
	t.Helper()
	ko, kf := closingTestKeys()
	chA, chB := closingChannels(t, s, ko, kf)
	opener = closingParams{channelID: closingTestChannelID, channel: chA, signer: ko,
		localScript: s.opener.script, remoteScript: s.fundee.script,
		localBalance: s.opener.balance, remoteBalance: s.fundee.balance,
		fees: s.opener.fees, sendFeeRange: s.opener.sendRange}
	fundee = closingParams{channelID: closingTestChannelID, channel: chB, signer: kf,
		localScript: s.fundee.script, remoteScript: s.opener.script,
		localBalance: s.fundee.balance, remoteBalance: s.opener.balance,
		fees: s.fundee.fees, sendFeeRange: s.fundee.sendRange}
	return opener, fundee
}

// newClosingPair returns the negotiations of both sides of s.
func newClosingPair(t testing.TB, s closingSetup) (opener, fundee *closingNegotiation) {
	t.Helper()
	po, pf := closingParamsOf(t, s)
	opener, err := newClosingNegotiation(po)
	require.NoError(t, err)
	fundee, err = newClosingNegotiation(pf)
	require.NoError(t, err)
	return opener, fundee
}

// closingExchange runs the negotiation: the opener starts, the fundee
// waits, and each side answers the other until one has nothing to send or
// fails. It returns the fees sent, in order, and the first error.
func closingExchange(t testing.TB, opener, fundee *closingNegotiation) ([]wire.Satoshi, error) {
	t.Helper()
	none, err := fundee.start()
	require.NoError(t, err)
	require.Nil(t, none, "the fundee must wait for the opener")
	msg, err := opener.start()
	require.NoError(t, err)
	require.NotNil(t, msg, "the opener sends first")
	fees := []wire.Satoshi{msg.Fee}
	to, from := fundee, opener
	for range 200 {
		reply, _, err := to.receive(msg)
		if err != nil {
			return fees, err
		}
		if reply == nil {
			return fees, nil
		}
		fees = append(fees, reply.Fee)
		msg, to, from = reply, from, to
	}
	t.Fatalf("no agreement after 200 messages: %v", fees)
	return fees, nil
}

// requireClosingValid runs btcd's script engine on the signed closing
// transaction tx against ch's funding output.
func requireClosingValid(t testing.TB, ch *commit.Channel, tx *btcwire.MsgTx) {
	t.Helper()
	require.NotNil(t, tx, "no closing transaction")
	require.Len(t, tx.TxIn, 1)
	require.Equal(t, ch.Params().FundingOutpoint, tx.TxIn[0].PreviousOutPoint)
	pk, amount := ch.FundingPkScript(), int64(ch.Params().Capacity)
	fetcher := txscript.NewCannedPrevOutputFetcher(pk, amount)
	vm, err := txscript.NewEngine(pk, tx, 0, txscript.StandardVerifyFlags, nil,
		txscript.NewTxSigHashes(tx, fetcher), amount, fetcher)
	require.NoError(t, err)
	require.NoError(t, vm.Execute(), "script engine")
}

// closingTxFee returns the fee tx pays from ch's funding output.
func closingTxFee(ch *commit.Channel, tx *btcwire.MsgTx) wire.Satoshi {
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value
	}
	return ch.Params().Capacity - wire.Satoshi(out)
}

// closingP2PKH is a p2pkh script (dust threshold 546).
func closingP2PKH(fill byte) []byte {
	s := []byte{txscript.OP_DUP, txscript.OP_HASH160, txscript.OP_DATA_20}
	for range 20 {
		s = append(s, fill)
	}
	return append(s, txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG)
}

// closingFeesOf is a fee range with its ideal.
func closingFeesOf(minFee, ideal, maxFee wire.Satoshi) closingFees {
	return closingFees{ideal: ideal, feeRange: wire.FeeRange{MinFee: minFee, MaxFee: maxFee}}
}

// closingPeerMessage is the closing_signed the side of p sends proposing
// fee: its variant of the closing transaction, signed, with fee_range r
// when not nil.
func closingPeerMessage(t testing.TB, p *closingParams, fee wire.Satoshi, r *wire.FeeRange) *wire.ClosingSigned {
	t.Helper()
	tx, err := p.ourClosingTx(fee)
	require.NoError(t, err)
	sig, err := p.closingSign(tx)
	require.NoError(t, err)
	msg := &wire.ClosingSigned{ChannelID: p.channelID, Fee: fee, Signature: sig}
	if r != nil {
		msg.FeeRange = wire.Some(*r)
	}
	return msg
}
