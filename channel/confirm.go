package channel

import (
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
)

// TransactionsConfirmed implements chain.Confirm: the transactions a
// source driven through Config.Filter reports for a block are handled as
// BlockConnected handles a whole block (funding confirmed, funding spent,
// an opener's funding double spent).
func (m *Manager) TransactionsConfirmed(header *btcwire.BlockHeader, txdata []chain.TxData, height int32) {
	m.blockConnected(header.BlockHash(), txdata, height)
}

// BestBlockUpdated implements chain.Confirm: the depths that count from
// the tip (channel_ready, announcement_signatures, the acceptor's funding
// timeout) move on.
func (m *Manager) BestBlockUpdated(header *btcwire.BlockHeader, height int32) {
	m.mu.Lock()
	m.best = chain.BestBlock{Hash: header.BlockHash(), Height: height}
	m.mu.Unlock()
	m.blockConnected(header.BlockHash(), nil, height)
}

// TransactionUnconfirmed implements chain.Confirm: a funding transaction
// whose block left the chain is waited for again.
func (m *Manager) TransactionUnconfirmed(txid chainhash.Hash) {
	m.unconfirm(func(d *chanData) bool { return d.params.FundingOutpoint.Hash == txid }, 0)
	m.flush()
}

// RelevantTransactions implements chain.Confirm: the confirmed funding
// transactions, for the source to check after a reorganisation.
func (m *Manager) RelevantTransactions() []chain.RelevantTx {
	var out []chain.RelevantTx
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range p.entries {
			d := e.data()
			if d == nil || d.fund.confirmedHeight == 0 {
				continue
			}
			hash := chainhash.Hash(d.fund.confirmedHash)
			out = append(out, chain.RelevantTx{
				TxID: d.params.FundingOutpoint.Hash, Height: d.fund.confirmedHeight, BlockHash: &hash,
			})
		}
		p.mu.Unlock()
	}
	return out
}

// registerWatch tells Config.Filter what the channel needs reported: its
// funding transaction, a spend of the funding output, and (for the opener,
// who knows it) a spend of the funding transaction's inputs, which would
// be a double spend.
func (m *Manager) registerWatch(d *chanData) {
	f := m.cfg.Filter
	if f == nil {
		return
	}
	script := d.ch.FundingPkScript()
	f.RegisterTx(d.params.FundingOutpoint.Hash, script)
	f.RegisterOutput(chain.WatchedOutput{OutPoint: d.params.FundingOutpoint, PkScript: script})
	if d.fundingTx != nil {
		for _, in := range d.fundingTx.TxIn {
			f.RegisterOutput(chain.WatchedOutput{OutPoint: in.PreviousOutPoint})
		}
	}
}
