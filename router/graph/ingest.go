package graph

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/wire"
)

// sigCheck is one signature to verify: of hash, by key (or, when key is
// nil, by the key point decodes to).
type sigCheck struct {
	sig   *wire.Signature
	key   *btcec.PublicKey
	point wire.Point
}

// item is one message of a batch on its way through the checks.
type item struct {
	msg    wire.Message
	err    error
	hash   chainhash.Hash
	checks [4]sigCheck
	n      int
	// parsed keys of a channel_announcement's nodes, kept for later updates.
	nodeKeys [2]*btcec.PublicKey
	capacity wire.Satoshi
}

// AddChannelAnnouncement checks m (chain, key order, the four signatures,
// the funding output through the UTXOSource) and adds the channel. It
// returns nil when the channel was added, or an error saying why not
// (matching one of the Err… reasons).
func (g *Graph) AddChannelAnnouncement(ctx context.Context, m *wire.ChannelAnnouncement) error {
	return g.AddBatch(ctx, []wire.Message{m})[0]
}

// AddNodeAnnouncement checks m (size, a known node, a newer timestamp, the
// signature) and stores it.
func (g *Graph) AddNodeAnnouncement(ctx context.Context, m *wire.NodeAnnouncement) error {
	return g.AddBatch(ctx, []wire.Message{m})[0]
}

// AddChannelUpdate checks m (chain, a known channel, timestamp order and
// age, the direction's rate limit, the signature) and applies it.
func (g *Graph) AddChannelUpdate(ctx context.Context, m *wire.ChannelUpdate) error {
	return g.AddBatch(ctx, []wire.Message{m})[0]
}

// AddBatch applies gossip messages in order, as if each were added alone
// in that order, and returns one error per message (nil: applied). Other
// message types get ErrMalformed. A channel_update may follow its
// channel_announcement in the same batch.
//
// The checks run cheapest first: everything that needs no signature is
// checked against the graph before any signature is verified, so a flood
// of duplicates, outdated or unknown-channel messages costs a map lookup
// each. Signatures are then verified on Config.VerifyWorkers goroutines
// (verification is pure, so the result does not depend on the workers),
// funding outputs looked up, and the messages applied in order under the
// write lock, with the graph checks repeated.
func (g *Graph) AddBatch(ctx context.Context, msgs []wire.Message) []error {
	items := make([]item, len(msgs))
	for i, m := range msgs {
		items[i].msg = m
	}
	g.prefilter(items)
	g.verify(items)
	for i := range items {
		it := &items[i]
		if ca, ok := it.msg.(*wire.ChannelAnnouncement); ok && it.err == nil {
			it.capacity, it.err = g.funding.check(ctx, ca)
		}
	}
	g.apply(items)
	errs := make([]error, len(items))
	for i := range items {
		errs[i] = items[i].err
	}
	return errs
}

// prefilter runs the checks that need no signature, under the read lock,
// and prepares the signature checks.
func (g *Graph) prefilter(items []item) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	// announcements earlier in this batch, by scid.
	batchAnn := make(map[uint64]*wire.ChannelAnnouncement)
	batchNodes := make(map[wire.NodeID]bool)
	for i := range items {
		it := &items[i]
		switch m := it.msg.(type) {
		case *wire.ChannelAnnouncement:
			it.err = g.precheckAnnouncement(m, batchAnn)
			if it.err != nil {
				continue
			}
			batchAnn[m.ShortChannelID.ToUint64()] = m
			batchNodes[m.NodeID1], batchNodes[m.NodeID2] = true, true
			it.hash, it.err = m.SignedDataHash()
			if it.err != nil {
				it.err = fmt.Errorf("graph: %w: %w", ErrMalformed, it.err)
				continue
			}
			k1, k2 := g.knownKey(m.NodeID1), g.knownKey(m.NodeID2)
			it.checks = [4]sigCheck{
				{sig: &m.NodeSignature1, key: k1, point: wire.Point(m.NodeID1)},
				{sig: &m.NodeSignature2, key: k2, point: wire.Point(m.NodeID2)},
				{sig: &m.BitcoinSignature1, point: m.BitcoinKey1},
				{sig: &m.BitcoinSignature2, point: m.BitcoinKey2},
			}
			it.n = 4
		case *wire.NodeAnnouncement:
			it.err = g.precheckNode(m, batchNodes)
			if it.err != nil {
				continue
			}
			it.hash, it.err = m.SignedDataHash()
			if it.err != nil {
				it.err = fmt.Errorf("graph: %w: %w", ErrMalformed, it.err)
				continue
			}
			it.checks[0] = sigCheck{sig: &m.Signature, key: g.knownKey(m.NodeID), point: wire.Point(m.NodeID)}
			it.n = 1
		case *wire.ChannelUpdate:
			var signer wire.NodeID
			signer, it.err = g.precheckUpdate(m, batchAnn)
			if it.err != nil {
				continue
			}
			if it.hash, it.err = m.SignedDataHash(); it.err != nil {
				it.err = fmt.Errorf("graph: %w: %w", ErrMalformed, it.err)
				continue
			}
			it.checks[0] = sigCheck{sig: &m.Signature, key: g.knownKey(signer), point: wire.Point(signer)}
			it.n = 1
		default:
			it.err = fmt.Errorf("graph: %v is not gossip to add: %w", it.msg.Type(), ErrMalformed)
		}
	}
}

