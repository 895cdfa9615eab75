package monitor

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/persist"
	lnwire "github.com/lnkit/lnkit/wire"
)

// MonitorFormat is the record format of an encoded ChannelMonitor. Minor 1
// added the odd record monTypeTheirPoint (a 1.0 reader skips it, and still
// reads the behind flag); minor 2 the odd record monTypePreimages (an
// older reader, which claims no HTLC, skips it: the preimages are lost if
// it writes the monitor back); minor 3 the odd records monTypeHTLCHistory
// (the HTLCs of revoked counterparty commitments), monTypeSecondStage (the
// cheater's HTLC transactions seen after a breach) and monTypeOnChain
// (what the monitor remembers of its claims: their script, the confirmed
// spends of the outputs it watches, each claim's last fee rate), which an
// older reader skips and loses if it writes back.
var MonitorFormat = persist.RecordFormat{Type: 0x4e, Major: 1, Minor: 3}

// TLV types of a monitor record. Even: a reader must know them; odd
// (monTypeTheirPoint, monTypePreimages): an older reader skips them.
const (
	monTypeParams       = 0
	monTypeKeyID        = 2
	monTypeLatestID     = 4
	monTypeHolder       = 6
	monTypePrevHolder   = 8
	monTypeCounterparty = 10
	monTypeSecrets      = 12
	monTypeShutdown     = 14
	monTypeFlags        = 16
	monTypeChain        = 18
	monTypeTheirPoint   = 19
	monTypePreimages    = 21
	monTypeHTLCHistory  = 23
	monTypeSecondStage  = 25
	monTypeOnChain      = 27
)

const (
	flagForceClosed = 1 << iota
	flagBehind
)

func encodeParams(e *encoder, p commit.Params) {
	e.u8(uint8(p.Type))
	e.outpoint(p.FundingOutpoint)
	e.u64(uint64(p.Capacity))
	e.u8(uint8(p.Opener))
	for _, party := range []commit.Party{p.Local, p.Remote} {
		b := party.Basepoints
		e.point(b.Funding)
		e.point(b.Revocation)
		e.point(b.Payment)
		e.point(b.DelayedPayment)
		e.point(b.HTLC)
		e.u64(uint64(party.DustLimit))
		e.u16(party.CSVDelay)
	}
}

func decodeParams(d *decoder) commit.Params {
	p := commit.Params{Type: commit.ChannelType(d.u8()), FundingOutpoint: d.outpoint()}
	p.Capacity = lnwire.Satoshi(d.u64())
	p.Opener = commit.Side(d.u8())
	for _, party := range []*commit.Party{&p.Local, &p.Remote} {
		party.Funding = d.point()
		party.Revocation = d.point()
		party.Payment = d.point()
		party.DelayedPayment = d.point()
		party.HTLC = d.point()
		party.DustLimit = lnwire.Satoshi(d.u64())
		party.CSVDelay = d.u16()
	}
	return p
}

func encodeChain(e *encoder, c *chainState) {
	e.u32(uint32(c.best))
	if c.spend == nil {
		e.u8(0)
		return
	}
	e.u8(1)
	var buf bytes.Buffer
	_ = c.spend.Tx.Serialize(&buf) // a bytes.Buffer does not fail
	e.bytes(buf.Bytes())
	e.u32(uint32(c.spend.Height))
	e.raw(c.spend.BlockHash[:])
}

// Encode returns the monitor's record (MonitorFormat): everything it
// holds, including what it learned from the chain.
func (m *ChannelMonitor) Encode() ([]byte, error) {
	var p, h, ph, cp, sh, fl, ch encoder
	encodeParams(&p, m.ch.Params())
	m.holder.step.encode(&h)
	if m.prevHolder != nil {
		m.prevHolder.step.encode(&ph)
	}
	cp.u32(uint32(len(m.counterparty)))
	for _, c := range m.counterparty {
		cp.state(c.st)
	}
	secrets, err := m.secrets.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("monitor: encode secrets: %w", err)
	}
	sh.bytes(m.shutdownScript)
	var flags uint8
	if m.forceClosed {
		flags |= flagForceClosed
	}
	if m.behind {
		flags |= flagBehind
	}
	fl.u8(flags)
	encodeChain(&ch, &m.chain)
	rs := lnwire.TLVRecords{
		{Type: monTypeParams, Value: p.b},
		{Type: monTypeKeyID, Value: m.keyID[:]},
		{Type: monTypeLatestID, Value: lnwire.AppendTU64(nil, m.latestID)},
		{Type: monTypeHolder, Value: h.b},
	}
	if m.prevHolder != nil {
		rs = append(rs, lnwire.TLVRecord{Type: monTypePrevHolder, Value: ph.b})
	}
	rs = append(rs,
		lnwire.TLVRecord{Type: monTypeCounterparty, Value: cp.b},
		lnwire.TLVRecord{Type: monTypeSecrets, Value: secrets},
		lnwire.TLVRecord{Type: monTypeShutdown, Value: sh.b},
		lnwire.TLVRecord{Type: monTypeFlags, Value: fl.b},
		lnwire.TLVRecord{Type: monTypeChain, Value: ch.b},
	)
	if m.theirCurrentPoint != nil {
		rs = append(rs, lnwire.TLVRecord{Type: monTypeTheirPoint, Value: m.theirCurrentPoint.SerializeCompressed()})
	}
	if len(m.preimages) > 0 {
		rs = append(rs, lnwire.TLVRecord{Type: monTypePreimages, Value: encodePreimages(m.preimages)})
	}
	if m.history.some {
		rs = append(rs, lnwire.TLVRecord{Type: monTypeHTLCHistory, Value: encodeHistory(&m.history)})
	}
	if len(m.chain.secondStage) > 0 {
		var ss encoder
		ss.u32(uint32(len(m.chain.secondStage)))
		for _, tx := range m.chain.secondStage {
			var buf bytes.Buffer
			_ = tx.Serialize(&buf) // a bytes.Buffer does not fail
			ss.bytes(buf.Bytes())
		}
		rs = append(rs, lnwire.TLVRecord{Type: monTypeSecondStage, Value: ss.b})
	}
	if m.hasOnChainState() {
		var oc encoder
		encodeOnChain(&oc, &m.chain)
		rs = append(rs, lnwire.TLVRecord{Type: monTypeOnChain, Value: oc.b})
	}
	return MonitorFormat.Append(nil, rs)
}

