package channel

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// The Manager's key layout in its Store:
//
//	channels/<channel id hex>         a funded channel's record (ChannelFormat)
//	channel_funding/<channel id hex>  an outbound funding transaction signed
//	                                  into funding_created and not yet
//	                                  funded: after a crash, its coins are
//	                                  released with DiscardFunding
//
// Events go to the events.Queue in the same batch as the record that raised
// them (events.Queue.AppendWith).
const (
	ChannelsNamespace       = "channels"
	PendingFundingNamespace = "channel_funding"
)

func channelsNS() persist.Namespace { return persist.Namespace{Primary: ChannelsNamespace} }

func pendingFundingNS() persist.Namespace {
	return persist.Namespace{Primary: PendingFundingNamespace}
}

// channelKey is a channel id's key.
func channelKey(id wire.ChannelID) string { return hex.EncodeToString(id[:]) }

// saveFunded writes a channel's record (and removes its pending-funding
// entry) together with evs, all or nothing.
func (m *Manager) saveFunded(d *chanData, evs ...events.Event) error {
	rec, err := encodeChanData(d)
	if err != nil {
		return err
	}
	ops := []persist.Op{
		persist.WriteOp(channelsNS(), channelKey(d.id), rec),
		persist.RemoveOp(pendingFundingNS(), channelKey(d.id)),
	}
	if err := m.cfg.Events.AppendWith(m.cfg.Context, ops, evs...); err != nil {
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	return nil
}

// save writes a channel's record together with evs.
func (m *Manager) save(d *chanData, evs ...events.Event) error {
	rec, err := encodeChanData(d)
	if err != nil {
		return err
	}
	held := m.held.take(d.id)
	ops, evs := withHeld(held, []persist.Op{persist.WriteOp(channelsNS(), channelKey(d.id), rec)}, evs)
	if err := m.cfg.Events.AppendWith(m.cfg.Context, ops, evs...); err != nil {
		m.held.restore(d.id, held)
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	return nil
}

// forget removes a channel's record (and any pending funding) together
// with evs, marks it closed, notes the HTLCs paid to us its monitor may
// claim on chain (onchain_claims.go) and keeps the monitor updates not
// yet durable (closed_updates.go): the channel is closed for the Manager
// (its monitor goes on).
func (m *Manager) forget(d *chanData, evs ...events.Event) error {
	id := d.id
	ops := []persist.Op{
		persist.RemoveOp(channelsNS(), channelKey(id)),
		persist.RemoveOp(pendingFundingNS(), channelKey(id)),
		persist.WriteOp(closedNS(), channelKey(id), []byte{1}),
	}
	ops = append(ops, m.onChainClaimOps(d)...)
	if len(d.mon.pending) > 0 {
		rec, err := encodeClosedUpdates(d.mon.pending)
		if err != nil {
			return err
		}
		ops = append(ops, persist.WriteOp(closedUpdatesNS(), channelKey(id), rec))
	}
	held := m.held.take(id)
	ops, evs = withHeld(held, ops, evs)
	if err := m.cfg.Events.AppendWith(m.cfg.Context, ops, evs...); err != nil {
		m.held.restore(id, held)
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	return nil
}

// writePendingFunding records an outbound funding transaction before
// funding_created leaves, so that a crash before funding_signed still
// tells the application to release its coins.
func (m *Manager) writePendingFunding(d *chanData) error {
	var b bytes.Buffer
	b.Write(d.userChannelIDBytes())
	if err := d.fundingTx.Serialize(&b); err != nil {
		return fmt.Errorf("channel: encode funding transaction: %w", err)
	}
	if err := m.cfg.Store.Write(m.cfg.Context, pendingFundingNS(), channelKey(d.id), b.Bytes()); err != nil {
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	return nil
}

// userChannelIDBytes is the user channel id, big-endian.
func (c *core) userChannelIDBytes() []byte {
	v := c.userChannelID
	return []byte{byte(v >> 56), byte(v >> 48), byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// decodePendingFunding reads a pending-funding entry.
func decodePendingFunding(b []byte) (userChannelID uint64, tx *btcwire.MsgTx, err error) {
	if len(b) < 8 {
		return 0, nil, fmt.Errorf("%w: pending funding entry of %d bytes", ErrCorruptRecord, len(b))
	}
	for _, c := range b[:8] {
		userChannelID = userChannelID<<8 | uint64(c)
	}
	if err := scanTx(b[8:]); err != nil {
		return 0, nil, fmt.Errorf("%w: pending funding transaction: %v", ErrCorruptRecord, err)
	}
	tx = new(btcwire.MsgTx)
	if err := tx.Deserialize(bytes.NewReader(b[8:])); err != nil {
		return 0, nil, fmt.Errorf("%w: pending funding transaction: %v", ErrCorruptRecord, err)
	}
	return userChannelID, tx, nil
}

// appendEvents queues evs durably.
func (m *Manager) appendEvents(evs ...events.Event) error {
	if err := m.cfg.Events.Append(m.cfg.Context, evs...); err != nil {
		return fmt.Errorf("%w: %w", ErrPersistence, err)
	}
	return nil
}

// reserveID takes permanent channel id id for peer's channel, atomically:
// false when any channel (of any peer) has it already. A failed funding
// gives it back with unregisterID.
func (m *Manager) reserveID(id wire.ChannelID, peer wire.NodeID) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.ids[id]; ok {
		return false
	}
	m.ids[id] = peer
	return true
}

// registerID records that peer has a channel with permanent id id.
func (m *Manager) registerID(id wire.ChannelID, peer wire.NodeID) {
	m.mu.Lock()
	m.ids[id] = peer
	m.mu.Unlock()
}

// unregisterID forgets id.
func (m *Manager) unregisterID(id wire.ChannelID) {
	m.mu.Lock()
	delete(m.ids, id)
	m.mu.Unlock()
}

// hexDecode decodes hex s into dst.
func hexDecode(dst []byte, s string) (int, error) {
	if hex.DecodedLen(len(s)) != len(dst) {
		return 0, hex.ErrLength
	}
	return hex.Decode(dst, []byte(s))
}

// managerNS holds the Manager's own values: best_block, the last block it
// processed (hash, then height big-endian), written with every block so a
// restarted Manager is caught up from there.
func managerNS() persist.Namespace { return persist.Namespace{Primary: "channel_manager"} }

const bestBlockKey = "best_block"

// saveBestBlock makes b the Manager's durable best block.
func (m *Manager) saveBestBlock(b chain.BestBlock) error {
	v := make([]byte, 36)
	copy(v, b.Hash[:])
	binary.BigEndian.PutUint32(v[32:], uint32(b.Height))
	if err := m.cfg.Store.Write(m.cfg.Context, managerNS(), bestBlockKey, v); err != nil {
		return fmt.Errorf("%w: best block: %w", ErrPersistence, err)
	}
	return nil
}

// loadBestBlock reads the Manager's durable best block (ok false when
// none was written).
func (m *Manager) loadBestBlock() (b chain.BestBlock, ok bool, err error) {
	v, err := m.cfg.Store.Read(m.cfg.Context, managerNS(), bestBlockKey)
	if errors.Is(err, persist.ErrNotFound) {
		return b, false, nil
	}
	if err != nil {
		return b, false, fmt.Errorf("%w: best block: %w", ErrPersistence, err)
	}
	b, err = decodeBestBlock(v)
	return b, err == nil, err
}

// decodeBestBlock reads the stored best block: hash, then height.
func decodeBestBlock(v []byte) (chain.BestBlock, error) {
	var b chain.BestBlock
	if len(v) != 36 {
		return b, fmt.Errorf("%w: best block of %d bytes", ErrCorruptRecord, len(v))
	}
	copy(b.Hash[:], v)
	h := binary.BigEndian.Uint32(v[32:])
	if h > math.MaxInt32 {
		return b, fmt.Errorf("%w: best block height %d", ErrCorruptRecord, h)
	}
	b.Height = int32(h)
	return b, nil
}

// dataLossNS marks the channels whose peer proved we lost state: their
// commitment must never be broadcast, whatever a restart finds.
func dataLossNS() persist.Namespace {
	return persist.Namespace{Primary: "channel_manager", Secondary: "data_loss"}
}

// markDataLoss durably marks channel id as one we must never broadcast
// our commitment of.
func (m *Manager) markDataLoss(id wire.ChannelID) error {
	if err := m.cfg.Store.Write(m.cfg.Context, dataLossNS(), channelKey(id), []byte{1}); err != nil {
		return fmt.Errorf("%w: data loss mark: %w", ErrPersistence, err)
	}
	return nil
}

// dataLossMarked reports whether channel id was marked by markDataLoss.
func (m *Manager) dataLossMarked(id wire.ChannelID) (bool, error) {
	_, err := m.cfg.Store.Read(m.cfg.Context, dataLossNS(), channelKey(id))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, persist.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("%w: data loss mark: %w", ErrPersistence, err)
}

// closedNS marks the channels the Manager closed (and raised
// ChannelClosed for): a monitor found without its channel at a restart
// (its close update lost at a crash) is closed again without a second
// ChannelClosed.
func closedNS() persist.Namespace {
	return persist.Namespace{Primary: "channel_manager", Secondary: "closed"}
}

// closedMarked reports whether forget marked channel id closed.
func (m *Manager) closedMarked(id wire.ChannelID) (bool, error) {
	_, err := m.cfg.Store.Read(m.cfg.Context, closedNS(), channelKey(id))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, persist.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("%w: closed mark: %w", ErrPersistence, err)
}
