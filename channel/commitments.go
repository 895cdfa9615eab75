package channel

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// errCommitmentChain is matched by the errors of a commitmentChain used
// inconsistently (a state with the wrong number or point, a second
// commitment_signed while one is outstanding, a message of another
// channel): a bug of the caller, never the peer's doing. The peer's
// faults are *RuleErrors of the commitment_signed and revoke_and_ack rules.
var errCommitmentChain = errors.New("channel: commitment chain: inconsistent use")

// commitmentSigner is our side of the channel keys: it signs commitments and
// HTLC transactions and gives our per-commitment secrets and points by
// commitment number. *keys.InMemorySigner implements it.
type commitmentSigner interface {
	commit.Signer
	reestablishSigner
}

// commitmentChainConfig is what a commitment chain does not persist: it is
// rebuilt from the channel record on load.
type commitmentChainConfig struct {
	// ch is the channel (Local is us).
	ch *commit.Channel
	// signer holds our channel keys.
	signer commitmentSigner
	// id is the channel id of the messages.
	id wire.ChannelID
}

// commitmentChain is the commitment chain of both sides of a funded channel
// (BOLT 2, "Normal Operation"): the commitments each side holds, the
// signatures exchanged and the secrets the counterparty revealed. It is a
// deterministic state machine: the caller gives it the content of each next
// commitment (the update log decides which HTLCs it holds) and the peer's
// messages; it returns the messages to send and the monitor steps that
// must be durable before they leave.
//
// Numbers, as in reestablishState: our latest commitment is holder.Number
// (H-1); the counterparty's oldest unrevoked commitment is theirs.Number
// (R), and theirPending, when set, is commitment R+1 we signed and whose
// revoke_and_ack (revoking R) has not arrived. At most one commitment_signed
// of ours is outstanding: we cannot sign R+2 before that revoke_and_ack
// brings its point.
type commitmentChain struct {
	cfg commitmentChainConfig
	// par makes and checks the HTLC signatures of a commitment_signed
	// (nil: one after the other); the Manager sets it (Config.Parallel)
	// before each use. It changes no outcome.
	par commit.Parallel

	// holder is our latest commitment, holderSigs the counterparty's
	// signatures of it (commitment and HTLC transactions).
	holder     commit.State
	holderSigs commit.Signatures
	// theirs is the counterparty's oldest unrevoked commitment, as we
	// signed it (Local is us).
	theirs commit.State
	// theirPending is the commitment we signed after theirs and whose
	// revoke_and_ack has not arrived, or nil.
	theirPending *commit.State
	// theirNextPoint is the counterparty's per-commitment point of
	// commitment theirs.Number+1 while nothing is pending (nil when not yet
	// known, or while theirPending is set: its successor's point comes with
	// the revoke_and_ack).
	theirNextPoint *btcec.PublicKey
	// secrets are the counterparty's per-commitment secrets of its
	// commitments 0 to theirs.Number-1.
	secrets keys.SecretStore
	// revokeAndAckLast: our last revoke_and_ack was sent after our last
	// commitment_signed.
	revokeAndAckLast bool
	// nextPoint is our per-commitment point that our last revoke_and_ack
	// sent, kept for the commitment the next commitment_signed signs: a
	// cache, not persisted (ownState computes the point when it is not
	// there).
	nextPoint ourPoint
}

// ourPoint is our per-commitment point p of commitment n.
type ourPoint struct {
	n uint64
	p *btcec.PublicKey
}

// ourPointOf returns our per-commitment point of commitment n.
func (c *commitmentChain) ourPointOf(n uint64) (*btcec.PublicKey, error) {
	if c.nextPoint.p != nil && c.nextPoint.n == n {
		return c.nextPoint.p, nil
	}
	return c.cfg.signer.PerCommitmentPoint(n)
}

// pointKeeper is the chain's signer for revoke_and_ack: it keeps the point
// it gives (nextPoint).
type pointKeeper struct{ c *commitmentChain }

func (k pointKeeper) PerCommitmentSecret(n uint64) ([32]byte, error) {
	return k.c.cfg.signer.PerCommitmentSecret(n)
}

func (k pointKeeper) PerCommitmentPoint(n uint64) (*btcec.PublicKey, error) {
	p, err := k.c.ourPointOf(n)
	if err == nil {
		k.c.nextPoint = ourPoint{n: n, p: p}
	}
	return p, err
}

// commitmentChainErr returns an errCommitmentChain with a message.
func commitmentChainErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errCommitmentChain, fmt.Sprintf(format, args...))
}

