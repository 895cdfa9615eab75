package monitor

import (
	"bytes"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	lnwire "github.com/lnkit/lnkit/wire"
)

// AntiReorgDelay is how many confirmations a transaction needs before the
// monitor acts on it for good (BOLT 5: "sufficiently deep"): claims are
// emitted as SpendableOutputs once their transaction is this deep.
const AntiReorgDelay = 6

// SpendKind is what spent the funding output. Its values are persisted.
type SpendKind uint8

// The kinds of funding spend.
const (
	// CooperativeClose is a transaction that is not a commitment (no
	// obscured commitment number in its locktime and sequence): a mutual
	// close. Our funds go to our shutdown script, in the wallet.
	CooperativeClose SpendKind = 1
	// HolderCommitment is one of our commitments: to_local is ours after
	// the CSV delay.
	HolderCommitment SpendKind = 2
	// CounterpartyCommitment is a current (unrevoked) commitment of the
	// counterparty, or one newer than we know (we are behind): to_remote
	// is ours at once.
	CounterpartyCommitment SpendKind = 3
	// RevokedCounterpartyCommitment is a counterparty commitment whose
	// secret we hold: a breach. The monitor claims its to_remote as a
	// SpendableOutput and describes the rest, taken with the revocation
	// key, as a Breach (ChannelMonitor.Breach).
	RevokedCounterpartyCommitment SpendKind = 4
	// UnknownSpend is a commitment-shaped spend the monitor cannot place.
	UnknownSpend SpendKind = 5
	// RevokedHolderCommitment is one of our own older, revoked
	// commitments (its to_remote pays the counterparty's static payment
	// key): broadcast by a node restored from an old backup, say. The
	// counterparty may take everything of ours in it with the revocation
	// key: nothing is claimed.
	RevokedHolderCommitment SpendKind = 6
)

// FundingSpend is what the monitor recognised spending the funding output.
type FundingSpend struct {
	// Tx is the spending transaction; Height the block it confirmed in.
	Tx     *btcwire.MsgTx
	Height int32
	// Kind is what it is.
	Kind SpendKind
	// CommitmentNumber is its commitment number (commitments only).
	CommitmentNumber uint64
	// BlockHash is the block it confirmed in.
	BlockHash chainhash.Hash
}

// claim is one output of the funding spend that we can sweep alone.
type claim struct {
	out spendable.Output
	// emitAt is the height at which it is emitted: AntiReorgDelay deep
	// and spendable in the next block.
	emitAt  int32
	emitted bool
}

// chainState is what the monitor learned from the chain.
type chainState struct {
	best   int32
	spend  *FundingSpend
	claims []claim
	// breach is what we take from a revoked counterparty commitment
	// (RevokedCounterpartyCommitment), or nil; secondStage are the
	// cheater's transactions spending its HTLC outputs seen since, in
	// the order seen.
	breach      *Breach
	secondStage []*btcwire.MsgTx
	// theirs is the counterparty's (unrevoked) commitment on chain, as we
	// built it, or nil; ours is our commitment on chain, or nil.
	theirs *commit.Commitment
	ours   *holderCommitment
	// script, spent and claimStates are what the monitor remembers of
	// its claims (onchain_state.go).
	script      []byte
	spent       []outputSpend
	claimStates []claimState
	// closedEmitted says the ChannelClosed event was emitted.
	closedEmitted bool
	// changed says the persisted part of the chain state changed since
	// takeChainChanged was last called.
	changed bool
}

// takeChainChanged reports (and clears) whether what the monitor persists
// of the chain changed: the ChainMonitor then writes the whole monitor.
func (m *ChannelMonitor) takeChainChanged() bool {
	c := m.chain.changed
	m.chain.changed = false
	return c
}

// Spend returns the recognised funding spend, or nil.
func (m *ChannelMonitor) Spend() *FundingSpend { return m.chain.spend }

// WatchedOutput returns the funding output, for a chain.Filter.
func (m *ChannelMonitor) WatchedOutput() chain.WatchedOutput {
	return chain.WatchedOutput{OutPoint: m.FundingOutPoint(), PkScript: m.ch.FundingPkScript()}
}

// BlockConnected implements chain.Listen.
func (m *ChannelMonitor) BlockConnected(block *btcwire.MsgBlock, height int32) {
	m.chain.best = height
	if m.chain.spend == nil {
		op := m.FundingOutPoint()
		for _, tx := range block.Transactions {
			if spendsOutpoint(tx, op) {
				m.recognise(tx, height)
				m.chain.spend.BlockHash = block.Header.BlockHash()
				break
			}
		}
	}
	for _, tx := range block.Transactions {
		m.watchBreach(tx, height)
	}
	m.matured(height)
}