// encodePreimages writes the preimages in increasing order of their
// payment hash (one encoding per set): their count, then each preimage.
func encodePreimages(ps map[lnwire.PaymentHash]lnwire.Preimage) []byte {
	hashes := make([]lnwire.PaymentHash, 0, len(ps))
	for h := range ps {
		hashes = append(hashes, h)
	}
	slices.SortFunc(hashes, func(a, b lnwire.PaymentHash) int { return bytes.Compare(a[:], b[:]) })
	e := encoder{b: make([]byte, 0, 4+len(hashes)*len(lnwire.Preimage{}))}
	e.u32(uint32(len(hashes)))
	for _, h := range hashes {
		p := ps[h]
		e.raw(p[:])
	}
	return e.b
}

// decodePreimages reads what encodePreimages wrote. Their count is bounded
// by the record's length (not by maxListLen: a monitor keeps every
// preimage it learned, however many); the hashes must strictly increase.
func decodePreimages(d *decoder) map[lnwire.PaymentHash]lnwire.Preimage {
	n := d.u32()
	if d.err == nil && uint64(n) > uint64(len(d.b))/uint64(len(lnwire.Preimage{})) {
		d.fail(fmt.Errorf("%d preimages in %d bytes", n, len(d.b)))
	}
	if d.err != nil {
		return nil
	}
	ps := make(map[lnwire.PaymentHash]lnwire.Preimage, n)
	var last lnwire.PaymentHash
	for i := uint32(0); i < n && d.err == nil; i++ {
		var p lnwire.Preimage
		d.fixed(p[:])
		h := p.Hash()
		if i > 0 && bytes.Compare(h[:], last[:]) <= 0 {
			d.fail(errors.New("preimages not in increasing hash order"))
		}
		ps[h], last = p, h
	}
	return ps
}

