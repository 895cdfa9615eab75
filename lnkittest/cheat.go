package lnkittest

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/wire"
)

// HolderCommitment is one of a node's own commitments of a channel, signed
// by both sides, as the node's monitor held it when it became current: the
// cheater's tool. A node whose Node.RecordHolderCommitments is set keeps
// every one of them (Node.HolderCommitments), so that a test can have it
// broadcast one once it is revoked, as a thief, or a node restored from an
// old backup, would: the counterparty's monitor must then take everything
// with its justice transactions (BOLT 5 "Revoked Transaction Close
// Handling").
type HolderCommitment struct {
	// ChannelID is the channel.
	ChannelID wire.ChannelID
	// Number is the commitment number.
	Number uint64
	// Tx is the commitment transaction with its funding witness, ready to
	// broadcast.
	Tx *btcwire.MsgTx
	// Outputs describe Tx.TxOut, index for index (nil for the first
	// commitment, which the monitor was created with: it has no HTLC).
	Outputs []commit.Output

	cm *commit.Commitment
	// anchors are the pkScripts of the channel's anchor outputs (none
	// without anchors).
	anchors [][]byte
	// own and theirs are the node's and the counterparty's signatures of
	// the HTLC transactions, in cm.HTLCOutputs order.
	own, theirs []wire.Signature
}

// ErrNoHTLC is matched by the error of HolderCommitment.HTLCTx when the
// commitment has no HTLC output paying the hash.
var ErrNoHTLC = errors.New("lnkittest: no htlc output with that payment hash")

// HTLCTx returns the node's second-stage transaction of the commitment's
// HTLC output paying hash, signed by both sides: HTLC-success for an HTLC
// the node received (preimage required), HTLC-timeout for one it offered
// (valid from its cltv_expiry; preimage ignored). With anchors it pays no
// fee, spends the commitment's output after one block (CSV 1), and a
// miner must take it as it is (simchain.Chain.MineTx).
func (h *HolderCommitment) HTLCTx(hash wire.PaymentHash, preimage *wire.Preimage) (*btcwire.MsgTx, error) {
	if h.cm == nil {
		return nil, ErrNoHTLC
	}
	for j, i := range h.cm.HTLCOutputs {
		if h.cm.Outputs[i].HTLC.PaymentHash == hash {
			return h.cm.SignedHTLCTx(i, h.own[j], h.theirs[j], preimage)
		}
	}
	return nil, ErrNoHTLC
}

// Anchor reports whether Tx.TxOut[i] is an anchor output (either side's):
// 330 satoshis anyone may take after 16 blocks, that no justice
// transaction claims.
func (h *HolderCommitment) Anchor(i int) bool {
	for _, a := range h.anchors {
		if i >= 0 && i < len(h.Tx.TxOut) && bytes.Equal(h.Tx.TxOut[i].PkScript, a) {
			return true
		}
	}
	return false
}

// HolderCommitments returns node's commitments of channel id that it
// recorded while Node.RecordHolderCommitments was set, oldest first: the
// last one is its current commitment, the others are revoked. They are the
// test's memory (kept across a Crash).
func (n *Node) HolderCommitments(id wire.ChannelID) []*HolderCommitment {
	var out []*HolderCommitment
	for _, h := range n.holderCommitments {
		if h.ChannelID == id {
			out = append(out, h)
		}
	}
	return out
}

// recordHolder records, when the node records its commitments, the holder
// commitment m holds if it is new: at a channel's creation (u nil: the
// first commitment) or at an update with a NewHolderCommitment step. It is
// called by the node's persister, with m already updated.
func (n *Node) recordHolder(id wire.ChannelID, u *monitor.Update, m *monitor.ChannelMonitor) {
	if !n.RecordHolderCommitments {
		return
	}
	t := n.net.t
	t.Helper()
	var step *monitor.NewHolderCommitment
	if u != nil {
		for _, s := range u.Steps {
			if h, ok := s.(*monitor.NewHolderCommitment); ok {
				step = h
			}
		}
		if step == nil {
			return
		}
	}
	number := m.HolderCommitmentNumber()
	if hs := n.HolderCommitments(id); len(hs) > 0 && hs[len(hs)-1].Number >= number {
		return // an update persisted again
	}
	h, err := n.holderCommitment(id, step, m)
	if err != nil {
		t.Fatalf("lnkittest: node %d: record holder commitment %d of %v: %v", n.Index, number, id, err)
	}
	n.holderCommitments = append(n.holderCommitments, h)
}

// holderCommitment signs m's current holder commitment; with its step,
// also its HTLC transactions.
func (n *Node) holderCommitment(id wire.ChannelID, step *monitor.NewHolderCommitment, m *monitor.ChannelMonitor) (*HolderCommitment, error) {
	signer := n.Keys.ChannelKeys(m.Info().ChannelKeyID)
	tx, err := m.LatestHolderCommitmentTx(signer)
	if err != nil {
		return nil, err
	}
	h := &HolderCommitment{ChannelID: id, Number: m.HolderCommitmentNumber(), Tx: tx}
	if p := m.Channel().Params(); p.Type.HasAnchors() {
		for _, k := range []*btcec.PublicKey{p.Local.Basepoints.Funding, p.Remote.Basepoints.Funding} {
			h.anchors = append(h.anchors, commit.P2WSH(commit.AnchorScript(k)))
		}
	}
	if step == nil {
		return h, nil
	}
	cm, err := m.Channel().Build(commit.Local, step.State)
	if err != nil {
		return nil, err
	}
	if cm.TxID() != tx.TxHash() {
		return nil, fmt.Errorf("step builds %v, the monitor holds %v", cm.TxID(), tx.TxHash())
	}
	sigs, err := cm.SignAsOwner(signer)
	if err != nil {
		return nil, err
	}
	h.Outputs, h.cm, h.own, h.theirs = cm.Outputs, cm, sigs.HTLCs, step.HTLCSigs
	return h, nil
}
