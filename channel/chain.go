package channel

import (
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// FundingTimeoutBlocks is how long the acceptor of a channel waits for its
// funding transaction to confirm before forgetting the channel: 2016
// blocks after it signed funding_signed (BOLT 2, "The channel_ready
// Message": a non-funding node SHOULD forget the channel after a timeout
// of 2016 blocks). The opener never forgets on a timeout: its own coins
// are in the funding transaction, and it decides (ForceCloseChannel).
const FundingTimeoutBlocks int32 = 2016

// BlockConnected implements chain.Listen: the Manager follows the chain
// block by block, in the order the Listen contract gives, and looks for
// every funded channel's funding transaction in each connected block.
//
//   - Found: its block height, index and hash are recorded, and with them
//     the real short_channel_id; the output must pay the channel's value to
//     the 2-of-2 funding script (BOLT 2), else the channel is abandoned
//     (RuleFundingOutput).
//   - At the acceptor's minimum_depth, channel_ready is sent (ready.go);
//     at AnnouncementDepth, announcement_signatures for a public channel
//     (announce.go).
//   - A disconnected block that held the funding un-confirms it: the
//     channel waits for it again, and sends channel_ready (if not sent yet)
//     once it is deep enough again. When channel_ready was already sent,
//     that reorganisation was deeper than the minimum depth: it is logged
//     as a warning and the channel stays as it is (ready if it was); a
//     channel_ready cannot be taken back, and the funding will most likely
//     confirm again from the mempool. The announcement exchange is reset,
//     since the short_channel_id changes with the block: it starts again
//     once the funding is AnnouncementDepth deep in its new block.
//   - For the opener, who knows the funding transaction's inputs: a
//     confirmed transaction other than the funding transaction that spends
//     one of them is a double spend: the funding can no longer confirm, so
//     the channel is abandoned at once, without broadcasting anything (our
//     commitment spends an output that cannot exist), with ChannelClosed
//     and DiscardFunding events. The monitor is told (ChannelForceClosed)
//     and keeps watching: should a reorganisation bring the funding back,
//     it still holds our latest commitment.
//   - A confirmed transaction spending the funding output ends the channel
//     for the Manager (fundingSpent): our agreed closing transaction
//     quietly, anything else with ChannelClosed. The monitor claims what
//     is ours from the chain.
//   - For the acceptor, who knows only the funding txid, a funding that
//     never appears (double spent or never broadcast) is forgotten
//     FundingTimeoutBlocks after the channel was funded, with a
//     ChannelClosed event of kind ClosedFundingTimedOut.
//   - An HTLC at its deadline forces its channel on chain (htlcDeadlines,
//     htlc_deadline.go); an unclaimed incoming one near its expiry is
//     failed back (expireIncoming).
//
// Whatever a block changes in a channel is saved (with the events it
// raised) before the messages it raised may leave, and the Manager's best
// block after every channel: a crash in between replays the block, which
// changes nothing the second time.
func (m *Manager) BlockConnected(block *btcwire.MsgBlock, height int32) {
	txs := make([]chain.TxData, len(block.Transactions))
	for i, tx := range block.Transactions {
		txs[i] = chain.TxData{Index: i, Tx: tx}
	}
	m.blockConnected(block.BlockHash(), txs, height)
}

// blockConnected runs every funded channel through the block hash at
// height, of which txs are the transactions the Manager may care about
// (all of them from chain.Listen, the filtered ones from chain.Confirm).
func (m *Manager) blockConnected(hash chainhash.Hash, txs []chain.TxData, height int32) {
	m.mu.Lock()
	if height >= m.best.Height {
		m.best = chain.BestBlock{Hash: hash, Height: height}
	}
	best := m.best
	m.mu.Unlock()
	b := &blockTxs{txs: txs, hash: hash, height: height}
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range slices.Clone(p.entries) {
			if d := e.data(); d != nil {
				m.check(p, e, m.fundingBlockConnected(p, e, d, b))
			}
			if d := e.data(); d != nil && p.byID[d.id] == e {
				m.check(p, e, m.expireIncoming(p, e, d, height))
			}
			if d := e.data(); d != nil && p.byID[d.id] == e {
				m.htlcDeadlines(p, e, d, height)
			}
		}
		p.mu.Unlock()
	}
	if ops := m.replay.prune(uint32(best.Height)); len(ops) > 0 {
		m.logIf(m.cfg.Store.Apply(m.cfg.Context, ops))
	}
	m.logIf(m.saveBestBlock(best))
	m.processForwards() // held intercepted HTLCs expire
	m.flush()
}

