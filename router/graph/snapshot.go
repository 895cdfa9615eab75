package graph

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// Namespace is where Save and Load keep the graph in a persist.KVStore.
var Namespace = persist.Namespace{Primary: "router_graph"}

const (
	snapshotMagic   = "LNKG"
	snapshotVersion = 1
	chunkSize       = 4 << 20
	metaKey         = "meta"
	metaSize        = 4 + 1 + 4 + 8 + 32
)

// ChannelRecord is one channel as persisted: its announcement, the funding
// output's value and the latest update of each direction (nil if none).
type ChannelRecord struct {
	Announcement *wire.ChannelAnnouncement
	Capacity     wire.Satoshi
	Updates      [2]*wire.ChannelUpdate
}

// ImportTrusted adds channels and node announcements without checking
// signatures, funding outputs or timestamps against the clock: for data
// this graph (or a trusted source, like a test generator) produced and a
// store kept. Records for known channels and announcements of unknown
// nodes are skipped. Gossip from peers goes through AddBatch instead.
func (g *Graph) ImportTrusted(chans []ChannelRecord, nodes []*wire.NodeAnnouncement) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range chans {
		a := r.Announcement
		if a == nil {
			continue
		}
		if _, ok := g.chanBySCID[a.ShortChannelID.ToUint64()]; ok {
			continue
		}
		c := g.addChannel(a, r.Capacity, a.Features.CheckRequired(*g.cfg.KnownFeatures) != nil)
		for d, u := range r.Updates {
			if u != nil && u.ShortChannelID == a.ShortChannelID && u.ChannelFlags.Direction() == d {
				g.applyUpdate(c, u)
			}
		}
	}
	for _, m := range nodes {
		if n, ok := g.nodeByID[m.NodeID]; ok {
			g.applyNodeAnnouncement(n, m)
		}
	}
}

// Records returns every channel and node announcement, for persistence.
func (g *Graph) Records() ([]ChannelRecord, []*wire.NodeAnnouncement) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	chans := make([]ChannelRecord, 0, g.liveChan)
	for c := range g.chans {
		if g.chans[c].live {
			chans = append(chans, ChannelRecord{Announcement: g.ann[c], Capacity: g.chans[c].Capacity, Updates: g.upd[c]})
		}
	}
	var nodes []*wire.NodeAnnouncement
	for n := range g.nodes {
		if g.nodes[n].live && g.nodeAnn[n] != nil {
			nodes = append(nodes, g.nodeAnn[n])
		}
	}
	return chans, nodes
}

