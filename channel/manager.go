package channel

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/internal/inbound"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// Manager holds every channel of the node (BOLT 2): it negotiates new
// channels, follows their funding on chain, closes them, and re-establishes
// them when a peer reconnects. It implements peer.ChannelMessageHandler
// and chain.Listen.
//
// The Manager is a state machine driven by its caller: messages in
// (HandleChannelMessage), blocks in (BlockConnected), time in (TimerTick),
// monitor completions in (MonitorUpdateCompleted); messages out
// (PendingMessages), events out (the events.Queue), transactions out
// (the Broadcaster, called after the Manager's locks are released). It
// starts no goroutine and reads no clock or randomness of its own.
//
// It is safe for concurrent use: a map lock finds a peer, then that peer's
// lock guards its channels; no two peers' locks are ever held at once, and
// no lock is held while transactions are broadcast.
type Manager struct {
	cfg   Config
	ourID wire.NodeID

	mu    sync.Mutex // guards peers, best, now, txs
	peers map[wire.NodeID]*peerState
	// ids maps every funded channel's permanent id to its peer.
	ids map[wire.ChannelID]wire.NodeID
	// scids remembers which peer a short channel id (or our alias) was
	// found with (a cache for forwarding: checked at each use).
	scids map[wire.ShortChannelID]wire.NodeID
	best  chain.BestBlock
	now   time.Time
	// nowMilli is now in unix milliseconds (0 before the first tick),
	// read without mu: the hold times of attribution data are taken
	// under any lock (htlc_attribution.go).
	nowMilli atomic.Uint64
	// txs are transactions released for broadcast, sent by flush once no
	// lock is held.
	txs []*btcwire.MsgTx

	// onion peels incoming onions; replay remembers them (its own lock).
	onion  *onion.Processor
	replay replaySet
	// ecdh is the node key's ECDH, remembered per onion (ecdh_memo.go):
	// onion and onionSharedSecret share it.
	ecdh *ecdhMemo
	// inbound derives and checks our invoices' secrets and preimages.
	inbound *inbound.Keys
	// pay tracks our outgoing payments (its own lock, taken under a
	// peer's lock, never the other way round).
	pay paymentBook
	// mpp holds the multi-part payments being received (its own lock,
	// as pay's).
	mpp mppBook
	// retries are the payments over the network that may be retried (its
	// own lock, taken under pay's).
	retries retryBook
	// held are payment writes waiting for their channel's next write
	// (held_writes.go; its own lock, taken under a peer's lock).
	held heldBook
	// fwd tracks the HTLCs we forward (its own lock, taken under a
	// peer's lock; fwd.proc before any peer's lock).
	fwd forwardBook
}

// peerState is one peer and its channels, under its own lock.
type peerState struct {
	mu sync.Mutex
	id wire.NodeID
	// connected reports a live connection (PeerConnected without
	// PeerDisconnected since); init is the peer's init then.
	connected bool
	init      *wire.Init
	// offSince is when the peer was last seen disconnected (Manager
	// time; zero while connected, or until first looked at after a
	// restart): its public channels are announced disabled once it is
	// ChannelDisableDelay old.
	offSince time.Time
	// entries are the peer's channels in the order they were created
	// (so the messages of several channels leave in a deterministic
	// order), byID finds them by their current id.
	entries []*entry
	byID    map[wire.ChannelID]*entry
	// out are messages not about one of our channels (an error for an
	// unknown channel).
	out []peer.Outbound
	// removed: the state left the Manager's map (a disconnected peer with
	// no channel); whoever locked it after must look the peer up again.
	removed bool
}