// BlockDisconnected implements chain.Listen: a channel whose funding was
// confirmed in the block waits for it again (see BlockConnected).
func (m *Manager) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	best := chain.BestBlock{Hash: header.PrevBlock, Height: height - 1}
	m.mu.Lock()
	m.best = best
	m.mu.Unlock()
	m.unconfirm(func(d *chanData) bool { return d.fund.confirmedHeight >= height }, height)
	m.logIf(m.saveBestBlock(best))
	m.flush()
}

// unconfirm un-confirms the funding of every channel for which match
// holds.
func (m *Manager) unconfirm(match func(*chanData) bool, height int32) {
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range slices.Clone(p.entries) {
			if d := e.data(); d != nil && d.fund.confirmedHeight != 0 && match(d) {
				m.check(p, e, m.fundingUnconfirmed(p, e, d, height))
			}
		}
		p.mu.Unlock()
	}
}

// blockTxs is a connected block (or the transactions of it a chain.Confirm
// source reported) with its transaction ids and spent outpoints, computed
// once and only when a channel looks.
type blockTxs struct {
	txs    []chain.TxData
	hash   chainhash.Hash
	height int32
	// txids[i] is the id of txs[i], pos the reverse; spends maps every
	// outpoint spent by txs to its spender's position in txs.
	txids  []chainhash.Hash
	pos    map[chainhash.Hash]int
	spends map[btcwire.OutPoint]int
}

// index computes txids and spends.
func (b *blockTxs) index() {
	if b.txids != nil {
		return
	}
	b.txids = make([]chainhash.Hash, len(b.txs))
	b.pos = make(map[chainhash.Hash]int, len(b.txs))
	b.spends = make(map[btcwire.OutPoint]int)
	for i, td := range b.txs {
		b.txids[i] = td.Tx.TxHash()
		b.pos[b.txids[i]] = i
		if td.Index == 0 {
			continue // the coinbase spends nothing
		}
		for _, in := range td.Tx.TxIn {
			b.spends[in.PreviousOutPoint] = i
		}
	}
}

// find returns the index of the transaction txid in the block.
func (b *blockTxs) find(txid chainhash.Hash) (int, bool) {
	b.index()
	i, ok := b.pos[txid]
	return i, ok
}

// spenderIndex returns the position in txs of the transaction that spends
// op.
func (b *blockTxs) spenderIndex(op btcwire.OutPoint) (int, bool) {
	b.index()
	i, ok := b.spends[op]
	return i, ok
}

// conflict returns the id of a transaction of the block, other than tx,
// that spends one of tx's inputs.
func (b *blockTxs) conflict(tx *btcwire.MsgTx) (chainhash.Hash, bool) {
	b.index()
	txid := tx.TxHash()
	for _, in := range tx.TxIn {
		if i, ok := b.spends[in.PreviousOutPoint]; ok && b.txids[i] != txid {
			return b.txids[i], true
		}
	}
	return chainhash.Hash{}, false
}

// fundingBlockConnected follows d's funding through block b (p locked).
func (m *Manager) fundingBlockConnected(p *peerState, e *entry, d *chanData, b *blockTxs) error {
	f := &d.fund
	var c change
	if f.confirmedHeight == 0 {
		op := d.params.FundingOutpoint
		i, found := b.find(op.Hash)
		switch {
		case found:
			td := b.txs[i]
			if err := checkFundingOutput(td.Tx, d); err != nil {
				m.abandonFunding(p, e, d, events.ProcessingError(err.Error()), peerText(err))
				return nil
			}
			f.confirmedHeight, f.confirmedIndex, f.confirmedHash = b.height, uint32(td.Index), b.hash
			f.scid = wire.ShortChannelID{BlockHeight: uint32(b.height), TxIndex: uint32(td.Index), OutputIndex: uint16(op.Index)}
			c.dirty = true
			m.cfg.Logger.Info("channel: funding confirmed", "node_id", p.id, "channel_id", d.id,
				"scid", f.scid, "block", b.hash)
		case d.fundingTx != nil:
			if spender, ok := b.conflict(d.fundingTx); ok {
				why := fmt.Sprintf("funding transaction %v double spent by %v", op.Hash, spender)
				m.abandonFunding(p, e, d, events.ProcessingError(why), "lnkit: "+why)
				return nil
			}
		case d.params.Opener == commit.Remote && b.height-d.createdHeight >= FundingTimeoutBlocks:
			m.abandonFunding(p, e, d, events.Reason(events.ClosedFundingTimedOut),
				fmt.Sprintf("lnkit: funding transaction not confirmed %d blocks after funding_signed", FundingTimeoutBlocks))
			return nil
		}
	}
	if f.confirmedHeight != 0 {
		if i, ok := b.spenderIndex(d.params.FundingOutpoint); ok {
			tx := b.txs[i].Tx
			_, commitment := d.ch.CommitmentNumber(tx.LockTime, tx.TxIn[0].Sequence)
			m.fundingSpent(p, e, d, b.txids[i], !commitment)
			return nil
		}
	}
	if _, ok := e.phase.(*funded); ok && f.confirmedHeight != 0 {
		if err := m.readyStep(p, d, b.height, &c); err != nil {
			return err
		}
		if err := m.announceStep(p, e, d, b.height, &c); err != nil {
			return err
		}
	}
	return m.apply(e, d, &c)
}

