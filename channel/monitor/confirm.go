package monitor

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
)

// The ChannelMonitor is also a chain.Confirm consumer, for chain sources
// driven through a chain.Filter (register WatchedOutput): the same
// recognition and maturity as through chain.Listen.

// TransactionsConfirmed implements chain.Confirm.
func (m *ChannelMonitor) TransactionsConfirmed(header *btcwire.BlockHeader, txdata []chain.TxData, height int32) {
	op := m.FundingOutPoint()
	for _, td := range txdata {
		if m.chain.spend == nil && td.Tx != nil && spendsOutpoint(td.Tx, op) {
			m.recognise(td.Tx, height)
			m.chain.spend.BlockHash = header.BlockHash()
		}
		if td.Tx != nil {
			m.watchBreach(td.Tx, height)
		}
	}
	if m.chain.best < height {
		m.chain.best = height
	}
	m.matured(m.chain.best)
}

// TransactionUnconfirmed implements chain.Confirm: the funding spend's
// block left the chain.
func (m *ChannelMonitor) TransactionUnconfirmed(txid chainhash.Hash) {
	if s := m.chain.spend; s != nil && s.Tx.TxHash() == txid {
		m.undoSpend()
	}
	m.undoSpends(func(s outputSpend) bool { return s.txid != txid })
}

// BestBlockUpdated implements chain.Confirm.
func (m *ChannelMonitor) BestBlockUpdated(_ *btcwire.BlockHeader, height int32) {
	m.chain.best = height
	if s := m.chain.spend; s != nil && s.Height > height {
		m.undoSpend()
	}
	m.undoSpends(func(s outputSpend) bool { return s.height <= height })
	m.matured(height)
}

// RelevantTransactions implements chain.Confirm: the funding spend, if
// any, and the confirmed spends of the outputs the monitor watches (so
// that their reorganisation is reported).
func (m *ChannelMonitor) RelevantTransactions() []chain.RelevantTx {
	s := m.chain.spend
	if s == nil {
		return nil
	}
	rt := chain.RelevantTx{TxID: s.Tx.TxHash(), Height: s.Height}
	if s.BlockHash != (chainhash.Hash{}) {
		h := s.BlockHash
		rt.BlockHash = &h
	}
	out := []chain.RelevantTx{rt}
	seen := map[chainhash.Hash]bool{rt.TxID: true}
	for _, sp := range m.chain.spent {
		if !seen[sp.txid] {
			seen[sp.txid] = true
			out = append(out, chain.RelevantTx{TxID: sp.txid, Height: sp.height})
		}
	}
	return out
}

var _ chain.Confirm = (*ChannelMonitor)(nil)