// New returns a Manager with no channel (a new node). A restarted node
// uses Load.
func New(cfg Config) (*Manager, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ecdh := newECDHMemo(cfg.Node)
	proc, err := onion.NewProcessor(onion.ProcessorConfig{ECDH: ecdh, ReplayLog: noReplayLog{}})
	if err != nil {
		return nil, fmt.Errorf("channel: onion processor: %w", err)
	}
	return &Manager{
		cfg:     cfg,
		ourID:   cfg.Node.NodeID(),
		peers:   make(map[wire.NodeID]*peerState),
		ids:     make(map[wire.ChannelID]wire.NodeID),
		best:    cfg.BestBlock,
		onion:   proc,
		ecdh:    ecdh,
		inbound: inbound.NewKeys(cfg.Node.InboundPaymentKey()),
	}, nil
}

// BestBlock returns the last block the Manager processed.
func (m *Manager) BestBlock() chain.BestBlock {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.best
}

// bestHeight returns the height of the last block processed.
func (m *Manager) bestHeight() int32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.best.Height
}

// peer returns the state of peer id, creating it when create is set.
func (m *Manager) peer(id wire.NodeID, create bool) *peerState {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.peers[id]
	if p == nil && create {
		p = &peerState{id: id, byID: make(map[wire.ChannelID]*entry)}
		m.peers[id] = p
	}
	return p
}

// lockPeer returns the state of peer id locked, creating it when create is
// set (nil when absent). It never returns a state dropPeer removed.
func (m *Manager) lockPeer(id wire.NodeID, create bool) *peerState {
	for {
		p := m.peer(id, create)
		if p == nil {
			return nil
		}
		p.mu.Lock()
		if !p.removed {
			return p
		}
		p.mu.Unlock()
	}
}

// dropPeer removes p from the Manager's map when it is disconnected and
// has no channel, so that every node that ever connected does not stay in
// memory (p locked; the lock order is peer, then Manager).
func (m *Manager) dropPeer(p *peerState) {
	if p.connected || len(p.entries) > 0 || len(p.out) > 0 {
		return
	}
	p.removed = true
	m.mu.Lock()
	if m.peers[p.id] == p {
		delete(m.peers, p.id)
	}
	m.mu.Unlock()
}

// allPeers returns every peer state, in no particular order the callers
// depend on (each is then locked on its own).
func (m *Manager) allPeers() []*peerState {
	m.mu.Lock()
	defer m.mu.Unlock()
	ps := make([]*peerState, 0, len(m.peers))
	for _, p := range m.peers {
		ps = append(ps, p)
	}
	sortPeers(ps)
	return ps
}

// eachChannel calls f with every channel that has its data, each peer
// locked in turn (in peer order).
func (m *Manager) eachChannel(f func(p *peerState, e *entry, d *chanData)) {
	for _, p := range m.allPeers() {
		p.mu.Lock()
		for _, e := range p.entries {
			if d := e.data(); d != nil {
				f(p, e, d)
			}
		}
		p.mu.Unlock()
	}
}

// addEntry adds a channel to p under id (p locked).
func (p *peerState) addEntry(id wire.ChannelID, e *entry) {
	p.entries = append(p.entries, e)
	p.byID[id] = e
}

// rekey moves e from id old to id new (p locked).
func (p *peerState) rekey(old, new wire.ChannelID, e *entry) {
	delete(p.byID, old)
	p.byID[new] = e
}

// removeEntry forgets e (p locked).
func (p *peerState) removeEntry(e *entry) {
	for id, x := range p.byID {
		if x == e {
			delete(p.byID, id)
		}
	}
	for i, x := range p.entries {
		if x == e {
			p.entries = append(p.entries[:i], p.entries[i+1:]...)
			break
		}
	}
}

// withEntry runs fn on channel id with counterparty under the peer's
// lock, then broadcasts what it released. An unknown channel is
// ErrUnknownChannel.
func (m *Manager) withEntry(id wire.ChannelID, counterparty wire.NodeID, fn func(p *peerState, e *entry) error) error {
	p := m.lockPeer(counterparty, false)
	if p == nil {
		return fmt.Errorf("%w: %v with %v", ErrUnknownChannel, id, counterparty)
	}
	var err error
	if e := p.byID[id]; e != nil {
		err = fn(p, e)
	} else {
		err = fmt.Errorf("%w: %v with %v", ErrUnknownChannel, id, counterparty)
	}
	p.mu.Unlock()
	m.flush()
	return err
}

