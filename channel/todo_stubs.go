package channel

import (
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// TEMPORARY: the pieces being written in parallel; each moves to its file.

type closingNegotiation struct{}

func (m *Manager) handleChannelReady(p *peerState, e *entry, msg *wire.ChannelReady) error {
	return nil
}

func (m *Manager) handleAnnouncementSignatures(p *peerState, e *entry, msg *wire.AnnouncementSignatures) error {
	return nil
}

func (m *Manager) handleShutdown(p *peerState, e *entry, msg *wire.Shutdown) error { return nil }

func (m *Manager) handleClosingSigned(p *peerState, e *entry, msg *wire.ClosingSigned) error {
	return nil
}

func (m *Manager) handleReestablish(p *peerState, e *entry, msg *wire.ChannelReestablish) error {
	return nil
}

func (m *Manager) startReestablish(p *peerState, e *entry, d *chanData) {}

func (m *Manager) peerGone(e *entry) {}

func (m *Manager) bumpEvent(d *chanData, tx *btcwire.MsgTx) events.Event { return nil }
