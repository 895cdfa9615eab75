package monitor

import (
	"context"
	"log/slog"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/internal/configerr"
	lnwire "github.com/lnkit/lnkit/wire"
)

// SweepConfig lets a ChainMonitor take contested outputs itself: the
// outputs of a revoked counterparty commitment (justice transactions) and
// the HTLC outputs of the counterparty's commitment (with the preimage, or
// once timed out), broadcast at every block, fee-bumped as their deadline
// nears, until they are spent. Without it the monitors still recognise a
// breach (ChannelMonitor.Breach) and the application must act.
type SweepConfig struct {
	// Broadcaster broadcasts the claims. Required.
	Broadcaster chain.Broadcaster
	// Fees gives the TargetUrgentSweep rate claims start from. Required.
	Fees chain.FeeEstimator
	// Signers returns the claim signer of a channel key id (for a
	// keys.Manager: its ChannelKeys). Required.
	Signers func(channelKeyID [32]byte) (ClaimSigner, error)
	// Destination returns the script claims pay to (a wallet address);
	// called once per breach. Required.
	Destination func() ([]byte, error)
	// Funder pays the fee of our anchors HTLC transactions with wallet
	// inputs (chain/wallet's Wallet). Default: none (those transactions
	// are then not made: set it for anchor channels).
	Funder HTLCTxFunder
	// Context bounds the estimator, funder and broadcaster calls.
	// Default: context.Background().
	Context context.Context
	// Logger receives what the sweeping does. Default: discarded.
	Logger *slog.Logger
}

// validate checks the required fields and fills the defaults.
func (s *SweepConfig) validate() error {
	switch {
	case s.Broadcaster == nil:
		return configerr.New("monitor", "Sweep.Broadcaster", "required")
	case s.Fees == nil:
		return configerr.New("monitor", "Sweep.Fees", "required")
	case s.Signers == nil:
		return configerr.New("monitor", "Sweep.Signers", "required")
	case s.Destination == nil:
		return configerr.New("monitor", "Sweep.Destination", "required")
	}
	if s.Context == nil {
		s.Context = context.Background()
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// claimsPending reports whether a monitor has claims to make (under c.mu).
func (c *ChainMonitor) claimsPending() bool {
	if c.sweeper == nil {
		return false
	}
	for _, w := range c.channels {
		if w.m.hasClaims() {
			return true
		}
	}
	return false
}

// sweep builds the claims of every monitor at its best height and
// broadcasts them. The estimator and the broadcaster are called outside
// c.mu. A monitor whose claims cannot be built now (estimator or signer
// failure) is retried at the next block; the error is logged.
func (c *ChainMonitor) sweep() {
	s := c.sweeper
	rate, err := s.Fees.FeeRate(s.Context, chain.TargetUrgentSweep)
	if err != nil {
		s.Logger.Warn("monitor: no fee rate for the claims", "err", err)
		return
	}
	c.mu.Lock()
	txs := c.claims(rate)
	var abandoned []chainhash.Hash
	for _, w := range c.sorted() {
		abandoned = append(abandoned, w.m.abandoned...)
		w.m.abandoned = nil
	}
	c.mu.Unlock()
	for _, txid := range abandoned {
		if s.Funder == nil {
			break
		}
		if err := s.Funder.AbandonTransaction(s.Context, txid); err != nil {
			s.Logger.Warn("monitor: abandon an htlc transaction the chain took away", "txid", txid, "err", err)
		}
	}
	c.broadcastClaims(txs)
}

// claims builds the claims of every monitor at rate (under c.mu).
func (c *ChainMonitor) claims(rate lnwire.FeeRate) []*btcwire.MsgTx {
	s := c.sweeper
	var txs []*btcwire.MsgTx
	for _, w := range c.sorted() {
		m := w.m
		if !m.hasClaims() {
			continue
		}
		signer, err := s.Signers(m.keyID)
		if err != nil {
			s.Logger.Error("monitor: no signer for the claims", "channel_id", m.ChannelID(), "err", err)
			continue
		}
		justice, err := m.justiceTxs(m.chain.best, rate, signer, s.Destination)
		if err != nil {
			s.Logger.Error("monitor: justice transaction", "channel_id", m.ChannelID(), "breach", m.chain.breach, "err", err)
		}
		for _, tx := range justice {
			s.Logger.Info("monitor: justice transaction", "channel_id", m.ChannelID(), "breach", m.chain.breach,
				"txid", tx.TxHash(), "inputs", len(tx.TxIn), "value", tx.TxOut[0].Value)
		}
		txs = append(txs, justice...)
		htlcs, err := m.theirHTLCClaims(m.chain.best, rate, signer, s.Destination)
		if err != nil {
			s.Logger.Error("monitor: htlc claims", "channel_id", m.ChannelID(), "err", err)
		}
		for _, tx := range htlcs {
			s.Logger.Info("monitor: htlc claim", "channel_id", m.ChannelID(), "txid", tx.TxHash(), "outpoint", tx.TxIn[0].PreviousOutPoint)
		}
		txs = append(txs, htlcs...)
		ours, err := m.holderHTLCTxs(s.Context, m.chain.best, rate, signer, s.Funder)
		if err != nil {
			s.Logger.Error("monitor: our htlc transactions", "channel_id", m.ChannelID(), "err", err)
		}
		txs = append(txs, ours...)
		c.persistChain(w)
	}
	return txs
}

// registerWatched tells the chain filter the outputs the monitor follows
// (a breach's, the HTLC outputs of the commitment on chain), so that a
// chain.Confirm source reports their spends.
func (c *ChainMonitor) registerWatched(m *ChannelMonitor) {
	if c.filter == nil {
		return
	}
	for _, o := range m.watchedOutputs() {
		if m.spentBy(o.OutPoint) == nil {
			c.filter.RegisterOutput(o)
		}
	}
}

// ReleaseHTLCResolutions returns the monitors' HTLC resolutions since the
// last call, in channel id order, for the channel Manager.
func (c *ChainMonitor) ReleaseHTLCResolutions() []HTLCResolution {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []HTLCResolution
	for _, w := range c.sorted() {
		out = append(out, w.m.ReleaseHTLCResolutions()...)
	}
	return out
}

// broadcastClaims hands txs to the broadcaster (outside c.mu), one per
// call: a Broadcaster may stop at the first transaction refused, and one
// claim refused (a conflict in the mempool) must not hold back the others.
// A failure is logged: the claims are built and broadcast again at the
// next block.
func (c *ChainMonitor) broadcastClaims(txs []*btcwire.MsgTx) {
	for _, tx := range txs {
		if err := c.sweeper.Broadcaster.BroadcastTransactions(c.sweeper.Context, tx); err != nil {
			c.sweeper.Logger.Warn("monitor: broadcast claim", "txid", tx.TxHash(), "err", err)
		}
	}
}
