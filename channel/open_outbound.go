package channel

import (
	"fmt"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// outboundOpening is a channel we asked for: open_channel sent, then
// accept_channel received, then the funding transaction built and
// funding_created sent, until funding_signed makes it funded. Nothing of it
// is persisted but the funding transaction's id (so that a crash before
// funding_signed still releases the wallet's coins: DiscardFunding).
type outboundOpening struct {
	userChannelID uint64
	user          UserConfig
	keyID         [32]byte
	signer        ChannelSigner
	sent          *wire.OpenChannel
	chanType      ChannelType
	// accept is the peer's accept_channel (nil until received).
	accept *wire.AcceptChannel
	// fundingScript is the funding output's script, once accepted.
	fundingScript []byte
	// d is the channel being signed, once funding_created is sent.
	d *chanData
}

func (o *outboundOpening) state() State { return StateNegotiating }

func (o *outboundOpening) channelID() wire.ChannelID {
	if o.d != nil {
		return o.d.id
	}
	return o.sent.TemporaryChannelID
}

// CreateChannel opens a channel of amount satoshis to a connected peer,
// giving it push of it at once, and returns the temporary channel id.
// overrides, when not nil, replaces the Manager's UserConfig for this
// channel. The channel continues with a FundingGenerationReady event once
// the peer accepts, or ends with ChannelClosed when it refuses.
func (m *Manager) CreateChannel(counterparty wire.NodeID, amount wire.Satoshi, push wire.MilliSatoshi,
	userChannelID uint64, overrides *UserConfig) (wire.ChannelID, error) {
	user := m.cfg.User
	if overrides != nil {
		user = overrides.WithDefaults()
		if err := user.Validate(); err != nil {
			return wire.ChannelID{}, err
		}
	}
	p := m.lockPeer(counterparty, false)
	if p == nil {
		return wire.ChannelID{}, fmt.Errorf("%w: %v", ErrPeerNotConnected, counterparty)
	}
	defer p.mu.Unlock()
	if !p.connected {
		return wire.ChannelID{}, fmt.Errorf("%w: %v", ErrPeerNotConnected, counterparty)
	}
	if err := checkOwnFunding(amount, push, m.cfg.Features, p.init.Features, user); err != nil {
		return wire.ChannelID{}, err
	}
	ct, err := NegotiateChannelType(m.cfg.Features, p.init.Features, user.Handshake.NegotiateAnchors, nil)
	if err != nil {
		return wire.ChannelID{}, fmt.Errorf("channel: no channel type in common with %v: %w", counterparty, err)
	}
	rate, err := m.cfg.Fees.FeeRate(m.cfg.Context, openerTarget(ct.Commitment))
	if err != nil {
		return wire.ChannelID{}, fmt.Errorf("channel: commitment fee rate: %w", err)
	}
	keyID := m.cfg.Signers.NewChannelKeyID()
	signer := m.cfg.Signers.ChannelSigner(keyID)
	first, err := signer.PerCommitmentPoint(0)
	if err != nil {
		return wire.ChannelID{}, fmt.Errorf("channel: signer: %w", err)
	}
	upfront, err := m.upfrontScript(user)
	if err != nil {
		return wire.ChannelID{}, err
	}
	h := user.Handshake
	open := &wire.OpenChannel{
		ChainHash:             m.cfg.ChainHash,
		TemporaryChannelID:    m.newTemporaryID(p),
		FundingAmount:         amount,
		PushAmount:            push,
		DustLimit:             h.DustLimit,
		MaxHTLCValueInFlight:  h.MaxHTLCValueInFlight(amount),
		ChannelReserve:        h.ChannelReserve(amount, 0),
		HTLCMinimum:           h.HTLCMinimum,
		FeeRate:               rate,
		ToSelfDelay:           h.ToSelfDelay,
		MaxAcceptedHTLCs:      h.MaxAcceptedHTLCs,
		UpfrontShutdownScript: wire.Some(upfront),
		ChannelType:           wire.Some(ct.Features()),
	}
	k := ourPoints(signer.Basepoints(), first)
	open.FundingPubKey, open.RevocationBasepoint, open.PaymentBasepoint = k.funding, k.revocation, k.payment
	open.DelayedPaymentBasepoint, open.HTLCBasepoint, open.FirstPerCommitmentPoint = k.delayed, k.htlc, k.first
	if h.AnnounceChannel {
		open.ChannelFlags = 1
	}
	e := &entry{phase: &outboundOpening{
		userChannelID: userChannelID, user: user, keyID: keyID, signer: signer,
		sent: open, chanType: ct,
	}}
	p.addEntry(open.TemporaryChannelID, e)
	e.out.send(open)
	m.cfg.Logger.Info("channel: open_channel sent", "node_id", counterparty,
		"temporary_channel_id", open.TemporaryChannelID, "funding_sat", amount, "type", ct)
	return open.TemporaryChannelID, nil
}

// checkOwnFunding refuses a channel we would not accept from a peer:
// a push above the funding, a funding outside our own limits, or a large
// channel without option_support_large_channel on both sides.
func checkOwnFunding(amount wire.Satoshi, push wire.MilliSatoshi, ours, theirs wire.FeatureVector, user UserConfig) error {
	switch {
	case amount == 0:
		return fmt.Errorf("%w: zero funding", ErrInvalidChannelRequest)
	case uint64(push) > uint64(amount)*1000:
		return fmt.Errorf("%w: push %d msat is above the funding of %d sat", ErrInvalidChannelRequest, push, amount)
	case amount >= LargeChannelThreshold && !ours.HasFeature(wire.SupportLargeChannelRequired):
		return fmt.Errorf("%w: %d sat needs option_support_large_channel, which we do not advertise", ErrInvalidChannelRequest, amount)
	case amount >= LargeChannelThreshold && !theirs.HasFeature(wire.SupportLargeChannelRequired):
		return fmt.Errorf("%w: %d sat needs option_support_large_channel, which the peer does not advertise", ErrInvalidChannelRequest, amount)
	case amount < user.Limits.MinFundingSatoshis:
		return fmt.Errorf("%w: %d sat is below our own minimum of %d sat", ErrInvalidChannelRequest, amount, user.Limits.MinFundingSatoshis)
	case amount > commit.MaxCapacity:
		return fmt.Errorf("%w: %d sat is above 21 million bitcoin", ErrInvalidChannelRequest, amount)
	}
	return nil
}

// openerTarget is the estimator target of the commitment fee rate an
// opener proposes for a channel of type t.
func openerTarget(t commit.ChannelType) chain.ConfirmationTarget {
	if t.HasAnchors() {
		return chain.TargetAnchorChannelFee
	}
	return chain.TargetNonAnchorChannelFee
}

// upfrontScript returns the upfront_shutdown_script we commit to: a new
// script of ours when the policy asks for one, else empty (none).
func (m *Manager) upfrontScript(user UserConfig) ([]byte, error) {
	if !user.Handshake.CommitUpfrontShutdownScript {
		return []byte{}, nil
	}
	s, err := m.cfg.Destinations.ShutdownScript(m.cfg.Context)
	if err != nil {
		return nil, fmt.Errorf("channel: upfront shutdown script: %w", err)
	}
	return s, nil
}

// newTemporaryID draws a temporary channel id not in use with p.
func (m *Manager) newTemporaryID(p *peerState) wire.ChannelID {
	for {
		id := wire.ChannelID(m.cfg.Entropy.GetSecureRandomBytes())
		if p.byID[id] == nil {
			return id
		}
	}
}

// handleAcceptChannel checks the peer's accept_channel and asks the
// application for the funding transaction.
func (m *Manager) handleAcceptChannel(p *peerState, e *entry, msg *wire.AcceptChannel) error {
	o, ok := e.phase.(*outboundOpening)
	if !ok || o.accept != nil {
		return ruleErr(RuleUnexpectedMessage, "accept_channel for a channel we did not open or already accepted")
	}
	ct, err := CheckAcceptChannel(msg, &OutboundAccept{
		Sent: o.sent, OurFeatures: m.cfg.Features, TheirFeatures: p.init.Features, Config: o.user,
	})
	if err != nil {
		return err
	}
	theirFunding, err := msg.FundingPubKey.PublicKey()
	if err != nil {
		return ruleErr(RuleAcceptPoints, "funding_pubkey: %v", err)
	}
	o.accept, o.chanType = msg, ct
	out, _ := commit.FundingOutput(o.signer.Basepoints().FundingKey, theirFunding, o.sent.FundingAmount)
	o.fundingScript = out.PkScript
	return m.appendEvents(&events.FundingGenerationReady{
		TemporaryChannelID: o.sent.TemporaryChannelID,
		CounterpartyNodeID: p.id,
		ChannelValue:       o.sent.FundingAmount,
		OutputScript:       o.fundingScript,
		UserChannelID:      o.userChannelID,
	})
}

// FundingTransactionGenerated gives the Manager the funding transaction of
// the channel tmp (from a FundingGenerationReady event): signed, not
// broadcast, paying exactly the channel's value to its funding script,
// spending only segwit inputs. The Manager broadcasts it once the
// counterparty signed our first commitment and our monitor is durable.
func (m *Manager) FundingTransactionGenerated(tmp wire.ChannelID, counterparty wire.NodeID, tx *btcwire.MsgTx) error {
	return m.withEntry(tmp, counterparty, func(p *peerState, e *entry) error {
		o, ok := e.phase.(*outboundOpening)
		if !ok || o.accept == nil || o.d != nil {
			return fmt.Errorf("%w: %v with %v is not waiting for its funding transaction", ErrUnknownChannel, tmp, counterparty)
		}
		return m.fundingGenerated(p, e, o, tx)
	})
}

// fundingGenerated checks tx, signs the counterparty's first commitment
// and sends funding_created (p locked).
func (m *Manager) fundingGenerated(p *peerState, e *entry, o *outboundOpening, tx *btcwire.MsgTx) error {
	tmp := o.sent.TemporaryChannelID
	index, err := checkFundingTx(tx, o.fundingScript, o.sent.FundingAmount)
	if err != nil {
		// The channel cannot go on with this transaction; the application
		// may call again with a good one.
		return err
	}
	outpoint := btcwire.OutPoint{Hash: tx.TxHash(), Index: index}
	id := wire.NewChannelID(outpoint)
	if p.byID[id] != nil || !m.reserveID(id, p.id) {
		return fmt.Errorf("%w: channel id %v is already in use", ErrInvalidFundingTx, id)
	}
	fail := func(err error) error {
		m.unregisterID(id)
		m.failChannel(p, e, err)
		return err
	}
	d, err := m.newChanData(p, o, tx, outpoint)
	if err != nil {
		return fail(err)
	}
	cm, err := d.ch.Build(commit.Remote, &d.cc.theirs)
	if err != nil {
		return fail(err)
	}
	sigs, err := cm.SignAsCounterparty(d.signer)
	if err != nil {
		return fail(fmt.Errorf("channel: sign the counterparty's first commitment: %w", err))
	}
	if err := m.writePendingFunding(d); err != nil {
		m.unregisterID(id)
		return err
	}
	o.d = d
	p.rekey(tmp, id, e)
	e.out.send(&wire.FundingCreated{
		TemporaryChannelID: tmp,
		FundingTxID:        outpoint.Hash,
		FundingOutputIndex: uint16(index),
		Signature:          sigs.Commitment,
	})
	return nil
}

// checkFundingTx checks that tx pays exactly amount to script in exactly
// one output and spends only segwit inputs, and returns the output index.
func checkFundingTx(tx *btcwire.MsgTx, script []byte, amount wire.Satoshi) (uint32, error) {
	if tx == nil || len(tx.TxIn) == 0 {
		return 0, fmt.Errorf("%w: no inputs", ErrInvalidFundingTx)
	}
	index := -1
	for i, out := range tx.TxOut {
		if string(out.PkScript) != string(script) {
			continue
		}
		if index >= 0 {
			return 0, fmt.Errorf("%w: two outputs pay the funding script", ErrInvalidFundingTx)
		}
		if out.Value != int64(amount) {
			return 0, fmt.Errorf("%w: the funding output pays %d sat, the channel is %d sat", ErrInvalidFundingTx, out.Value, amount)
		}
		index = i
	}
	if index < 0 {
		return 0, fmt.Errorf("%w: no output pays the funding script", ErrInvalidFundingTx)
	}
	if index > 0xFFFF {
		return 0, fmt.Errorf("%w: funding output index %d does not fit funding_created", ErrInvalidFundingTx, index)
	}
	for i, in := range tx.TxIn {
		if len(in.Witness) == 0 || len(in.SignatureScript) != 0 {
			return 0, fmt.Errorf("%w: input %d is not a signed segwit input (its txid could change)", ErrInvalidFundingTx, i)
		}
	}
	return uint32(index), nil
}

// newChanData builds the funded channel of an outbound opening whose
// funding transaction is tx.
func (m *Manager) newChanData(p *peerState, o *outboundOpening, tx *btcwire.MsgTx, outpoint btcwire.OutPoint) (*chanData, error) {
	acc, open := o.accept, o.sent
	theirs, err := basepointsOf(RuleAcceptPoints, acc.FundingPubKey, acc.RevocationBasepoint, acc.PaymentBasepoint, acc.DelayedPaymentBasepoint, acc.HTLCBasepoint)
	if err != nil {
		return nil, err
	}
	theirFirst, err := acc.FirstPerCommitmentPoint.PublicKey()
	if err != nil {
		return nil, ruleErr(RuleAcceptPoints, "first_per_commitment_point: %v", err)
	}
	c := &core{
		id: wire.NewChannelID(outpoint), tempID: open.TemporaryChannelID, counterparty: p.id,
		userChannelID: o.userChannelID, keyID: o.keyID, chanType: o.chanType,
		announce: open.ChannelFlags&1 == 1, minimumDepth: acc.MinimumDepth,
		ours:               limitsOfOpen(open),
		theirs:             limitsOfAccept(acc),
		ourUpfrontScript:   nonEmpty(open.UpfrontShutdownScript),
		theirUpfrontScript: nonEmpty(acc.UpfrontShutdownScript),
		fundingTx:          tx, createdHeight: m.bestHeight(), config: o.user.Channel,
		signer: o.signer,
	}
	c.params = commit.Params{
		Type: o.chanType.Commitment, FundingOutpoint: outpoint, Capacity: open.FundingAmount,
		Opener: commit.Local,
		Local:  commit.Party{Basepoints: basepointsOfSigner(o.signer), DustLimit: open.DustLimit, CSVDelay: acc.ToSelfDelay},
		Remote: commit.Party{Basepoints: theirs, DustLimit: acc.DustLimit, CSVDelay: open.ToSelfDelay},
	}
	return newChanDataFrom(c, open.FeeRate, theirFirst, open.FundingAmount, open.PushAmount)
}

// handleFundingSigned checks the counterparty's signature of our first
// commitment: the channel is funded, its monitor is created, and the
// funding transaction is broadcast once the monitor is durable.
func (m *Manager) handleFundingSigned(p *peerState, e *entry, msg *wire.FundingSigned) error {
	o, ok := e.phase.(*outboundOpening)
	if !ok || o.d == nil {
		return ruleErr(RuleUnexpectedMessage, "funding_signed before funding_created")
	}
	d := o.d
	cm, err := d.ch.Build(commit.Local, &d.cc.holder)
	if err != nil {
		return err
	}
	if err := cm.VerifyCounterparty(commit.Signatures{Commitment: msg.Signature}); err != nil {
		return ruleErr(RuleFundingSignedSignature, "signature of our first commitment: %v", err)
	}
	d.setFirstSignature(msg.Signature)
	pending := &events.ChannelPending{
		ChannelID: d.id, UserChannelID: d.userChannelID, FormerTemporaryChannelID: d.tempID,
		CounterpartyNodeID: p.id, FundingOutPoint: d.params.FundingOutpoint, ChannelType: d.chanType.Features(),
	}
	// The record first, then the phase: a store that fails leaves the
	// channel unfunded, and failing it releases the funding's coins.
	if err := m.saveFunded(d, pending); err != nil {
		return err
	}
	e.phase = &funded{d: d}
	d.reestablished = true // funded on this connection: nothing to re-establish
	if !m.watchNew(p, e, d) {
		return nil
	}
	e.out.broadcastAfter(0, d.fundingTx)
	m.cfg.Logger.Info("channel: funding signed", "node_id", p.id, "channel_id", d.id, "funding", d.params.FundingOutpoint)
	return nil
}