// queueBroadcast records txs for the next flush.
func (m *Manager) queueBroadcast(txs ...*btcwire.MsgTx) {
	if len(txs) == 0 {
		return
	}
	m.mu.Lock()
	m.txs = append(m.txs, txs...)
	m.mu.Unlock()
}

// flush broadcasts the transactions released so far. It is called by
// every public method once it holds no lock. A failed broadcast is logged:
// the transactions are broadcast again (chain.Rebroadcaster, the next
// release) and the monitor claims on chain whatever happens.
func (m *Manager) flush() {
	m.mu.Lock()
	txs := m.txs
	m.txs = nil
	m.mu.Unlock()
	for _, tx := range txs {
		if err := m.cfg.Broadcaster.BroadcastTransactions(m.cfg.Context, tx); err != nil {
			m.cfg.Logger.Warn("channel: broadcast failed", "txid", tx.TxHash(), "err", err)
		}
	}
}

// PendingMessages implements peer.PeerHandler: it releases the messages
// whose monitor updates are durable.
func (m *Manager) PendingMessages(dst []peer.Outbound) []peer.Outbound {
	var txs []*btcwire.MsgTx
	for _, p := range m.allPeers() {
		p.mu.Lock()
		if p.connected {
			dst = append(dst, p.out...)
		}
		p.out = p.out[:0]
		for _, e := range p.entries {
			dst, txs = e.out.release(e.updates(), p.id, p.connected, dst, txs)
		}
		p.mu.Unlock()
	}
	m.queueBroadcast(txs...)
	m.flush()
	return dst
}

// updates returns the entry's monitor updates, nil before a monitor exists.
func (e *entry) updates() *updates {
	if d := e.data(); d != nil {
		return &d.mon
	}
	return nil
}

// data returns the funded channel of the entry, or nil while negotiating.
func (e *entry) data() *chanData {
	switch ph := e.phase.(type) {
	case *funded:
		return ph.d
	case *closing:
		return ph.d
	}
	return nil
}

// PeerConnected implements peer.PeerHandler: the channels with the peer are
// re-established (channel_reestablish).
func (m *Manager) PeerConnected(id wire.NodeID, init *wire.Init, _ bool) error {
	p := m.lockPeer(id, true)
	p.connected, p.init, p.offSince = true, init, time.Time{}
	for _, e := range p.entries {
		if d := e.data(); d != nil {
			m.startReestablish(p, e, d)
		}
	}
	p.mu.Unlock()
	m.processForwards()
	return nil
}

// PeerDisconnected implements peer.PeerHandler: channels still negotiating
// are forgotten (BOLT 2), the others wait for the peer to come back.
func (m *Manager) PeerDisconnected(id wire.NodeID) {
	p := m.lockPeer(id, false)
	if p == nil {
		return
	}
	p.connected, p.init, p.offSince = false, nil, m.timeNow()
	p.out = p.out[:0]
	for _, e := range append([]*entry(nil), p.entries...) {
		e.out.dropMessages()
		if e.data() == nil {
			m.forgetUnfunded(p, e, events.Reason(events.ClosedDisconnectedBeforeFunding))
			continue
		}
		m.peerGone(e)
	}
	m.dropPeer(p)
	p.mu.Unlock()
	m.flushHeld()
	m.flush()
}

// HandleChannelMessage implements peer.ChannelMessageHandler. A message
// that breaks a rule fails its channel (an error message to the peer, and
// a force close when funded); it never disconnects the peer's other
// channels and never returns an error for a message about one channel.
func (m *Manager) HandleChannelMessage(from wire.NodeID, msg wire.Message) error {
	p := m.lockPeer(from, false)
	if p == nil {
		return fmt.Errorf("%w: message from %v", ErrPeerNotConnected, from)
	}
	if !p.connected {
		// Outside peer.ChannelMessageHandler's contract: the peer's init
		// (its features) is gone; nothing of ours is about it now.
		p.mu.Unlock()
		return fmt.Errorf("%w: message from %v", ErrPeerNotConnected, from)
	}
	err := m.dispatch(p, msg)
	p.mu.Unlock()
	if !isUpdate(msg) {
		m.flushHeld()
	}
	m.processForwards()
	m.flush()
	return err
}

