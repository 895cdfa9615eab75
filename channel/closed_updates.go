package channel

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/persist"
)

// The monitor updates of a channel the Manager closed while some were not
// yet durable (an asynchronous persister): the channel's record, which
// replays them after a crash, is gone, so they are kept on their own and
// handed to the monitor again at Load. Without them a commitment we
// broadcast could be one our restored monitor does not know.

// closedUpdatesNS holds them, by channel.
func closedUpdatesNS() persist.Namespace {
	return persist.Namespace{Primary: "channel_manager", Secondary: "closed_updates"}
}

// encodeClosedUpdates encodes us: each update's length (4 bytes) and
// record.
func encodeClosedUpdates(us []*monitor.Update) ([]byte, error) {
	var b []byte
	for _, u := range us {
		rec, err := u.Encode()
		if err != nil {
			return nil, fmt.Errorf("channel: closed channel's update %d: %w", u.ID, err)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(rec)))
		b = append(b, rec...)
	}
	return b, nil
}

// decodeClosedUpdates decodes encodeClosedUpdates' output.
func decodeClosedUpdates(b []byte) ([]*monitor.Update, error) {
	var us []*monitor.Update
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: closed updates: truncated length", ErrCorruptRecord)
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if uint64(n) > uint64(len(b)) {
			return nil, fmt.Errorf("%w: closed updates: update of %d bytes in %d", ErrCorruptRecord, n, len(b))
		}
		u, err := monitor.DecodeUpdate(b[:n])
		if err != nil {
			return nil, fmt.Errorf("%w: closed updates: %w", ErrCorruptRecord, err)
		}
		us = append(us, u)
		b = b[n:]
	}
	return us, nil
}

// replayClosedUpdates hands the monitor of a closed channel (info) the
// updates kept when it was closed that it lacks, and returns its info
// after them. The record goes once every update is durable.
func (m *Manager) replayClosedUpdates(info monitor.MonitorInfo) (monitor.MonitorInfo, error) {
	key := channelKey(info.ChannelID)
	b, err := m.cfg.Store.Read(m.cfg.Context, closedUpdatesNS(), key)
	switch {
	case errors.Is(err, persist.ErrNotFound):
		return info, nil
	case err != nil:
		return info, fmt.Errorf("%w: closed updates: %w", ErrPersistence, err)
	}
	us, err := decodeClosedUpdates(b)
	if err != nil {
		return info, err
	}
	durable := true
	for _, u := range us {
		if u.ID <= info.LatestUpdateID {
			continue
		}
		switch m.cfg.Watch.UpdateChannel(info.ChannelID, u) {
		case monitor.Failed:
			m.cfg.Logger.Error("channel: closed channel's monitor refused a kept update", "channel_id", info.ChannelID, "update_id", u.ID)
			return info, nil
		case monitor.InProgress:
			durable = false
		}
		info.LatestUpdateID = u.ID
		for _, s := range u.Steps {
			if _, ok := s.(*monitor.ChannelForceClosed); ok {
				info.ForceClosed = true
			}
		}
		m.cfg.Logger.Info("channel: closed channel's monitor given a kept update", "channel_id", info.ChannelID, "update_id", u.ID)
	}
	if durable {
		if err := m.cfg.Store.Remove(m.cfg.Context, closedUpdatesNS(), key); err != nil {
			return info, fmt.Errorf("%w: closed updates: %w", ErrPersistence, err)
		}
	}
	return info, nil
}
