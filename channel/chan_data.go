package channel

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// newChanDataFrom finishes a channel whose core is set: it validates the
// commitment parameters and writes both first commitments (number 0).
func newChanDataFrom(c *core, rate wire.FeeRate, theirFirst *btcec.PublicKey, amount wire.Satoshi, push wire.MilliSatoshi) (*chanData, error) {
	ch, err := commit.New(c.params)
	if err != nil {
		return nil, fmt.Errorf("channel: channel parameters: %w", err)
	}
	c.ch = ch
	ourFirst, err := c.signer.PerCommitmentPoint(0)
	if err != nil {
		return nil, fmt.Errorf("channel: signer: %w", err)
	}
	openerBalance := wire.MilliSatoshi(uint64(amount)*1000) - push
	local, remote := openerBalance, push
	if c.params.Opener == commit.Remote {
		local, remote = push, openerBalance
	}
	d := &chanData{core: c}
	holder := commit.State{Number: 0, PerCommitmentPoint: ourFirst, LocalBalance: local, RemoteBalance: remote, FeeRate: rate}
	theirs := commit.State{Number: 0, PerCommitmentPoint: theirFirst, LocalBalance: local, RemoteBalance: remote, FeeRate: rate}
	// The counterparty's signature of our first commitment comes with
	// funding_created or funding_signed (setFirstSignature).
	if d.cc, err = newCommitmentChain(d.chainConfig(), holder, commit.Signatures{}, theirs, nil); err != nil {
		return nil, err
	}
	d.log = newUpdateLog(d.logParams(), local, remote, rate, 0, 0)
	return d, nil
}

// chainConfig is what d's commitment chain is built with.
func (c *core) chainConfig() commitmentChainConfig {
	return commitmentChainConfig{ch: c.ch, signer: c.signer, id: c.id}
}

// logParams is what d's update log is built with.
func (c *core) logParams() updateLogParams {
	return updateLogParams{
		chanType: c.params.Type, opener: c.params.Opener, capacity: c.params.Capacity,
		ours: c.ours, theirs: c.theirs, maxDustExposure: c.config.MaxDustHTLCExposure,
	}
}

// setFirstSignature records the counterparty's (verified) signature of our
// first commitment.
func (d *chanData) setFirstSignature(sig wire.Signature) {
	d.cc.holderSigs = commit.Signatures{Commitment: sig}
}

// limitsOfOpen are the limits the opener set in open_channel.
func limitsOfOpen(m *wire.OpenChannel) sideLimits {
	return sideLimits{
		dustLimit: m.DustLimit, reserve: m.ChannelReserve, htlcMinimum: m.HTLCMinimum,
		maxInFlight: m.MaxHTLCValueInFlight, maxAcceptedHTLCs: m.MaxAcceptedHTLCs, toSelfDelay: m.ToSelfDelay,
	}
}

// limitsOfAccept are the limits the acceptor set in accept_channel.
func limitsOfAccept(m *wire.AcceptChannel) sideLimits {
	return sideLimits{
		dustLimit: m.DustLimit, reserve: m.ChannelReserve, htlcMinimum: m.HTLCMinimum,
		maxInFlight: m.MaxHTLCValueInFlight, maxAcceptedHTLCs: m.MaxAcceptedHTLCs, toSelfDelay: m.ToSelfDelay,
	}
}

// basepointsOf parses a peer's funding key and basepoints; a bad point
// breaks rule.
func basepointsOf(rule Rule, funding, revocation, payment, delayed, htlc wire.Point) (commit.Basepoints, error) {
	var b commit.Basepoints
	for _, f := range []struct {
		name string
		p    wire.Point
		dst  **btcec.PublicKey
	}{
		{"funding_pubkey", funding, &b.Funding},
		{"revocation_basepoint", revocation, &b.Revocation},
		{"payment_basepoint", payment, &b.Payment},
		{"delayed_payment_basepoint", delayed, &b.DelayedPayment},
		{"htlc_basepoint", htlc, &b.HTLC},
	} {
		k, err := f.p.PublicKey()
		if err != nil {
			return b, ruleErr(rule, "%s: %v", f.name, err)
		}
		*f.dst = k
	}
	return b, nil
}

// basepointsOfSigner are our basepoints.
func basepointsOfSigner(s ChannelSigner) commit.Basepoints {
	bp := s.Basepoints()
	return commit.Basepoints{
		Funding: bp.FundingKey, Revocation: bp.RevocationBasepoint, Payment: bp.PaymentBasepoint,
		DelayedPayment: bp.DelayedPaymentBasepoint, HTLC: bp.HTLCBasepoint,
	}
}

// nonEmpty returns an upfront_shutdown_script's script, nil when absent or
// empty (no upfront script).
func nonEmpty(o wire.Option[[]byte]) []byte {
	if !o.Present || len(o.Value) == 0 {
		return nil
	}
	return append([]byte(nil), o.Value...)
}

// balances returns our and the counterparty's balance in our latest
// commitment.
func (d *chanData) balances() (local, remote wire.MilliSatoshi) {
	return d.cc.holder.LocalBalance, d.cc.holder.RemoteBalance
}

// pointSet is our keys as open_channel and accept_channel carry them.
type pointSet struct {
	funding, revocation, payment, delayed, htlc, first wire.Point
}

// ourPoints encodes our basepoints and first per-commitment point.
func ourPoints(bp keys.ChannelPublicKeys, first *btcec.PublicKey) pointSet {
	return pointSet{
		funding: wire.NewPoint(bp.FundingKey), revocation: wire.NewPoint(bp.RevocationBasepoint),
		payment: wire.NewPoint(bp.PaymentBasepoint), delayed: wire.NewPoint(bp.DelayedPaymentBasepoint),
		htlc: wire.NewPoint(bp.HTLCBasepoint), first: wire.NewPoint(first),
	}
}
