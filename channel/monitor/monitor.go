package monitor

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/keys"
	lnwire "github.com/lnkit/lnkit/wire"
)

// Config is a channel's static data: what a ChannelMonitor is created from.
// It holds no secret key: signers come from the channel key id.
type Config struct {
	// Params are the channel's parameters (Local is this node).
	Params commit.Params
	// ChannelKeyID is the key id of our channel keys (keys.Manager
	// ChannelKeys): the signer of our commitments and sweeps.
	ChannelKeyID [32]byte
	// FirstHolder is our first commitment with the counterparty's
	// signature (funding_created / funding_signed).
	FirstHolder *NewHolderCommitment
	// FirstCounterparty is the counterparty's first commitment, which we
	// signed. Optional: without it, the counterparty's commitments are
	// still recognised by their outputs.
	FirstCounterparty *NewCounterpartyCommitment
}

// holderCommitment is one of our commitments with the counterparty's
// signatures.
type holderCommitment struct {
	step NewHolderCommitment
	cm   *commit.Commitment
}

// counterpartyCommitment is one of the counterparty's commitments that we
// signed and that is not revoked.
type counterpartyCommitment struct {
	st *commit.State
	cm *commit.Commitment
}

// ChannelMonitor watches one channel's funding output and holds what is
// needed to claim its funds from the chain alone. It is not safe for
// concurrent use (the ChainMonitor serialises access).
type ChannelMonitor struct {
	ch       *commit.Channel
	keyID    [32]byte
	latestID uint64

	holder, prevHolder *holderCommitment
	// counterparty are the unrevoked counterparty commitments, oldest
	// first (at most two: the current one and the one being revoked).
	counterparty   []*counterpartyCommitment
	secrets        keys.SecretStore
	shutdownScript []byte
	forceClosed    bool
	// behind is set when the chain shows a counterparty commitment newer
	// than any we know, or a DataLossDetected step says the counterparty
	// proved it in channel_reestablish: our state is outdated.
	behind bool
	// theirCurrentPoint is the counterparty's current per-commitment
	// point of the last DataLossDetected step that carried one, or nil.
	theirCurrentPoint *btcec.PublicKey
	// preimages are the payment preimages learned (PaymentPreimage
	// steps), under their payment hash. Apply adds to it in place and
	// removes what it added when the update fails.
	preimages map[lnwire.PaymentHash]lnwire.Preimage
	// history keeps the HTLCs of the counterparty's revoked commitments.
	history htlcHistory

	chain  chainState
	events []events.Event
	// spendReports are the funding spends recognised and not yet
	// released (ReleaseFundingSpends).
	spendReports []FundingSpendInfo
	// resolutions are the HTLC resolutions not yet released; reported
	// the timeouts already reported since the monitor was loaded.
	resolutions []HTLCResolution
	reported    map[btcwire.OutPoint]bool
	// emittedSecond are the outputs of our HTLC transactions emitted as
	// SpendableOutputs since the monitor was loaded; funded our anchors
	// HTLC transactions the wallet funded (broadcast again while their
	// rate stays), by the HTLC output they spend.
	emittedSecond map[btcwire.OutPoint]bool
	funded        map[btcwire.OutPoint]*btcwire.MsgTx
	// abandoned are funded transactions whose commitment a reorg took
	// away: the funder is told to forget them (their wallet coins are
	// free again).
	abandoned []chainhash.Hash
	// reportedLost are the HTLCs (htlcKeyOf) without an output on chain
	// already reported (ours failed, the counterparty's we fulfilled
	// settled) since the monitor was loaded.
	reportedLost map[uint64]bool
}

// New returns a monitor for a channel from its static data. The first
// holder commitment's counterparty signature is verified.
func New(cfg Config) (*ChannelMonitor, error) { return newMonitor(cfg, true) }

// newMonitor is New; verify false skips the signature checks, for a monitor
// decoded from our own store (checked when its updates were applied, and
// the store checksums what it keeps), so that loading does not verify up
// to 2×484 signatures per channel again.
func newMonitor(cfg Config, verify bool) (*ChannelMonitor, error) {
	ch, err := commit.New(cfg.Params)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMonitor, err)
	}
	if cfg.FirstHolder == nil {
		return nil, fmt.Errorf("%w: no first holder commitment", ErrInvalidMonitor)
	}
	m := &ChannelMonitor{ch: ch, keyID: cfg.ChannelKeyID}
	h, err := m.buildHolder(cfg.FirstHolder, verify)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMonitor, err)
	}
	m.holder = h
	if cfg.FirstCounterparty != nil {
		c, err := m.buildCounterparty(cfg.FirstCounterparty)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidMonitor, err)
		}
		m.counterparty = []*counterpartyCommitment{c}
	}
	return m, nil
}