// newCommitmentChain returns the chain of a channel just funded: our first
// commitment (number 0) with the counterparty's signatures of
// funding_created / funding_signed, the counterparty's first commitment
// (number 0) and, when known, its second per-commitment point
// (channel_ready). It checks the numbers, our point and the signature count;
// the signatures were verified when received.
func newCommitmentChain(cfg commitmentChainConfig, holder commit.State, holderSigs commit.Signatures,
	theirs commit.State, theirNextPoint *btcec.PublicKey) (*commitmentChain, error) {
	if cfg.ch == nil || cfg.signer == nil {
		return nil, commitmentChainErr("no channel or signer")
	}
	if holder.Number != 0 || theirs.Number != 0 {
		return nil, commitmentChainErr("first commitments are %d and %d, not 0", holder.Number, theirs.Number)
	}
	c := &commitmentChain{cfg: cfg, theirNextPoint: theirNextPoint}
	var err error
	if c.holder, err = c.ownState(&holder, 0); err != nil {
		return nil, err
	}
	cm, err := cfg.ch.Build(commit.Local, &c.holder)
	if err != nil {
		return nil, commitmentChainErr("holder commitment: %v", err)
	}
	if len(holderSigs.HTLCs) != len(cm.HTLCOutputs) {
		return nil, commitmentChainErr("%d htlc signatures for %d htlc outputs", len(holderSigs.HTLCs), len(cm.HTLCOutputs))
	}
	c.holderSigs = cloneSignatures(holderSigs)
	if theirs.PerCommitmentPoint == nil {
		return nil, commitmentChainErr("counterparty commitment without a point")
	}
	c.theirs = cloneState(theirs)
	if _, err := cfg.ch.Build(commit.Remote, &c.theirs); err != nil {
		return nil, commitmentChainErr("counterparty commitment: %v", err)
	}
	return c, nil
}

// ownState returns a copy of st as our commitment number n: its point must
// be ours of n or nil (then it is set).
func (c *commitmentChain) ownState(st *commit.State, n uint64) (commit.State, error) {
	if st.Number != n {
		return commit.State{}, commitmentChainErr("holder commitment number %d, want %d", st.Number, n)
	}
	point, err := c.ourPointOf(n)
	if err != nil {
		return commit.State{}, fmt.Errorf("channel: our per-commitment point %d: %w", n, err)
	}
	if st.PerCommitmentPoint != nil && !st.PerCommitmentPoint.IsEqual(point) {
		return commit.State{}, commitmentChainErr("holder commitment %d has another point than ours", n)
	}
	out := cloneState(*st)
	out.PerCommitmentPoint = point
	return out, nil
}

// cloneState copies st and its HTLCs (an empty list becomes nil).
func cloneState(st commit.State) commit.State {
	st.HTLCs = slices.Clone(st.HTLCs)
	if len(st.HTLCs) == 0 {
		st.HTLCs = nil
	}
	return st
}

// cloneSignatures copies s (an empty list becomes nil, as decoded).
func cloneSignatures(s commit.Signatures) commit.Signatures {
	s.HTLCs = slices.Clone(s.HTLCs)
	if len(s.HTLCs) == 0 {
		s.HTLCs = nil
	}
	return s
}

// checkChannelID refuses a message of another channel (the caller routes
// by channel id, so this is its bug).
func (c *commitmentChain) checkChannelID(id wire.ChannelID) error {
	if id != c.cfg.id {
		return commitmentChainErr("message of channel %x, not %x", id[:], c.cfg.id[:])
	}
	return nil
}

// signCommitment signs the counterparty's next commitment, next (from our
// point of view, Local is us): its Number must be the one after the
// counterparty's current commitment, its PerCommitmentPoint nil or the
// counterparty's next point. It returns commitment_signed and the monitor
// step that must be durable before the message leaves. It refuses
// (errCommitmentChain) while a commitment_signed of ours awaits its
// revoke_and_ack, and before the counterparty's next point is known.
func (c *commitmentChain) signCommitment(next commit.State) (*wire.CommitmentSigned, *monitor.NewCounterpartyCommitment, error) {
	if c.theirPending != nil {
		return nil, nil, commitmentChainErr("commitment_signed %d awaits its revoke_and_ack", c.theirPending.Number)
	}
	if c.theirNextPoint == nil {
		return nil, nil, commitmentChainErr("the counterparty's next per-commitment point is not known")
	}
	n := c.theirs.Number + 1
	if next.Number != n {
		return nil, nil, commitmentChainErr("counterparty commitment number %d, want %d", next.Number, n)
	}
	if next.PerCommitmentPoint != nil && !next.PerCommitmentPoint.IsEqual(c.theirNextPoint) {
		return nil, nil, commitmentChainErr("counterparty commitment %d has another point than its next one", n)
	}
	st := cloneState(next)
	st.PerCommitmentPoint = c.theirNextPoint
	msg, cm, err := c.signTheirs(&st)
	if err != nil {
		return nil, nil, err
	}
	c.theirPending = &st
	c.theirNextPoint = nil
	c.revokeAndAckLast = false
	mon := cloneState(st)
	return msg, &monitor.NewCounterpartyCommitment{State: &mon, Built: cm}, nil
}