// dispatch routes msg to its phase (p locked).
func (m *Manager) dispatch(p *peerState, msg wire.Message) error {
	switch msg := msg.(type) {
	case *wire.OpenChannel:
		m.handleOpenChannel(p, msg)
	case *wire.AcceptChannel:
		route(m, p, m.negotiating(p, msg.TemporaryChannelID, msg), msg, m.handleAcceptChannel)
	case *wire.FundingCreated:
		route(m, p, m.negotiating(p, msg.TemporaryChannelID, msg), msg, m.handleFundingCreated)
	case *wire.FundingSigned:
		route(m, p, m.negotiating(p, msg.ChannelID, msg), msg, m.handleFundingSigned)
	case *wire.ChannelReady:
		route(m, p, m.fundedEntry(p, msg.ChannelID, msg), msg, m.handleChannelReady)
	case *wire.AnnouncementSignatures:
		route(m, p, m.fundedEntry(p, msg.ChannelID, msg), msg, m.handleAnnouncementSignatures)
	case *wire.Shutdown:
		route(m, p, m.fundedEntry(p, msg.ChannelID, msg), msg, m.handleShutdown)
	case *wire.ClosingSigned:
		route(m, p, m.fundedEntry(p, msg.ChannelID, msg), msg, m.handleClosingSigned)
	case *wire.ChannelReestablish:
		route(m, p, m.fundedEntry(p, msg.ChannelID, msg), msg, m.handleReestablish)
	case *wire.UpdateAddHTLC:
		route(m, p, m.normalEntry(p, msg.ChannelID, msg), msg, m.handleUpdateAddHTLC)
	case *wire.UpdateFulfillHTLC:
		route(m, p, m.normalEntry(p, msg.ChannelID, msg), msg, m.handleUpdateFulfillHTLC)
	case *wire.UpdateFailHTLC:
		route(m, p, m.normalEntry(p, msg.ChannelID, msg), msg, m.handleUpdateFailHTLC)
	case *wire.UpdateFailMalformedHTLC:
		route(m, p, m.normalEntry(p, msg.ChannelID, msg), msg, m.handleUpdateFailMalformedHTLC)
	case *wire.UpdateFee:
		route(m, p, m.normalEntry(p, msg.ChannelID, msg), msg, m.handleUpdateFee)
	case *wire.CommitmentSigned:
		route(m, p, m.normalEntry(p, msg.ChannelID, msg), msg, m.handleCommitmentSigned)
	case *wire.RevokeAndAck:
		route(m, p, m.normalEntry(p, msg.ChannelID, msg), msg, m.handleRevokeAndAck)
	case *wire.Error:
		m.handlePeerError(p, msg)
	case *wire.Warning:
		m.cfg.Logger.Info("channel: warning from peer", "node_id", p.id, "channel_id", msg.ChannelID, "text", msg.Text())
	default:
		id, ok := messageChannelID(msg)
		if !ok {
			return nil
		}
		// Splicing, quiescence and interactive funding come in later
		// issues: say so for that channel, and keep the connection and
		// the peer's other channels.
		p.out = append(p.out, peer.Outbound{To: p.id, Msg: &wire.Warning{
			ChannelID: id,
			Data:      []byte(fmt.Sprintf("lnkit: %v is not supported yet", msg.Type())),
		}})
	}
	return nil
}

// route hands msg to handle for channel e (found by negotiating or
// fundedEntry; nil when they answered the peer already) and fails the
// channel on the error handle returns.
func route[M wire.Message](m *Manager, p *peerState, e *entry, msg M, handle func(*peerState, *entry, M) error) {
	if e != nil {
		m.check(p, e, handle(p, e, msg))
	}
}