// ChannelID returns the channel's id (from the funding outpoint).
func (m *ChannelMonitor) ChannelID() lnwire.ChannelID {
	return lnwire.NewChannelID(m.ch.Params().FundingOutpoint)
}

// FundingOutPoint returns the watched funding output.
func (m *ChannelMonitor) FundingOutPoint() btcwire.OutPoint { return m.ch.Params().FundingOutpoint }

// Channel returns the channel's parameters.
func (m *ChannelMonitor) Channel() *commit.Channel { return m.ch }

// LatestUpdateID returns the id of the last applied update (0 for none).
func (m *ChannelMonitor) LatestUpdateID() uint64 { return m.latestID }

// HolderCommitmentNumber returns our latest commitment's number.
func (m *ChannelMonitor) HolderCommitmentNumber() uint64 { return m.holder.step.State.Number }

// ShutdownScript returns our shutdown script, or nil.
func (m *ChannelMonitor) ShutdownScript() []byte { return m.shutdownScript }

// ForceClosed reports whether the channel was force-closed.
func (m *ChannelMonitor) ForceClosed() bool { return m.forceClosed }

// Preimage returns the payment preimage of hash, if a PaymentPreimage step
// gave it.
func (m *ChannelMonitor) Preimage(hash lnwire.PaymentHash) (lnwire.Preimage, bool) {
	p, ok := m.preimages[hash]
	return p, ok
}

// Preimages returns how many payment preimages the monitor holds.
func (m *ChannelMonitor) Preimages() int { return len(m.preimages) }

// TheirCurrentPoint returns the counterparty's current per-commitment point
// from the last DataLossDetected step that carried one, or nil.
func (m *ChannelMonitor) TheirCurrentPoint() *btcec.PublicKey { return m.theirCurrentPoint }

func (m *ChannelMonitor) buildHolder(s *NewHolderCommitment, verify bool) (*holderCommitment, error) {
	if err := checkStep(s); err != nil {
		return nil, err
	}
	cm, err := m.build(commit.Local, s.State, s.Built)
	if err != nil {
		return nil, err
	}
	if verify {
		if err := cm.VerifyCounterparty(commit.Signatures{Commitment: s.CounterpartySig, HTLCs: s.HTLCSigs}); err != nil {
			return nil, err
		}
	}
	h := &holderCommitment{step: *s, cm: cm}
	h.step.Built = nil
	return h, nil
}

func (m *ChannelMonitor) buildCounterparty(s *NewCounterpartyCommitment) (*counterpartyCommitment, error) {
	if err := checkStep(s); err != nil {
		return nil, err
	}
	cm, err := m.build(commit.Remote, s.State, s.Built)
	if err != nil {
		return nil, err
	}
	return &counterpartyCommitment{st: s.State, cm: cm}, nil
}

// build returns the commitment owner holds for st: hint when it is exactly
// that commitment (built by the channel in this process), else a new one.
func (m *ChannelMonitor) build(owner commit.Side, st *commit.State, hint *commit.Commitment) (*commit.Commitment, error) {
	if hint != nil && hint.BuiltFrom(m.ch, owner, st) {
		return hint, nil
	}
	return m.ch.Build(owner, st)
}

// Apply applies an update. An update already applied (its ID is not above
// LatestUpdateID) is a no-op; an ID beyond the next one is a *GapError.
// An update is applied whole or not at all: on error the monitor is
// unchanged.
func (m *ChannelMonitor) Apply(u *Update) error {
	if u == nil {
		return fmt.Errorf("%w: nil", ErrInvalidUpdate)
	}
	if u.ID <= m.latestID {
		return nil
	}
	if u.ID != m.latestID+1 {
		return &GapError{Latest: m.latestID, Got: u.ID}
	}
	next := *m
	next.counterparty = append([]*counterpartyCommitment(nil), m.counterparty...)
	// next.secrets is already a full copy: SecretStore is a value (an array
	// and two counters), so a failed step leaves m's store untouched.
	// next.preimages is m's map: the preimages this update adds are
	// removed again if a later step fails.
	var added []lnwire.PaymentHash
	for i, s := range u.Steps {
		if p, ok := s.(*PaymentPreimage); ok && p != nil {
			if _, had := next.preimages[p.Preimage.Hash()]; !had {
				added = append(added, p.Preimage.Hash())
			}
		}
		if err := next.applyStep(s); err != nil {
			for _, h := range added {
				delete(next.preimages, h)
			}
			return fmt.Errorf("%w: update %d step %d: %w", ErrInvalidUpdate, u.ID, i, err)
		}
	}
	next.latestID = u.ID
	*m = next
	return nil
}