func (g *Graph) knownKey(id wire.NodeID) *btcec.PublicKey {
	if n, ok := g.nodeByID[id]; ok {
		return g.nodeKey[n]
	}
	return nil
}

func (g *Graph) precheckAnnouncement(m *wire.ChannelAnnouncement, batch map[uint64]*wire.ChannelAnnouncement) error {
	if m.ChainHash != g.cfg.ChainHash {
		return ErrWrongChain
	}
	scid := m.ShortChannelID.ToUint64()
	if _, ok := g.chanBySCID[scid]; ok {
		return ErrDuplicate
	}
	if _, ok := batch[scid]; ok {
		return ErrDuplicate
	}
	if bytes.Compare(m.NodeID1[:], m.NodeID2[:]) >= 0 {
		return fmt.Errorf("graph: node_id_1 not below node_id_2: %w", ErrMalformed)
	}
	if g.funding.src != nil && g.funding.cachedMiss(scid) {
		return ErrFundingNotFound
	}
	return nil
}

// nodeAnnouncementSize is the encoded size of m, computed from its fields
// without encoding it.
func nodeAnnouncementSize(m *wire.NodeAnnouncement) int {
	n := 64 + 2 + len(m.Features.Bytes()) + 4 + 33 + 3 + 32 + 2 + len(m.UnknownAddresses) + len(m.ExtraData)
	for _, a := range m.Addresses {
		n += 1 + len(a.Addr) + 2
		if a.Type == wire.AddressDNS {
			n++
		}
	}
	return n
}

func (g *Graph) precheckNode(m *wire.NodeAnnouncement, batch map[wire.NodeID]bool) error {
	if nodeAnnouncementSize(m) > g.cfg.MaxNodeAnnouncementSize {
		return ErrTooLarge
	}
	n, ok := g.nodeByID[m.NodeID]
	if !ok {
		if !batch[m.NodeID] {
			return ErrUnknownNode
		}
		return nil
	}
	if old := g.nodeAnn[n]; old != nil && m.Timestamp <= old.Timestamp {
		return ErrOutdated
	}
	return nil
}

// precheckUpdate returns the node that must have signed m.
func (g *Graph) precheckUpdate(m *wire.ChannelUpdate, batch map[uint64]*wire.ChannelAnnouncement) (wire.NodeID, error) {
	if m.ChainHash != g.cfg.ChainHash {
		return wire.NodeID{}, ErrWrongChain
	}
	if err := g.checkUpdateTime(m); err != nil {
		return wire.NodeID{}, err
	}
	d := m.ChannelFlags.Direction()
	scid := m.ShortChannelID.ToUint64()
	if c, ok := g.chanBySCID[scid]; ok {
		if err := g.checkUpdateState(c, m); err != nil {
			return wire.NodeID{}, err
		}
		return g.nodes[g.chans[c].Node[d]].ID, nil
	}
	if a, ok := batch[scid]; ok {
		if d == 0 {
			return a.NodeID1, nil
		}
		return a.NodeID2, nil
	}
	return wire.NodeID{}, ErrUnknownChannel
}