// signTheirs builds and signs the counterparty commitment st; it returns
// the commitment too (the monitor step's hint).
func (c *commitmentChain) signTheirs(st *commit.State) (*wire.CommitmentSigned, *commit.Commitment, error) {
	cm, err := c.cfg.ch.Build(commit.Remote, st)
	if err != nil {
		return nil, nil, commitmentChainErr("counterparty commitment %d: %v", st.Number, err)
	}
	sigs, err := cm.SignAsCounterpartyWith(c.cfg.signer, c.par)
	if err != nil {
		return nil, nil, fmt.Errorf("channel: sign counterparty commitment %d: %w", st.Number, err)
	}
	return &wire.CommitmentSigned{ChannelID: c.cfg.id, Signature: sigs.Commitment, HTLCSignatures: sigs.HTLCs}, cm, nil
}

// receiveCommitmentSigned checks the peer's commitment_signed against our
// next commitment, next: its Number must follow our current commitment's,
// its PerCommitmentPoint nil or ours of that number. Every signature is
// verified (the count first). It returns the monitor step that makes the
// new commitment ours and the revoke_and_ack that revokes the previous
// one: the caller sends the revoke_and_ack only after the step is
// durable. A peer's fault is a *RuleError (RuleCommitmentSignedSignature,
// RuleCommitmentSignedHTLCSignatureCount, RuleCommitmentSignedHTLCSignature);
// on any error the chain is unchanged.
func (c *commitmentChain) receiveCommitmentSigned(msg *wire.CommitmentSigned, next commit.State) (*monitor.NewHolderCommitment, *wire.RevokeAndAck, error) {
	if msg == nil {
		return nil, nil, commitmentChainErr("no commitment_signed")
	}
	if err := c.checkChannelID(msg.ChannelID); err != nil {
		return nil, nil, err
	}
	// The revoke_and_ack gives the point of n+1: n+1 must have one.
	n := c.holder.Number + 1
	if n >= keys.MaxCommitmentNumber {
		return nil, nil, commitmentChainErr("commitment numbers exhausted at %d", c.holder.Number)
	}
	st, err := c.ownState(&next, n)
	if err != nil {
		return nil, nil, err
	}
	cm, err := c.cfg.ch.Build(commit.Local, &st)
	if err != nil {
		return nil, nil, commitmentChainErr("holder commitment %d: %v", n, err)
	}
	if len(msg.HTLCSignatures) != len(cm.HTLCOutputs) {
		return nil, nil, ruleErr(RuleCommitmentSignedHTLCSignatureCount, "%d htlc signatures, commitment %d has %d htlc outputs",
			len(msg.HTLCSignatures), n, len(cm.HTLCOutputs))
	}
	if highS(msg.Signature) {
		return nil, nil, ruleErr(RuleCommitmentSignedSignature, "signature of commitment %d is not low-S", n)
	}
	for i, sig := range msg.HTLCSignatures {
		if highS(sig) {
			return nil, nil, ruleErr(RuleCommitmentSignedHTLCSignature, "htlc signature %d of commitment %d is not low-S", i, n)
		}
	}
	sigs := cloneSignatures(commit.Signatures{Commitment: msg.Signature, HTLCs: msg.HTLCSignatures})
	if err := cm.VerifyCounterpartyWith(sigs, c.par); err != nil {
		var se *commit.SignatureError
		switch {
		case errors.As(err, &se) && se.Index < 0:
			return nil, nil, ruleErr(RuleCommitmentSignedSignature, "does not sign commitment %d", n)
		case errors.As(err, &se):
			return nil, nil, ruleErr(RuleCommitmentSignedHTLCSignature, "htlc signature %d does not sign the htlc transaction of output %d of commitment %d",
				se.Index, se.OutputIndex, n)
		}
		return nil, nil, fmt.Errorf("channel: verify commitment %d: %w", n, err)
	}
	raa, err := c.revokeAndAck(n + 1)
	if err != nil {
		return nil, nil, err
	}
	c.holder, c.holderSigs = st, sigs
	c.revokeAndAckLast = true
	mon := cloneState(st)
	step := &monitor.NewHolderCommitment{State: &mon, CounterpartySig: sigs.Commitment, HTLCSigs: slices.Clone(sigs.HTLCs), Built: cm}
	return step, raa, nil
}