var (
	errClosed      = errors.New("channel force-closed")
	errBehindState = fmt.Errorf("%w: no new commitment", ErrBehind)
)

// refuseCommitment says why the monitor takes no new commitment, or nil.
func (m *ChannelMonitor) refuseCommitment() error {
	switch {
	case m.behind:
		return errBehindState
	case m.forceClosed:
		return errClosed
	}
	return nil
}

func (m *ChannelMonitor) applyStep(s Step) error {
	switch s := s.(type) {
	case *NewHolderCommitment:
		if err := m.refuseCommitment(); err != nil {
			return err
		}
		if s.State == nil || s.State.Number <= m.holder.step.State.Number {
			return errors.New("holder commitment number does not increase")
		}
		h, err := m.buildHolder(s, true)
		if err != nil {
			return err
		}
		m.prevHolder, m.holder = m.holder, h
	case *NewCounterpartyCommitment:
		if err := m.refuseCommitment(); err != nil {
			return err
		}
		if n := len(m.counterparty); s.State != nil && n > 0 && s.State.Number <= m.counterparty[n-1].st.Number {
			return errors.New("counterparty commitment number does not increase")
		}
		c, err := m.buildCounterparty(s)
		if err != nil {
			return err
		}
		m.counterparty = append(m.counterparty, c)
	case *CommitmentSecret:
		idx, err := keys.ShachainIndex(s.Number)
		if err != nil {
			return err
		}
		// BOLT 2: the secret must generate the per-commitment point of
		// the commitment it revokes, when we know it.
		for _, c := range m.counterparty {
			if c.st.Number == s.Number {
				_, pub := btcec.PrivKeyFromBytes(s.Secret[:])
				if !pub.IsEqual(c.st.PerCommitmentPoint) {
					return errors.New("secret does not match the revoked commitment's point")
				}
			}
		}
		if err := m.secrets.Insert(idx, s.Secret); err != nil {
			return err
		}
		kept := m.counterparty[:0:0]
		for _, c := range m.counterparty {
			if c.st.Number > s.Number {
				kept = append(kept, c)
			} else if c.st.Number == s.Number {
				m.history = m.history.revoke(c.st)
			}
		}
		m.counterparty = kept
	case *ShutdownScript:
		m.shutdownScript = append([]byte(nil), s.Script...)
	case *ChannelForceClosed:
		m.forceClosed = true
	case *DataLossDetected:
		m.behind = true
		if s.TheirCurrentPoint != nil {
			m.theirCurrentPoint = s.TheirCurrentPoint
		}
	case *PaymentPreimage:
		if s == nil {
			return errors.New("nil payment preimage step")
		}
		if m.preimages == nil {
			m.preimages = make(map[lnwire.PaymentHash]lnwire.Preimage)
		}
		m.preimages[s.Preimage.Hash()] = s.Preimage
	default:
		return fmt.Errorf("unknown step %T", s)
	}
	return nil
}

// revoked reports whether the counterparty revealed the secret of its
// commitment number n. A number above keys.MaxCommitmentNumber has no
// secret and is never revoked.
func (m *ChannelMonitor) revoked(n uint64) bool {
	idx, err := keys.ShachainIndex(n)
	if err != nil {
		return false
	}
	next, ok := m.secrets.NextIndex()
	if !ok { // every index received
		return true
	}
	// Secrets arrive in descending index order from MaxShachainIndex:
	// index i is known when i > next.
	return idx > next
}

// LatestHolderCommitmentTx returns our latest commitment, signed by both
// sides, ready to broadcast (force close). It refuses with ErrBehind when
// the monitor learned that the counterparty has a newer state (from the
// chain, or from a DataLossDetected step).
func (m *ChannelMonitor) LatestHolderCommitmentTx(signer commit.Signer) (*btcwire.MsgTx, error) {
	if m.behind {
		return nil, ErrBehind
	}
	sigs, err := m.holder.cm.SignAsOwner(signer)
	if err != nil {
		return nil, fmt.Errorf("monitor: sign holder commitment: %w", err)
	}
	return m.holder.cm.SignedTx(sigs.Commitment, m.holder.step.CounterpartySig)
}

// ReleasePendingEvents returns the events produced since the last call
// (SpendableOutputs, ChannelClosed) and forgets them.
func (m *ChannelMonitor) ReleasePendingEvents() []events.Event {
	ev := m.events
	m.events = nil
	return ev
}