// checkUpdateTime rejects a zero timestamp, a stale one and one too far in
// the future. Time checks start with the first Tick.
func (g *Graph) checkUpdateTime(m *wire.ChannelUpdate) error {
	if m.Timestamp == 0 {
		return fmt.Errorf("graph: channel_update with timestamp 0: %w", ErrMalformed)
	}
	if g.now.IsZero() {
		return nil
	}
	now := g.now.Unix()
	ts := int64(m.Timestamp)
	if ts < now-int64(g.cfg.StaleAfter.Seconds()) || ts > now+int64(g.cfg.MaxFutureSkew.Seconds()) {
		return ErrStale
	}
	return nil
}

// checkUpdateState checks m against the channel's current state: newer
// timestamp, the direction's rate limit. Caller holds mu (read or write).
func (g *Graph) checkUpdateState(c ChanIdx, m *wire.ChannelUpdate) error {
	d := m.ChannelFlags.Direction()
	if p := &g.chans[c].Policy[d]; p.Flags&PolicyKnown != 0 && m.Timestamp <= p.Timestamp {
		return ErrOutdated
	}
	if !g.buckets[c][d].allow(g.now, g.cfg.UpdateBurst, g.cfg.UpdateRefill) {
		return ErrRateLimited
	}
	return nil
}

// verify checks every prepared signature, on the configured workers.
func (g *Graph) verify(items []item) {
	w := min(g.cfg.VerifyWorkers, len(items))
	if w <= 1 {
		for i := range items {
			verifyItem(&items[i])
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (len(items) + w - 1) / w
	for start := 0; start < len(items); start += chunk {
		part := items[start:min(start+chunk, len(items))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range part {
				verifyItem(&part[i])
			}
		}()
	}
	wg.Wait()
}

func verifyItem(it *item) {
	if it.err != nil {
		return
	}
	for j := 0; j < it.n; j++ {
		c := &it.checks[j]
		key := c.key
		if key == nil {
			var err error
			if key, err = c.point.PublicKey(); err != nil {
				it.err = fmt.Errorf("graph: %v: invalid key: %w", it.msg.Type(), ErrBadSignature)
				return
			}
		}
		if !c.sig.Verify(it.hash[:], key) {
			it.err = fmt.Errorf("graph: %v: signature %d does not verify: %w", it.msg.Type(), j+1, ErrBadSignature)
			return
		}
		if j < 2 {
			it.nodeKeys[j] = key
		}
	}
}

// apply applies verified items in order under the write lock, repeating
// the checks against the graph.
func (g *Graph) apply(items []item) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := range items {
		it := &items[i]
		if it.err != nil {
			continue
		}
		switch m := it.msg.(type) {
		case *wire.ChannelAnnouncement:
			if _, ok := g.chanBySCID[m.ShortChannelID.ToUint64()]; ok {
				it.err = ErrDuplicate
				continue
			}
			unknown := m.Features.CheckRequired(*g.cfg.KnownFeatures) != nil
			c := g.addChannel(m, it.capacity, unknown)
			for j, n := range g.chans[c].Node {
				if g.nodeKey[n] == nil {
					g.nodeKey[n] = it.nodeKeys[j]
				}
			}
		case *wire.NodeAnnouncement:
			n, ok := g.nodeByID[m.NodeID]
			switch {
			case !ok:
				it.err = ErrUnknownNode
			case g.nodeAnn[n] != nil && m.Timestamp <= g.nodeAnn[n].Timestamp:
				it.err = ErrOutdated
			default:
				g.applyNodeAnnouncement(n, m)
				if g.nodeKey[n] == nil {
					g.nodeKey[n] = it.nodeKeys[0]
				}
			}
		case *wire.ChannelUpdate:
			c, ok := g.chanBySCID[m.ShortChannelID.ToUint64()]
			if !ok {
				it.err = ErrUnknownChannel
				continue
			}
			if it.err = g.checkUpdateState(c, m); it.err != nil {
				continue
			}
			d := m.ChannelFlags.Direction()
			g.buckets[c][d].take(g.now, g.cfg.UpdateBurst, g.cfg.UpdateRefill)
			g.applyUpdate(c, m)
		}
	}
}