// revokeAndAck is the revoke_and_ack sent when our next holder commitment
// number becomes h (h ≥ 2): the secret of commitment h-2, the point of h.
func (c *commitmentChain) revokeAndAck(h uint64) (*wire.RevokeAndAck, error) {
	st := reestablishState{nextHolderCommitment: h, signer: pointKeeper{c}}
	return st.rebuildRevokeAndAck(c.cfg.id)
}

// highS reports whether the signature's s is above half the curve order
// (BOLT 2 requires low-S) or does not parse at all (left to the verifier).
func highS(sig wire.Signature) bool {
	var s btcec.ModNScalar
	if overflow := s.SetByteSlice(sig[32:]); overflow {
		return false
	}
	return s.IsOverHalfOrder()
}

// receiveRevokeAndAck checks the peer's revoke_and_ack: the secret must
// generate the point of the counterparty's commitment being revoked and
// derive the secrets revealed before (it is stored), and the next point
// must be valid. It returns the monitor step that keeps the secret. A
// peer's fault is a *RuleError (RuleRevokeAndAckUnexpected,
// RuleRevokeAndAckPerCommitmentSecret,
// RuleRevokeAndAckNextPerCommitmentPoint); on any error the chain is
// unchanged.
func (c *commitmentChain) receiveRevokeAndAck(msg *wire.RevokeAndAck) (*monitor.CommitmentSecret, error) {
	if msg == nil {
		return nil, commitmentChainErr("no revoke_and_ack")
	}
	if err := c.checkChannelID(msg.ChannelID); err != nil {
		return nil, err
	}
	if c.theirPending == nil {
		return nil, ruleErr(RuleRevokeAndAckUnexpected, "no commitment_signed awaits it")
	}
	r := c.theirs.Number
	idx, err := keys.ShachainIndex(r)
	if err != nil {
		return nil, commitmentChainErr("counterparty commitment %d: %v", r, err)
	}
	secret := [32]byte(msg.PerCommitmentSecret)
	var k btcec.ModNScalar
	if overflow := k.SetBytes(&secret); overflow != 0 || k.IsZero() {
		return nil, ruleErr(RuleRevokeAndAckPerCommitmentSecret, "secret of commitment %d is not a valid scalar", r)
	}
	k.Zero()
	if !keys.PerCommitmentPointFromSecret(secret).IsEqual(c.theirs.PerCommitmentPoint) {
		return nil, ruleErr(RuleRevokeAndAckPerCommitmentSecret, "does not generate the point of commitment %d", r)
	}
	next, err := msg.NextPerCommitmentPoint.PublicKey()
	if err != nil {
		return nil, ruleErr(RuleRevokeAndAckNextPerCommitmentPoint, "not a valid point")
	}
	store := c.secrets
	if err := store.Insert(idx, secret); err != nil {
		if errors.Is(err, keys.ErrSecretMismatch) {
			return nil, ruleErr(RuleRevokeAndAckPerCommitmentSecret, "secret of commitment %d does not derive the earlier secrets", r)
		}
		return nil, commitmentChainErr("store secret %d: %v", r, err)
	}
	c.secrets = store
	c.theirs, c.theirPending = *c.theirPending, nil
	c.theirNextPoint = next
	return &monitor.CommitmentSecret{Number: r, Secret: secret}, nil
}

// String describes the chain by its numbers, without signatures or the
// counterparty's secrets.
func (c *commitmentChain) String() string {
	pending := "none"
	if c.theirPending != nil {
		pending = fmt.Sprint(c.theirPending.Number)
	}
	return fmt.Sprintf("commitments{holder=%d counterparty=%d pending=%s secrets=%d(redacted) revoke_and_ack_last=%t}",
		c.holder.Number, c.theirs.Number, pending, c.secrets.Len(), c.revokeAndAckLast)
}

// Format implements fmt.Formatter so that no verb prints the secrets.
func (c *commitmentChain) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue implements slog.LogValuer: the numbers, not the secrets.
func (c *commitmentChain) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Uint64("holder", c.holder.Number),
		slog.Uint64("counterparty", c.theirs.Number),
		slog.Bool("pending", c.theirPending != nil),
		slog.Uint64("secrets", c.secrets.Len()),
		slog.Bool("revoke_and_ack_last", c.revokeAndAckLast),
	)
}