// negotiating returns the channel being negotiated under id. For an
// unknown id the peer gets an error for that id; for a funded channel, a
// warning (an error would make the peer fail a healthy channel over a
// stray message). It returns nil then.
func (m *Manager) negotiating(p *peerState, id wire.ChannelID, msg wire.Message) *entry {
	e := p.byID[id]
	switch {
	case e == nil:
		m.errorUnknown(p, id, msg)
		return nil
	case e.data() != nil:
		m.cfg.Logger.Info("channel: establishment message for a funded channel", "node_id", p.id, "channel_id", id, "type", msg.Type())
		p.out = append(p.out, peer.Outbound{To: p.id, Msg: &wire.Warning{
			ChannelID: id,
			Data:      []byte(fmt.Sprintf("lnkit: %v for a funded channel ignored", msg.Type())),
		}})
		return nil
	}
	return e
}

// fundedEntry returns the funded (or closing) channel under id. For an
// unknown id the peer gets an error for that id; a channel still
// negotiated fails (RuleUnexpectedMessage: our error ends the peer's side
// too). It returns nil then.
func (m *Manager) fundedEntry(p *peerState, id wire.ChannelID, msg wire.Message) *entry {
	e := p.byID[id]
	switch {
	case e == nil:
		m.errorUnknown(p, id, msg)
		return nil
	case e.data() == nil:
		m.failChannel(p, e, ruleErr(RuleUnexpectedMessage, "%v before the channel is funded", msg.Type()))
		return nil
	}
	return e
}

// normalEntry is fundedEntry for the messages of normal operation: they
// must also come after the peer's channel_reestablish on this connection
// (BOLT 2), and never once the closing transaction is agreed.
func (m *Manager) normalEntry(p *peerState, id wire.ChannelID, msg wire.Message) *entry {
	e := m.fundedEntry(p, id, msg)
	if e == nil {
		return nil
	}
	d := e.data()
	switch {
	case !d.reestablished:
		m.failChannel(p, e, ruleErr(RuleUnexpectedMessage, "%v before channel_reestablish", msg.Type()))
		return nil
	case d.shut.closingTx != nil:
		m.failChannel(p, e, ruleErr(RuleUnexpectedMessage, "%v after the closing transaction was agreed", msg.Type()))
		return nil
	}
	return e
}

// errorUnknown answers a message about a channel we do not have with an
// error for that channel only (BOLT 1: the peer's other channels go on).
func (m *Manager) errorUnknown(p *peerState, id wire.ChannelID, msg wire.Message) {
	m.cfg.Logger.Debug("channel: message for an unknown channel", "node_id", p.id, "channel_id", id, "type", msg.Type())
	p.out = append(p.out, peer.Outbound{To: p.id, Msg: &wire.Error{
		ChannelID: id,
		Data:      []byte(fmt.Sprintf("lnkit: %v for unknown channel", msg.Type())),
	}})
}

// check fails the channel of e when err is not nil.
func (m *Manager) check(p *peerState, e *entry, err error) {
	switch {
	case err == nil:
	case errors.Is(err, ErrPersistence), errors.Is(err, ErrLocal):
		// Our store failed (or the event queue is full), not the peer:
		// force-closing would not fix the storage and would cost the
		// channel. The connection is dropped instead, so that nothing
		// more is agreed on top of what may not be durable; the
		// reconnection re-establishes the channel from what is.
		m.cfg.Logger.Error("channel: persistence failed: disconnecting the peer", "node_id", p.id,
			"channel_id", e.phase.channelID(), "err", err)
		p.out = append(p.out, peer.Outbound{To: p.id, Disconnect: true})
	default:
		m.failChannel(p, e, err)
	}
}

// sortPeers orders peers by node id, so that work over every peer happens
// in the same order on every run.
func sortPeers(ps []*peerState) {
	slices.SortFunc(ps, func(a, b *peerState) int { return bytes.Compare(a.id[:], b.id[:]) })
}