// BlockDisconnected implements chain.Listen: a disconnected block that
// held the funding spend undoes its recognition (claims not yet emitted are
// dropped; they come back when the spend confirms again).
func (m *ChannelMonitor) BlockDisconnected(_ *btcwire.BlockHeader, height int32) {
	m.chain.best = height - 1
	if s := m.chain.spend; s != nil && s.Height >= height {
		m.undoSpend()
	}
	m.undoSpends(func(s outputSpend) bool { return s.height < height })
}

// undoSpend forgets the funding spend and its claims not yet emitted. It
// keeps behind: a confirmed counterparty commitment newer than ours carried
// our own signature, so it proves we lost state even once reorged out, and
// broadcasting our commitment then could publish a revoked state.
func (m *ChannelMonitor) undoSpend() {
	for _, tx := range m.funded {
		m.abandoned = append(m.abandoned, tx.TxHash())
	}
	slices.SortFunc(m.abandoned, func(x, y chainhash.Hash) int { return bytes.Compare(x[:], y[:]) })
	m.funded = nil
	m.chain.spend, m.chain.claims = nil, nil
	m.chain.breach, m.chain.secondStage = nil, nil
	m.chain.theirs, m.chain.ours, m.chain.spent, m.chain.claimStates = nil, nil, nil, nil
	m.spendReports = nil // only the undone spend could be queued
	m.chain.closedEmitted = false
	m.chain.changed = true
}

// watchBreach records tx, confirmed at height, when it spends outputs of
// the breach: the cheater's transactions spending its HTLC outputs (their
// second-stage outputs are revoked too), and every spend (ours or
// theirs), so that what is left to claim is known.
func (m *ChannelMonitor) watchBreach(tx *btcwire.MsgTx, height int32) {
	if b := m.chain.breach; b != nil && b.AddSecondStage(tx) > 0 {
		m.chain.secondStage = append(m.chain.secondStage, tx)
		m.chain.changed = true
	}
	m.recordSpends(tx, height)
}

// Breach returns the revoked counterparty commitment found on chain and
// its revoked outputs, or nil.
func (m *ChannelMonitor) Breach() *Breach { return m.chain.breach }

func spendsOutpoint(tx *btcwire.MsgTx, op btcwire.OutPoint) bool {
	for _, in := range tx.TxIn {
		if in.PreviousOutPoint == op {
			return true
		}
	}
	return false
}

// recognise classifies a confirmed spend of the funding output, records
// its claims and queues its report for ReleaseFundingSpends.
func (m *ChannelMonitor) recognise(tx *btcwire.MsgTx, height int32) {
	m.classify(tx, height)
	m.spendReports = append(m.spendReports, m.spendInfo(m.chain.spend))
}

// classify classifies a confirmed spend of the funding output and records
// its claims (BOLT 5: "Unilateral close handling", "Mutual close
// handling").
func (m *ChannelMonitor) classify(tx *btcwire.MsgTx, height int32) {
	s := &FundingSpend{Tx: tx, Height: height}
	m.chain.spend, m.chain.claims = s, nil
	m.chain.breach, m.chain.secondStage = nil, nil
	m.chain.theirs, m.chain.ours, m.chain.spent, m.chain.claimStates = nil, nil, nil, nil
	m.chain.changed = true
	n, ok := uint64(0), false
	if len(tx.TxIn) == 1 {
		n, ok = m.ch.CommitmentNumber(tx.LockTime, tx.TxIn[0].Sequence)
	}
	if !ok {
		s.Kind = CooperativeClose
		return
	}
	s.CommitmentNumber = n
	txid := tx.TxHash()
	for _, h := range []*holderCommitment{m.holder, m.prevHolder} {
		if h != nil && h.cm.TxID() == txid {
			s.Kind = HolderCommitment
			m.chain.ours = h
			m.claimToLocal(h, tx, height)
			return
		}
	}
	s.Kind = UnknownSpend
	switch {
	case n < m.holder.step.State.Number && m.paysCounterpartyPayment(tx):
		// Our commitments and the counterparty's share their numbers:
		// the to_remote output tells ours (paying the counterparty)
		// from theirs.
		s.Kind = RevokedHolderCommitment
		return
	case m.revoked(n):
		s.Kind = RevokedCounterpartyCommitment
		// A secret we hold revokes n: Lookup cannot fail for it.
		m.chain.breach, _ = m.breachOf(tx, n, height)
	case m.knownCounterparty(n, txid):
		s.Kind = CounterpartyCommitment
		m.chain.theirs = m.counterpartyByTxid(txid)
	case len(m.counterparty) == 0 || n > m.counterparty[len(m.counterparty)-1].st.Number:
		// Newer than any commitment we signed: we lost state.
		s.Kind = CounterpartyCommitment
		m.behind = true
	}
	if m.claimToRemote(tx, height) && s.Kind == UnknownSpend {
		// Not built from a state we hold, but it pays our static
		// payment key: a counterparty commitment by its outputs.
		s.Kind = CounterpartyCommitment
	}
}

