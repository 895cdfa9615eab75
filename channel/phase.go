package channel

import (
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/wire"
)

// State is where a channel is in its life, as ListChannels reports it.
type State uint8

// The states of a channel.
const (
	// StateNegotiating: open_channel and accept_channel are being
	// exchanged, or the application is building the funding transaction.
	// Nothing is persisted yet: a disconnection forgets the channel.
	StateNegotiating State = iota + 1
	// StateAwaitingFunding: the first commitments are signed both ways and
	// the funding transaction waits for its confirmations and for
	// channel_ready both ways.
	StateAwaitingFunding
	// StateReady: channel_ready went both ways; the channel is usable while
	// the peer is connected.
	StateReady
	// StateShuttingDown: shutdown was sent or received; the closing fee is
	// being negotiated.
	StateShuttingDown
	// StateClosing: the closing transaction is agreed and broadcast; the
	// channel waits for it to confirm.
	StateClosing
)

// String names the state.
func (s State) String() string {
	switch s {
	case StateNegotiating:
		return "negotiating"
	case StateAwaitingFunding:
		return "awaiting_funding"
	case StateReady:
		return "ready"
	case StateShuttingDown:
		return "shutting_down"
	case StateClosing:
		return "closing"
	}
	return "unknown"
}

// entry is one channel of a peer, in whichever phase it is, with its
// outbound messages.
type entry struct {
	// phase is one of *outboundOpening, *inboundOpening, *funded or
	// *closing.
	phase phase
	// out holds the messages waiting for their monitor update.
	out outbox
}

// phase is one phase of a channel's life. Each phase is a type of its own
// holding only what that phase needs; a transition replaces the entry's
// phase.
type phase interface {
	// state is the phase as ListChannels reports it.
	state() State
	// channelID is the id messages name the channel by now: temporary
	// while negotiating, permanent once funded.
	channelID() wire.ChannelID
}

// chanData is a funded channel: what it fixed when it opened (core), its
// commitments and update log, its funding on chain, and its monitor
// updates. It is shared
// by the funded and closing phases and is what the channel's record
// persists.
type chanData struct {
	*core
	// cc is the commitment chain of both sides, log the update log whose
	// content the next commitments carry.
	cc   *commitmentChain
	log  *updateLog
	fund funding
	mon  updates
	// shut is the shutdown exchange (zero until shutdown is sent or
	// received).
	shut shutdownState
	// reestablished: the peer's channel_reestablish of this connection was
	// handled, or the channel was funded on this connection (not
	// persisted: false until the next one).
	reestablished bool
	// unsent is what the last disconnection took back of our updates,
	// offered again after channel_reestablish (not persisted: a restart
	// takes it back again from the stored log).
	unsent htlcUnsent
	// policy is what our channel_update says beyond the config: the
	// forwarding policy UpdateChannelConfig replaced, still honoured for
	// PolicyGrace, the least timestamp of the next update, and whether it
	// says disabled (not persisted: a restart ends the grace).
	policy policyChange
}

// shutdownState is the persisted part of a cooperative close.
type shutdownState struct {
	// ourScript is the script we sent in shutdown (nil: not sent).
	ourScript []byte
	// theirScript is the script the peer sent (nil: not received).
	theirScript []byte
	// closingTx is the agreed closing transaction, fully signed (nil
	// until agreed).
	closingTx *btcwire.MsgTx
	// initiator reports that we sent shutdown first.
	initiator bool
}

// updates tracks a channel's monitor updates: the messages and broadcasts
// they gate wait in the outbox until their update is durable.
type updates struct {
	// latest is the id of the last update handed to Watch (0: the
	// monitor's creation).
	latest uint64
	// completed is the highest id known durable; completedAll says the
	// creation (id 0) is durable too.
	completed    uint64
	completedAll bool
	// pending are the updates handed out and not known durable, replayed
	// to Watch after a restart.
	pending []*monitor.Update
	// early are updates answered Completed while an earlier one was
	// still in progress: they count once the run reaches them.
	early map[uint64]bool
	// failed: persistence failed; the channel is stopped.
	failed bool
}

// durable reports whether update id is durable.
func (u *updates) durable(id uint64) bool {
	return u.completedAll && id <= u.completed
}

// funded is a channel whose first commitments are signed: waiting for the
// funding to confirm, and then in normal operation.
type funded struct {
	d *chanData
	// ann is the channel's signed announcement and our channel_update,
	// once announcement_signatures went both ways (not persisted: rebuilt
	// from d.fund by ChannelAnnouncements after a restart).
	ann *Announcement
}

func (f *funded) state() State {
	if f.d.fund.readySent && f.d.fund.readyReceived {
		return StateReady
	}
	return StateAwaitingFunding
}

func (f *funded) channelID() wire.ChannelID { return f.d.id }

// closing is a funded channel after shutdown: it negotiates the closing fee
// (closing_signed) and waits for the closing transaction.
type closing struct {
	d *chanData
	// neg is the closing_signed negotiation in progress (nil before both
	// shutdowns, and after a reconnection until it starts again).
	neg *closingNegotiation
	// feeRate, when not zero, is the closing fee rate the application
	// asked for (CloseOptions.FeeRate).
	feeRate wire.FeeRate
	// receivedClosingSigned: a closing_signed came on this connection.
	receivedClosingSigned bool
}

func (c *closing) state() State {
	if c.d.shut.closingTx != nil {
		return StateClosing
	}
	return StateShuttingDown
}

func (c *closing) channelID() wire.ChannelID { return c.d.id }