// EncodeSnapshot encodes records in the versioned snapshot format:
// "LNKG", version 1, then counts and, per channel, the announcement
// (u16 length + wire payload), capacity (u64), a presence byte and the
// present updates (u16 length + payload); then the node announcements.
func EncodeSnapshot(chans []ChannelRecord, nodes []*wire.NodeAnnouncement) ([]byte, error) {
	b := make([]byte, 0, 64+len(chans)*700+len(nodes)*200)
	b = append(b, snapshotMagic...)
	b = append(b, snapshotVersion)
	b = binary.BigEndian.AppendUint32(b, uint32(len(chans)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(nodes)))
	var err error
	for _, r := range chans {
		if b, err = appendMsg(b, r.Announcement); err != nil {
			return nil, err
		}
		b = binary.BigEndian.AppendUint64(b, uint64(r.Capacity))
		var present byte
		for d, u := range r.Updates {
			if u != nil {
				present |= 1 << d
			}
		}
		b = append(b, present)
		for _, u := range r.Updates {
			if u != nil {
				if b, err = appendMsg(b, u); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, m := range nodes {
		if b, err = appendMsg(b, m); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func appendMsg(b []byte, m wire.Message) ([]byte, error) {
	at := len(b)
	b = append(b, 0, 0)
	b, err := m.Encode(b)
	if err != nil {
		return nil, fmt.Errorf("graph: snapshot: %w", err)
	}
	n := len(b) - at - 2
	if n > 0xFFFF {
		return nil, fmt.Errorf("graph: snapshot: %v of %d bytes: %w", m.Type(), n, wire.ErrMessageTooLarge)
	}
	binary.BigEndian.PutUint16(b[at:], uint16(n))
	return b, nil
}

// snapReader reads a snapshot, remembering the first error.
type snapReader struct {
	b   []byte
	err error
}

func (r *snapReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.b) {
		r.err = fmt.Errorf("graph: snapshot truncated: %w", ErrCorruptSnapshot)
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *snapReader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (r *snapReader) msg(m wire.Message) {
	lb := r.take(2)
	if lb == nil {
		return
	}
	p := r.take(int(binary.BigEndian.Uint16(lb)))
	if r.err != nil {
		return
	}
	if err := m.Decode(p); err != nil {
		r.err = fmt.Errorf("graph: snapshot: %w: %w", ErrCorruptSnapshot, err)
	}
}

// announcement decodes a channel_announcement payload from the trusted
// snapshot without validating its keys as curve points (the graph checked
// them when the gossip came in; decompressing 200,000 keys would dominate
// the load). Lengths are still checked.
func (r *snapReader) announcement() *wire.ChannelAnnouncement {
	lb := r.take(2)
	if lb == nil {
		return nil
	}
	p := &snapReader{b: r.take(int(binary.BigEndian.Uint16(lb)))}
	if r.err != nil {
		return nil
	}
	m := new(wire.ChannelAnnouncement)
	for _, sig := range []*wire.Signature{&m.NodeSignature1, &m.NodeSignature2, &m.BitcoinSignature1, &m.BitcoinSignature2} {
		copy(sig[:], p.take(64))
	}
	if fl := p.take(2); fl != nil {
		m.Features = wire.FeatureVectorFromBytes(p.take(int(binary.BigEndian.Uint16(fl))))
	}
	copy(m.ChainHash[:], p.take(32))
	if id := p.take(8); id != nil {
		m.ShortChannelID = wire.NewShortChannelID(binary.BigEndian.Uint64(id))
	}
	for _, pt := range []*[33]byte{(*[33]byte)(&m.NodeID1), (*[33]byte)(&m.NodeID2), (*[33]byte)(&m.BitcoinKey1), (*[33]byte)(&m.BitcoinKey2)} {
		copy(pt[:], p.take(33))
	}
	if p.err != nil {
		r.err = fmt.Errorf("graph: snapshot: short channel_announcement: %w", ErrCorruptSnapshot)
		return nil
	}
	if len(p.b) > 0 {
		m.ExtraData = append([]byte(nil), p.b...)
	}
	return m
}

// generatorPoint is the compressed secp256k1 generator: a valid key that
// stands in for a node_id while wire decodes the rest of a trusted
// node_announcement.
var generatorPoint = [33]byte{0x02, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95, 0xce, 0x87, 0x0b, 0x07,
	0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59, 0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98}

// nodeAnnouncement decodes a node_announcement of the trusted snapshot
// with wire's decoder (addresses need its checks) but without
// decompressing the node_id: the id is swapped for the generator point in a
// copy of the payload, then put back.
func (r *snapReader) nodeAnnouncement() *wire.NodeAnnouncement {
	lb := r.take(2)
	if lb == nil {
		return nil
	}
	p := r.take(int(binary.BigEndian.Uint16(lb)))
	if r.err != nil {
		return nil
	}
	var at int
	if len(p) >= 66 {
		at = 66 + int(binary.BigEndian.Uint16(p[64:])) + 4
	}
	if at == 0 || len(p) < at+33 {
		r.err = fmt.Errorf("graph: snapshot: short node_announcement: %w", ErrCorruptSnapshot)
		return nil
	}
	cp := append([]byte(nil), p...)
	var id wire.NodeID
	copy(id[:], cp[at:at+33])
	copy(cp[at:], generatorPoint[:])
	m := new(wire.NodeAnnouncement)
	if err := m.Decode(cp); err != nil {
		r.err = fmt.Errorf("graph: snapshot: %w: %w", ErrCorruptSnapshot, err)
		return nil
	}
	m.NodeID = id
	return m
}

// DecodeSnapshot decodes what EncodeSnapshot wrote. Errors match
// ErrCorruptSnapshot.
func DecodeSnapshot(b []byte) ([]ChannelRecord, []*wire.NodeAnnouncement, error) {
	r := &snapReader{b: b}
	if string(r.take(4)) != snapshotMagic {
		return nil, nil, fmt.Errorf("graph: snapshot: bad magic: %w", ErrCorruptSnapshot)
	}
	if v := r.take(1); v == nil || v[0] != snapshotVersion {
		return nil, nil, fmt.Errorf("graph: snapshot: unknown version: %w", ErrCorruptSnapshot)
	}
	nc, nn := r.u32(), r.u32()
	// Each channel takes at least 2+8+1 bytes, each node 2: bound the
	// allocation by the input.
	if r.err == nil && (uint64(nc)*11+uint64(nn)*2 > uint64(len(r.b))) {
		return nil, nil, fmt.Errorf("graph: snapshot: counts exceed the data: %w", ErrCorruptSnapshot)
	}
	chans := make([]ChannelRecord, 0, nc)
	for i := uint32(0); i < nc && r.err == nil; i++ {
		var rec ChannelRecord
		rec.Announcement = r.announcement()
		if b := r.take(8); b != nil {
			rec.Capacity = wire.Satoshi(binary.BigEndian.Uint64(b))
		}
		present := r.take(1)
		if present == nil {
			break
		}
		if present[0] > 3 {
			r.err = fmt.Errorf("graph: snapshot: bad update presence %#x: %w", present[0], ErrCorruptSnapshot)
			break
		}
		for d := range rec.Updates {
			if present[0]&(1<<d) != 0 {
				rec.Updates[d] = new(wire.ChannelUpdate)
				r.msg(rec.Updates[d])
			}
		}
		chans = append(chans, rec)
	}
	nodes := make([]*wire.NodeAnnouncement, 0, nn)
	for i := uint32(0); i < nn && r.err == nil; i++ {
		if m := r.nodeAnnouncement(); m != nil {
			nodes = append(nodes, m)
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("graph: snapshot: %d trailing bytes: %w", len(r.b), ErrCorruptSnapshot)
	}
	if r.err != nil {
		return nil, nil, r.err
	}
	return chans, nodes, nil
}

// Save writes the whole graph to store, atomically (one Apply): the
// snapshot in chunks and a meta record with its length and SHA-256.
func (g *Graph) Save(ctx context.Context, store persist.KVStore) error {
	chans, nodes := g.Records()
	snap, err := EncodeSnapshot(chans, nodes)
	if err != nil {
		return err
	}
	old, err := store.List(ctx, Namespace)
	if err != nil {
		return fmt.Errorf("graph: save: %w", err)
	}
	var ops []persist.Op
	n := 0
	for at := 0; at < len(snap); at += chunkSize {
		ops = append(ops, persist.WriteOp(Namespace, chunkKey(n), snap[at:min(at+chunkSize, len(snap))]))
		n++
	}
	keep := make(map[string]bool, n+1)
	for i := 0; i < n; i++ {
		keep[chunkKey(i)] = true
	}
	for _, k := range old {
		if !keep[k] && k != metaKey {
			ops = append(ops, persist.RemoveOp(Namespace, k))
		}
	}
	sum := sha256.Sum256(snap)
	meta := make([]byte, 0, metaSize)
	meta = append(meta, snapshotMagic...)
	meta = append(meta, snapshotVersion)
	meta = binary.BigEndian.AppendUint32(meta, uint32(n))
	meta = binary.BigEndian.AppendUint64(meta, uint64(len(snap)))
	meta = append(meta, sum[:]...)
	ops = append(ops, persist.WriteOp(Namespace, metaKey, meta))
	if err := store.Apply(ctx, ops); err != nil {
		return fmt.Errorf("graph: save: %w", err)
	}
	return nil
}

func chunkKey(i int) string { return fmt.Sprintf("chunk-%06d", i) }

// Load returns a Graph with cfg holding what Save last wrote to store (an
// empty graph when nothing was saved). The snapshot's checksum is checked;
// signatures are not (the store is trusted).
func Load(ctx context.Context, store persist.KVStore, cfg Config) (*Graph, error) {
	g, err := New(cfg)
	if err != nil {
		return nil, err
	}
	meta, err := store.Read(ctx, Namespace, metaKey)
	if errors.Is(err, persist.ErrNotFound) {
		return g, nil
	}
	if err != nil {
		return nil, fmt.Errorf("graph: load: %w", err)
	}
	if len(meta) != metaSize || string(meta[:4]) != snapshotMagic || meta[4] != snapshotVersion {
		return nil, fmt.Errorf("graph: load: bad meta record: %w", ErrCorruptSnapshot)
	}
	n := binary.BigEndian.Uint32(meta[5:])
	total := binary.BigEndian.Uint64(meta[9:])
	if total > uint64(n)*chunkSize {
		return nil, fmt.Errorf("graph: load: meta length %d over %d chunks: %w", total, n, ErrCorruptSnapshot)
	}
	snap := make([]byte, 0, total)
	for i := 0; i < int(n); i++ {
		part, err := store.Read(ctx, Namespace, chunkKey(i))
		if err != nil {
			return nil, fmt.Errorf("graph: load: %w", err)
		}
		snap = append(snap, part...)
	}
	if uint64(len(snap)) != total || sha256.Sum256(snap) != [32]byte(meta[17:]) {
		return nil, fmt.Errorf("graph: load: checksum mismatch: %w", ErrCorruptSnapshot)
	}
	chans, nodes, err := DecodeSnapshot(snap)
	if err != nil {
		return nil, err
	}
	g.ImportTrusted(chans, nodes)
	return g, nil
}