// checkFundingOutput checks that the confirmed funding transaction pays
// the channel's value to its funding script at the funding output index.
func checkFundingOutput(tx *btcwire.MsgTx, d *chanData) error {
	want := d.ch.FundingTxOut()
	i := d.params.FundingOutpoint.Index
	if int(i) >= len(tx.TxOut) {
		return ruleErr(RuleFundingOutput, "the funding transaction has no output %d", i)
	}
	if out := tx.TxOut[i]; out.Value != want.Value || string(out.PkScript) != string(want.PkScript) {
		return ruleErr(RuleFundingOutput, "output %d pays %d sat to %x, not %d sat to the funding script",
			i, out.Value, out.PkScript, want.Value)
	}
	return nil
}

// fundingUnconfirmed un-confirms d's funding: the block at height that
// held it left the chain (p locked).
func (m *Manager) fundingUnconfirmed(p *peerState, e *entry, d *chanData, height int32) error {
	f := &d.fund
	log := m.cfg.Logger.Info
	if f.readySent {
		log = m.cfg.Logger.Warn
	}
	log("channel: the funding's block left the chain; waiting for it to confirm again", "node_id", p.id,
		"channel_id", d.id, "scid", f.scid, "height", height, "channel_ready_sent", f.readySent,
		"channel_ready_received", f.readyReceived)
	f.confirmedHeight, f.confirmedIndex, f.confirmedHash, f.scid = 0, 0, [32]byte{}, wire.ShortChannelID{}
	f.announcementSent, f.theirAnnouncement = false, nil
	if fu, ok := e.phase.(*funded); ok {
		fu.ann = nil
	}
	return m.save(d)
}

// abandonFunding forgets a channel whose funding will not confirm (timed
// out, double spent, or not paying the channel): nothing is broadcast,
// the peer gets an error with text, the monitor is told no commitment will
// follow, and the application gets ChannelClosed (and DiscardFunding when
// the funding transaction is ours) in the same write that removes the
// channel's record (p locked).
func (m *Manager) abandonFunding(p *peerState, e *entry, d *chanData, reason events.ClosureReason, text string) {
	m.cfg.Logger.Warn("channel: funding abandoned", "node_id", p.id, "channel_id", d.id, "reason", reason)
	if !d.mon.failed {
		d.mon.latest++
		u := &monitor.Update{ID: d.mon.latest, Steps: []monitor.Step{&monitor.ChannelForceClosed{}}}
		if m.cfg.Watch.UpdateChannel(d.id, u) == monitor.Failed {
			m.cfg.Logger.Error("channel: monitor refused the force-close update", "channel_id", d.id)
		}
	}
	local, _ := d.balances()
	evs := []events.Event{&events.ChannelClosed{
		ChannelID: d.id, UserChannelID: d.userChannelID, Reason: reason, CounterpartyNodeID: p.id,
		ChannelCapacity: d.params.Capacity, FundingOutPoint: d.params.FundingOutpoint, LastLocalBalance: local,
	}}
	if d.fundingTx != nil {
		evs = append(evs, &events.DiscardFunding{
			ChannelID: d.id, UserChannelID: d.userChannelID, FundingTx: d.fundingTx,
			FundingOutPoint: d.params.FundingOutpoint,
		})
	}
	m.logIf(m.forget(d, evs...))
	// Nothing queued leaves but the error: a gated funding broadcast or
	// funding_signed is moot now.
	e.out.items = nil
	e.out.send(&wire.Error{ChannelID: d.id, Data: []byte(text)})
	p.out = append(p.out, e.out.drain(p.id)...)
	p.removeEntry(e)
	m.unregisterID(d.id)
}