// Decode reads a monitor written by Encode. A malformed record gives an
// error matching ErrCorrupt (or persist.ErrCorrupt / ErrNewerVersion),
// never a panic; the data is checked as New checks it (the holder
// commitment's signature is verified again).
func Decode(data []byte) (*ChannelMonitor, error) {
	var (
		cfg        Config
		prev       *NewHolderCommitment
		cps        []*commit.State
		secrets    []byte
		shutdown   []byte
		flags      uint8
		chainData  []byte
		latestID   uint64
		theirPoint *btcec.PublicKey
		preimages  map[lnwire.PaymentHash]lnwire.Preimage
		history    *htlcHistory
		second     [][]byte
		onChain    *chainState
		seen       = map[uint64]bool{}
	)
	_, _, err := MonitorFormat.Decode(data, func(typ uint64, v []byte) (bool, error) {
		seen[typ] = true
		d := &decoder{b: v}
		switch typ {
		case monTypeParams:
			cfg.Params = decodeParams(d)
		case monTypeKeyID:
			d.fixed(cfg.ChannelKeyID[:])
		case monTypeLatestID:
			id, err := lnwire.ReadTU64(v)
			latestID = id
			return true, err
		case monTypeHolder:
			cfg.FirstHolder = &NewHolderCommitment{}
			cfg.FirstHolder.decode(d)
		case monTypePrevHolder:
			prev = &NewHolderCommitment{}
			prev.decode(d)
		case monTypeCounterparty:
			n := d.count()
			for i := 0; i < n && d.err == nil; i++ {
				cps = append(cps, d.state())
			}
		case monTypeSecrets:
			secrets = bytes.Clone(v)
			return true, nil
		case monTypeShutdown:
			shutdown = d.bytes()
		case monTypeFlags:
			flags = d.u8()
		case monTypeChain:
			chainData = bytes.Clone(v)
			return true, nil
		case monTypeTheirPoint:
			theirPoint = d.point()
		case monTypePreimages:
			preimages = decodePreimages(d)
		case monTypeHTLCHistory:
			h := decodeHistory(d)
			history = &h
		case monTypeOnChain:
			onChain = &chainState{}
			decodeOnChain(d, onChain)
		case monTypeSecondStage:
			n := d.count()
			for i := 0; i < n && d.err == nil; i++ {
				second = append(second, d.bytes())
			}
		default:
			return false, nil
		}
		return true, d.end()
	})
	if err != nil {
		return nil, err
	}
	for _, t := range []uint64{monTypeParams, monTypeKeyID, monTypeLatestID, monTypeHolder, monTypeCounterparty, monTypeSecrets, monTypeShutdown, monTypeFlags, monTypeChain} {
		if !seen[t] {
			return nil, fmt.Errorf("%w: missing record %d", ErrCorrupt, t)
		}
	}
	m, err := newMonitor(cfg, false)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	m.latestID = latestID
	if prev != nil {
		if m.prevHolder, err = m.buildHolder(prev, false); err != nil {
			return nil, fmt.Errorf("%w: previous holder: %w", ErrCorrupt, err)
		}
	}
	for _, st := range cps {
		c, err := m.buildCounterparty(&NewCounterpartyCommitment{State: st})
		if err != nil {
			return nil, fmt.Errorf("%w: counterparty: %w", ErrCorrupt, err)
		}
		m.counterparty = append(m.counterparty, c)
	}
	if err := m.secrets.UnmarshalBinary(secrets); err != nil {
		return nil, fmt.Errorf("%w: secrets: %w", ErrCorrupt, err)
	}
	if len(shutdown) > 0 {
		m.shutdownScript = shutdown
	}
	m.forceClosed = flags&flagForceClosed != 0
	m.behind = flags&flagBehind != 0
	if theirPoint != nil && !m.behind {
		return nil, fmt.Errorf("%w: counterparty point without the behind flag", ErrCorrupt)
	}
	m.theirCurrentPoint = theirPoint
	if len(preimages) > 0 {
		m.preimages = preimages
	}
	if history != nil {
		m.history = *history
	}
	if err := m.decodeChain(chainData); err != nil {
		return nil, err
	}
	if err := m.decodeSecondStage(second); err != nil {
		return nil, err
	}
	if onChain != nil {
		// The sweep script outlives a reorganised funding spend; spends
		// and claim states do not.
		if m.chain.spend == nil && (len(onChain.spent) > 0 || len(onChain.claimStates) > 0) {
			return nil, fmt.Errorf("%w: claims without a funding spend", ErrCorrupt)
		}
		m.chain.script, m.chain.spent, m.chain.claimStates = onChain.script, onChain.spent, onChain.claimStates
		m.requeueRevealed()
	}
	return m, nil
}

// decodeSecondStage restores the cheater's HTLC transactions seen after a
// breach: each must add revoked outputs to the breach again.
func (m *ChannelMonitor) decodeSecondStage(raws [][]byte) error {
	if len(raws) > 0 && m.chain.breach == nil {
		return fmt.Errorf("%w: second-stage transactions without a breach", ErrCorrupt)
	}
	for _, raw := range raws {
		tx := &btcwire.MsgTx{}
		if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
			return fmt.Errorf("%w: second-stage transaction: %w", ErrCorrupt, err)
		}
		if m.chain.breach.AddSecondStage(tx) == 0 {
			return fmt.Errorf("%w: second-stage transaction %s adds no revoked output", ErrCorrupt, tx.TxHash())
		}
		m.chain.secondStage = append(m.chain.secondStage, tx)
	}
	m.chain.changed = false
	return nil
}

// decodeChain restores the chain state: the funding spend is recognised
// again from its transaction (deterministic). Which claims were emitted is
// not kept: after a restart the claims (and ChannelClosed) are emitted
// again at the next block — at-least-once delivery, since an event handed
// out but not yet in the application's durable queue when the process
// died would otherwise be lost. The sweeper ignores an output already
// spent.
func (m *ChannelMonitor) decodeChain(v []byte) error {
	d := &decoder{b: v}
	best := int32(d.u32())
	if d.u8() == 1 {
		raw := d.bytes()
		height := int32(d.u32())
		var hash chainhash.Hash
		d.fixed(hash[:])
		if err := d.end(); err != nil {
			return err
		}
		tx := &btcwire.MsgTx{}
		if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
			return fmt.Errorf("%w: funding spend: %w", ErrCorrupt, err)
		}
		if !spendsOutpoint(tx, m.FundingOutPoint()) {
			return fmt.Errorf("%w: funding spend does not spend the funding output", ErrCorrupt)
		}
		behind := m.behind
		m.recognise(tx, height)
		m.chain.spend.BlockHash = hash
		m.behind = m.behind || behind
	} else if err := d.end(); err != nil {
		return err
	}
	m.chain.best = best
	m.chain.changed = false
	return nil
}
