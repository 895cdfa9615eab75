package monitor

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// HolderClaim is what a force close broadcasts and, with anchors, how its
// fee is bumped: the fields of an events.BumpTransaction (and so of
// chain/wallet's BumpRequest).
type HolderClaim struct {
	// Tx is our latest commitment, signed by both sides, ready to
	// broadcast.
	Tx *btcwire.MsgTx
	// Txid is Tx's txid (the BumpTransaction's ClaimID).
	Txid chainhash.Hash
	// CommitmentNumber is its commitment number.
	CommitmentNumber uint64
	// FeeRate is its feerate_per_kw (fixed when both sides signed it).
	FeeRate lnwire.FeeRate
	// Fee is the fee Tx pays on its own: the capacity minus its outputs.
	Fee lnwire.Satoshi
	// Anchor is our anchor output of Tx (kind spendable.Anchor, signed
	// with our funding key), for a CPFP child. Nil for a channel without
	// anchors, and for an anchors commitment without our anchor (BOLT 3
	// drops it when our balance is trimmed and no HTLC is pending: then
	// only the counterparty, or anyone after 16 blocks, can bump it).
	Anchor *spendable.Output
}

// HolderCommitmentClaim returns our latest commitment signed for broadcast
// (as LatestHolderCommitmentTx, refused with ErrBehind the same way), its
// txid and own fee, and our anchor output for a fee bump.
func (m *ChannelMonitor) HolderCommitmentClaim(signer commit.Signer) (*HolderClaim, error) {
	tx, err := m.LatestHolderCommitmentTx(signer)
	if err != nil {
		return nil, err
	}
	cm := m.holder.cm
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value
	}
	capacity := int64(m.ch.Params().Capacity)
	if out > capacity {
		return nil, fmt.Errorf("monitor: holder commitment pays %d, more than the capacity %d", out, capacity)
	}
	c := &HolderClaim{
		Tx: tx, Txid: tx.TxHash(), CommitmentNumber: cm.Number, FeeRate: cm.FeeRate,
		Fee: lnwire.Satoshi(capacity - out),
	}
	if i := cm.OutputIndex(commit.LocalAnchorOutput); i >= 0 {
		c.Anchor = &spendable.Output{
			Kind: spendable.Anchor, OutPoint: btcwire.OutPoint{Hash: c.Txid, Index: uint32(i)},
			Value: lnwire.Satoshi(tx.TxOut[i].Value), PkScript: tx.TxOut[i].PkScript, ChannelKeyID: m.keyID,
		}
	}
	return c, nil
}

// HolderCommitmentClaim returns the channel's force-close claim (see
// ChannelMonitor.HolderCommitmentClaim).
func (c *ChainMonitor) HolderCommitmentClaim(id lnwire.ChannelID, signer commit.Signer) (*HolderClaim, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w, ok := c.channels[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownChannel, id)
	}
	return w.m.HolderCommitmentClaim(signer)
}
