package main

import (
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// closedList is the closures the node saw since it started (from
// ChannelClosed events), for listclosed, with the closing transaction
// when the chain showed it.
type closedList struct {
	mu     sync.Mutex
	list   []closedResult
	txids  map[wire.ChannelID]chainhash.Hash
	byChan map[wire.ChannelID]int
}

// add records a ChannelClosed event (an event delivered again replaces
// the first).
func (c *closedList) add(e *events.ChannelClosed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byChan == nil {
		c.byChan = map[wire.ChannelID]int{}
	}
	r := closedResult{
		ChannelID:    e.ChannelID.String(),
		Counterparty: e.CounterpartyNodeID.String(),
		Reason:       e.Reason.Kind.String(),
		Message:      e.Reason.Message,
	}
	if txid, ok := c.txids[e.ChannelID]; ok {
		r.ClosingTxid = txid.String()
	}
	if i, ok := c.byChan[e.ChannelID]; ok {
		c.list[i] = r
		return
	}
	c.byChan[e.ChannelID] = len(c.list)
	c.list = append(c.list, r)
}

// setClosingTxid records the transaction that spent a channel's funding.
func (c *closedList) setClosingTxid(id wire.ChannelID, txid chainhash.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.txids == nil {
		c.txids = map[wire.ChannelID]chainhash.Hash{}
	}
	c.txids[id] = txid
	if i, ok := c.byChan[id]; ok {
		c.list[i].ClosingTxid = txid.String()
	}
}

// result returns listclosed's answer.
func (c *closedList) result() listClosedResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listClosedResult{Closed: append([]closedResult{}, c.list...)}
}
