package monitor

import (
	"crypto/sha256"
	"slices"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// ClaimSigner signs the monitor's claims: with the revocation key of a
// revoked commitment (justice) and with our HTLC key of a commitment (HTLC
// outputs of the counterparty's commitment). *keys.InMemorySigner
// implements it.
type ClaimSigner interface {
	RevocationSigner
	SignHTLC(perCommitmentPoint *btcec.PublicKey, digest lnwire.Digest) (lnwire.Signature, error)
}

// HTLCResolution is what the chain decided for one of the channel's HTLCs
// after a commitment confirmed: the preimage, as soon as a spend reveals
// it (the counterparty claimed an HTLC we offered), or, for an HTLC we
// offered, its timeout once our claim is AntiReorgDelay deep. The channel
// Manager ends payments (and, forwarding, resolves the upstream HTLC) from
// it. Delivered at least once (again after a restart).
type HTLCResolution struct {
	// ChannelID is the channel.
	ChannelID lnwire.ChannelID
	// HTLCID is the HTLC's id; Outgoing says we offered it.
	HTLCID   uint64
	Outgoing bool
	// PaymentHash is the HTLC's payment hash; Amount its amount.
	PaymentHash lnwire.PaymentHash
	Amount      lnwire.MilliSatoshi
	// Preimage is set when the HTLC was claimed with it; nil for a timeout.
	Preimage *lnwire.Preimage
	// Height is the block of the spend that decided it.
	Height int32
}

// htlcOutput returns the HTLC output op of the counterparty's commitment
// on chain, or nil.
func (m *ChannelMonitor) htlcOutput(op btcwire.OutPoint) *commit.Output {
	cm := m.chain.theirs
	if cm == nil || op.Hash != cm.TxID() || int(op.Index) >= len(cm.Outputs) {
		return nil
	}
	if o := &cm.Outputs[op.Index]; o.Kind.IsHTLC() {
		return o
	}
	return nil
}

// anyHTLCOutput returns the HTLC output op of the commitment on chain,
// ours or the counterparty's, or nil.
func (m *ChannelMonitor) anyHTLCOutput(op btcwire.OutPoint) *commit.Output {
	if o := m.htlcOutput(op); o != nil {
		return o
	}
	return m.holderHTLCOutput(op)
}

// htlcAt returns the HTLC whose output op is: an HTLC output of the
// commitment on chain, ours or the counterparty's, or of a breach.
func (m *ChannelMonitor) htlcAt(op btcwire.OutPoint) (commit.HTLC, bool) {
	if o := m.anyHTLCOutput(op); o != nil {
		return o.HTLC, true
	}
	if b := m.chain.breach; b != nil {
		for _, o := range b.Outputs {
			if o.OutPoint == op && (o.Kind == RevokedOfferedHTLC || o.Kind == RevokedReceivedHTLC) {
				return o.HTLC, true
			}
		}
	}
	return commit.HTLC{}, false
}

// learnFromWitness learns the payment preimage a spend of the HTLC output
// op reveals (any 32-byte witness item hashing to the payment hash): kept
// with the monitor's preimages and reported as an HTLCResolution. It
// reports whether the witness revealed it. A cheater's HTLC-success
// spending an HTLC output of its revoked commitment reveals it too (BOLT
// 5: the preimage is extracted from it).
func (m *ChannelMonitor) learnFromWitness(op btcwire.OutPoint, w btcwire.TxWitness, height int32) bool {
	h, ok := m.htlcAt(op)
	if !ok {
		return false
	}
	for _, item := range w {
		if len(item) != 32 || sha256.Sum256(item) != [32]byte(h.PaymentHash) {
			continue
		}
		p := lnwire.Preimage(item)
		if _, known := m.preimages[h.PaymentHash]; !known {
			if m.preimages == nil {
				m.preimages = make(map[lnwire.PaymentHash]lnwire.Preimage)
			}
			m.preimages[h.PaymentHash] = p
			m.chain.changed = true
		}
		m.resolveWithPreimage(h, p, height)
		return true
	}
	return false
}

// resolveWithPreimage queues the HTLCResolution of h, claimed with p in a
// spend at height.
func (m *ChannelMonitor) resolveWithPreimage(h commit.HTLC, p lnwire.Preimage, height int32) {
	m.resolutions = append(m.resolutions, HTLCResolution{
		ChannelID: m.ChannelID(), HTLCID: h.ID, Outgoing: h.Offerer == commit.Local,
		PaymentHash: h.PaymentHash, Amount: h.Amount, Preimage: &p, Height: height,
	})
}

// requeueRevealed queues again, after a restart, the resolutions of the
// spends that revealed a preimage (at-least-once delivery: the
// application may not have handed them to its Manager before it stopped).
func (m *ChannelMonitor) requeueRevealed() {
	for _, s := range m.chain.spent {
		if !s.revealed {
			continue
		}
		if h, ok := m.htlcAt(s.op); ok {
			if p, ok := m.preimages[h.PaymentHash]; ok {
				m.resolveWithPreimage(h, p, s.height)
			}
		}
	}
}

// timedOut reports the HTLCs we offered whose timeout is AntiReorgDelay
// deep at height: our claim from the counterparty's commitment, or our
// HTLC-timeout transaction from ours (once per monitor run: again after a
// restart).
func (m *ChannelMonitor) timedOut(height int32) {
	var cm *commit.Commitment
	offered := commit.ReceivedHTLCOutput // what an HTLC we offered is in cm
	switch {
	case m.chain.breach != nil:
		m.breachTimedOut(height)
		return
	case m.chain.theirs != nil:
		cm = m.chain.theirs
	case m.chain.ours != nil:
		cm, offered = m.chain.ours.cm, commit.OfferedHTLCOutput
	default:
		return
	}
	for i := range cm.Outputs {
		o := &cm.Outputs[i]
		op := btcwire.OutPoint{Hash: cm.TxID(), Index: uint32(i)}
		s := m.spentBy(op)
		if o.Kind != offered || s == nil || height < s.height+AntiReorgDelay-1 || m.reported[op] {
			continue
		}
		if s.revealed {
			continue // the counterparty's claim with the preimage
		}
		// Our timeout, or (our commitment, revoked: a restored backup)
		// the counterparty's justice: the payment failed either way.
		m.reportTimeout(op, o.HTLC, s.height)
	}
}

// breachTimedOut reports the HTLCs we offered in a breach whose output
// our justice transaction took, AntiReorgDelay deep at height: their
// payments fail (the cheater could only have taken them with the
// preimage, which its witness would have revealed).
func (m *ChannelMonitor) breachTimedOut(height int32) {
	for _, o := range m.chain.breach.Outputs {
		s := m.spentBy(o.OutPoint)
		if o.Kind != RevokedReceivedHTLC || s == nil || s.revealed || height < s.height+AntiReorgDelay-1 || m.reported[o.OutPoint] {
			continue
		}
		m.reportTimeout(o.OutPoint, o.HTLC, s.height)
	}
}

// reportTimeout queues the resolution of h, an HTLC we offered whose
// output op was taken back at height, once per monitor run.
func (m *ChannelMonitor) reportTimeout(op btcwire.OutPoint, h commit.HTLC, height int32) {
	if m.reported == nil {
		m.reported = make(map[btcwire.OutPoint]bool)
	}
	m.reported[op] = true
	m.resolutions = append(m.resolutions, HTLCResolution{
		ChannelID: m.ChannelID(), HTLCID: h.ID, Outgoing: true, PaymentHash: h.PaymentHash, Amount: h.Amount, Height: height,
	})
}

// lostHTLCs reports, once the commitment on chain is AntiReorgDelay deep,
// the HTLCs we offered that it has no output for (trimmed as dust, or in
// other commitments only): no one can claim them on chain, so their
// payments fail (BOLT 5: such HTLCs are failed once the commitment is
// deep enough). A counterparty's revoked commitment (a breach) has
// outputs for those it holds (breachTimedOut ends them); our own revoked
// one gives every output to the counterparty: all fail. Once per monitor
// run, as timedOut.
func (m *ChannelMonitor) lostHTLCs(height int32) {
	s := m.chain.spend
	onChain := make(map[uint64]bool) // by htlcKeyOf
	// settled: the HTLCs we fulfilled are paid to us (the commitment is
	// not our own revoked one).
	settled := false
	switch {
	case s == nil || height < s.Height+AntiReorgDelay-1:
		return
	case m.chain.breach != nil:
		for _, o := range m.chain.breach.Outputs {
			if o.Kind == RevokedReceivedHTLC {
				onChain[htlcKeyOf(o.HTLC)] = true
			}
		}
		// What we fulfilled is ours: our justice takes it with the rest.
		settled = true
	case s.Kind == RevokedHolderCommitment:
		// Our own revoked commitment (a restored backup): the
		// counterparty takes every output with the revocation key, ours
		// in flight included.
	case m.chain.theirs != nil || m.chain.ours != nil:
		cm := m.chain.theirs
		if cm == nil {
			cm = m.chain.ours.cm
		}
		for _, o := range cm.Outputs {
			if o.Kind.IsHTLC() {
				onChain[htlcKeyOf(o.HTLC)] = true
			}
		}
		settled = true
	default:
		return
	}
	states := m.knownStates()
	for _, st := range states {
		for _, h := range st.HTLCs {
			if h.Offerer == commit.Remote {
				if settled {
					m.settledIncoming(h, onChain, s.Height)
				}
				continue
			}
			if onChain[htlcKeyOf(h)] || m.reportedLost[htlcKeyOf(h)] {
				continue
			}
			if m.reportedLost == nil {
				m.reportedLost = make(map[uint64]bool)
			}
			m.reportedLost[htlcKeyOf(h)] = true
			m.resolutions = append(m.resolutions, HTLCResolution{
				ChannelID: m.ChannelID(), HTLCID: h.ID, Outgoing: true, PaymentHash: h.PaymentHash, Amount: h.Amount, Height: s.Height,
			})
		}
	}
}

// htlcKeyOf names h among both sides' HTLCs (ids are per offerer): its id,
// the top bit set for the counterparty's.
func htlcKeyOf(h commit.HTLC) uint64 {
	if h.Offerer == commit.Remote {
		return h.ID | 1<<63
	}
	return h.ID
}

// settledIncoming reports h, an HTLC the counterparty offered that we
// fulfilled (we hold its preimage), as claimed when the commitment on
// chain (at height) has no output for it: its removal was in that
// commitment, its amount in our balance (a commitment without an HTLC we
// fulfilled is one after the removal: those before its addition were
// revoked before we fulfilled it), or a breach, whose justice takes
// everything. Once per monitor run; the channel Manager raises
// PaymentClaimed once.
func (m *ChannelMonitor) settledIncoming(h commit.HTLC, onChain map[uint64]bool, height int32) {
	p, ok := m.preimages[h.PaymentHash]
	key := htlcKeyOf(h)
	if !ok || onChain[key] || m.reportedLost[key] {
		return
	}
	if m.reportedLost == nil {
		m.reportedLost = make(map[uint64]bool)
	}
	m.reportedLost[key] = true
	m.resolveWithPreimage(h, p, height)
}

// ReleaseHTLCResolutions returns the HTLC resolutions since the last call
// and forgets them.
func (m *ChannelMonitor) ReleaseHTLCResolutions() []HTLCResolution {
	r := m.resolutions
	m.resolutions = nil
	return r
}

// theirHTLCClaims returns the claims to broadcast at height for the HTLC
// outputs of the counterparty's commitment on chain (BOLT 5 "Remote
// Commitment"): an HTLC it offered, with the preimage once we hold it
// (before its cltv_expiry, when the counterparty can time it out); an
// HTLC we offered, once timed out (from cltv_expiry; the counterparty can
// still claim it with the preimage: no delay). The preimage claims of
// HTLCs whose expiry is SharedClaimBuffer blocks away or more, known when
// the first shared transaction is handed out, share one transaction
// (keyed sharedKey); every other claim races the counterparty alone, in a
// transaction of its own. Each has its own fee rate state.
func (m *ChannelMonitor) theirHTLCClaims(height int32, estimate lnwire.FeeRate, signer ClaimSigner, dest func() ([]byte, error)) ([]*btcwire.MsgTx, error) {
	cm := m.chain.theirs
	if cm == nil {
		return nil, nil
	}
	shared := claimPackage{state: m.claimState(sharedKey(cm.TxID()))}
	var alone []claimPackage
	for i := range cm.Outputs {
		o := &cm.Outputs[i]
		op := btcwire.OutPoint{Hash: cm.TxID(), Index: uint32(i)}
		if !o.Kind.IsHTLC() || m.spentBy(op) != nil {
			continue
		}
		in := claimInput{op: op, value: o.Amount, script: o.WitnessScript, sequence: claimSequence,
			sign: func(d lnwire.Digest) (lnwire.Signature, error) { return signer.SignHTLC(cm.Keys.PerCommitmentPoint, d) }}
		if m.ch.Type().HasAnchors() {
			in.sequence = 1
		}
		p := claimPackage{ins: []claimInput{in}, deadline: int32(o.HTLC.CLTVExpiry)}
		switch o.Kind {
		case commit.OfferedHTLCOutput:
			pre, ok := m.preimages[o.HTLC.PaymentHash]
			if !ok {
				continue
			}
			p.deadline--
			p.ins[0].witness = func(sig lnwire.Signature) (btcwire.TxWitness, error) {
				return commit.OfferedHTLCPreimageWitness(sig, pre, o.WitnessScript)
			}
			solo := m.claimState(op)
			if slices.Contains(shared.state.took, op) || solo.height == 0 && shared.state.height == 0 && p.deadline-height >= SharedClaimBuffer {
				shared.ins = append(shared.ins, p.ins[0])
				if len(shared.ins) == 1 || p.deadline < shared.deadline {
					shared.deadline = p.deadline
				}
				continue
			}
			p.state = solo
		case commit.ReceivedHTLCOutput:
			if int32(o.HTLC.CLTVExpiry) > height {
				continue
			}
			p.locktime = o.HTLC.CLTVExpiry
			p.ins[0].witness = func(sig lnwire.Signature) (btcwire.TxWitness, error) {
				return commit.ReceivedHTLCTimeoutWitness(sig, o.WitnessScript)
			}
			p.state = m.claimState(op)
		}
		alone = append(alone, p)
	}
	if len(shared.ins) > 0 {
		alone = append([]claimPackage{shared}, alone...)
	}
	var txs []*btcwire.MsgTx
	for _, p := range alone {
		tx, err := m.packageTx(p, height, estimate, dest)
		if err != nil {
			return txs, err
		}
		if tx != nil {
			txs = append(txs, tx)
		}
	}
	return txs, nil
}

// sharedKey names the shared claim package of the commitment txid among
// the claims' states: its txid with no output index.
func sharedKey(txid chainhash.Hash) btcwire.OutPoint {
	return btcwire.OutPoint{Hash: txid, Index: btcwire.MaxPrevOutIndex}
}

// hasClaims reports whether the monitor may have claims to make: a breach
// with outputs left, or an HTLC output of the counterparty's commitment
// not spent yet.
func (m *ChannelMonitor) hasClaims() bool {
	if m.chain.breach != nil {
		if outs, _ := m.unclaimed(); len(outs) > 0 {
			return true
		}
	}
	if cm := m.chain.theirs; cm != nil {
		for i := range cm.Outputs {
			if cm.Outputs[i].Kind.IsHTLC() && m.spentBy(btcwire.OutPoint{Hash: cm.TxID(), Index: uint32(i)}) == nil {
				return true
			}
		}
	}
	return m.holderHasClaims()
}
