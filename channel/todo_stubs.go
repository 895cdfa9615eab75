package channel

import (
	"time"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/wire"
)

// TEMPORARY: the pieces being written in parallel; each moves to its file.

func (m *Manager) handleChannelReady(p *peerState, e *entry, msg *wire.ChannelReady) error {
	return nil
}

func (m *Manager) handleAnnouncementSignatures(p *peerState, e *entry, msg *wire.AnnouncementSignatures) error {
	return nil
}

func (m *Manager) resendChannelReady(p *peerState, e *entry, d *chanData) error { return nil }

func (m *Manager) afterReestablish(p *peerState, e *entry, d *chanData) error { return nil }

func (m *Manager) BlockConnected(block *btcwire.MsgBlock, height int32)        {}
func (m *Manager) BlockDisconnected(header *btcwire.BlockHeader, height int32) {}
func (m *Manager) TimerTick(now time.Time)                                     {}