// paysCounterpartyPayment reports whether tx has an output paying the
// counterparty's static payment key as a to_remote does: only our
// commitments have one.
func (m *ChannelMonitor) paysCounterpartyPayment(tx *btcwire.MsgTx) bool {
	pay := m.ch.Params().Remote.Payment
	script := commit.P2WPKH(pay)
	if m.ch.Type() != commit.StaticRemoteKey {
		script = commit.P2WSH(commit.ToRemoteAnchorScript(pay))
	}
	for _, out := range tx.TxOut {
		if bytes.Equal(out.PkScript, script) {
			return true
		}
	}
	return false
}

// counterpartyByTxid returns the unrevoked counterparty commitment with
// txid, or nil.
func (m *ChannelMonitor) counterpartyByTxid(txid [32]byte) *commit.Commitment {
	for _, c := range m.counterparty {
		if c.cm.TxID() == txid {
			return c.cm
		}
	}
	return nil
}

func (m *ChannelMonitor) knownCounterparty(n uint64, txid [32]byte) bool {
	for _, c := range m.counterparty {
		if c.st.Number == n && c.cm.TxID() == txid {
			return true
		}
	}
	return false
}

// claimToLocal records our commitment's to_local: ours after the CSV delay.
func (m *ChannelMonitor) claimToLocal(h *holderCommitment, tx *btcwire.MsgTx, height int32) {
	i := h.cm.OutputIndex(commit.ToLocalOutput)
	if i < 0 {
		return
	}
	csv := m.ch.Params().Local.CSVDelay
	m.addClaim(spendable.Output{
		Kind: spendable.ToLocalDelayed, OutPoint: btcwire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)},
		Value: lnwire.Satoshi(tx.TxOut[i].Value), PkScript: tx.TxOut[i].PkScript,
		ChannelKeyID: m.keyID, PerCommitmentPoint: h.cm.Keys.PerCommitmentPoint,
		RevocationPubKey: h.cm.Keys.Revocation, ToSelfDelay: csv,
	}, height, csv)
}

// claimToRemote records the counterparty commitment's output paying our
// static payment key, found by its script; it reports whether there is one.
func (m *ChannelMonitor) claimToRemote(tx *btcwire.MsgTx, height int32) bool {
	pay := m.ch.Params().Local.Payment
	kind, script, csv := spendable.StaticRemote, commit.P2WPKH(pay), uint16(0)
	if m.ch.Type() != commit.StaticRemoteKey {
		kind, script, csv = spendable.AnchorToRemote, commit.P2WSH(commit.ToRemoteAnchorScript(pay)), 1
	}
	for i, out := range tx.TxOut {
		if bytes.Equal(out.PkScript, script) {
			m.addClaim(spendable.Output{
				Kind: kind, OutPoint: btcwire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)},
				Value: lnwire.Satoshi(out.Value), PkScript: out.PkScript, ChannelKeyID: m.keyID,
			}, height, csv)
			return true
		}
	}
	return false
}

// addClaim records out, confirmed at height with a relative delay of csv
// blocks: it is emitted once AntiReorgDelay deep and spendable in the next
// block (height+csv-1 is the last block before it may be spent).
func (m *ChannelMonitor) addClaim(out spendable.Output, height int32, csv uint16) {
	at := height + AntiReorgDelay - 1
	if c := height + int32(csv) - 1; c > at {
		at = c
	}
	m.chain.claims = append(m.chain.claims, claim{out: out, emitAt: at})
}

// matured emits the claims and the closing event due at height.
func (m *ChannelMonitor) matured(height int32) {
	s := m.chain.spend
	if s == nil {
		return
	}
	var outs []spendable.Output
	for i := range m.chain.claims {
		c := &m.chain.claims[i]
		if !c.emitted && height >= c.emitAt {
			c.emitted = true
			if m.spentBy(c.out.OutPoint) != nil {
				continue // taken before it matured (a revoked to_local of ours)
			}
			outs = append(outs, c.out)
		}
	}
	if len(outs) > 0 {
		m.events = append(m.events, &events.SpendableOutputs{Outputs: outs, ChannelID: m.ChannelID()})
	}
	m.timedOut(height)
	m.lostHTLCs(height)
	m.maturedSecondStage(height)
	if !m.chain.closedEmitted && height >= s.Height+AntiReorgDelay-1 && counterpartyKind(s.Kind) {
		m.chain.closedEmitted = true
		p := m.ch.Params()
		m.events = append(m.events, &events.ChannelClosed{
			ChannelID: m.ChannelID(), Reason: events.Reason(events.ClosedCounterpartyForceClosed),
			ChannelCapacity: p.Capacity, FundingOutPoint: p.FundingOutpoint,
		})
	}
}

func counterpartyKind(k SpendKind) bool {
	return k == CounterpartyCommitment || k == RevokedCounterpartyCommitment
}
