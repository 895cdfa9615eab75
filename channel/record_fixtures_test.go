package channel

import (
	"slices"
	"sync"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// recordShape is what a record fixture's channel has been through.
type recordShape uint8

const (
	// recordMinimal: at the first commitments, channel_ready not yet
	// received, nothing optional set.
	recordMinimal recordShape = iota
	// recordReady: at the first commitments with every optional part a 1.0
	// record could hold: the counterparty's next point, aliases,
	// announcement signatures, a pending monitor update, shutdown both
	// ways and the agreed closing transaction (closed before any HTLC).
	recordReady
	// recordNormal: normal operation after several rounds (secrets
	// revealed, an update_fee applied): HTLCs of both sides in most
	// states of the update log, fulfilled (preimages), failed and failed
	// as malformed, a pending update_fee, our commitment_signed awaiting
	// its revoke_and_ack, and our last monitor updates pending.
	recordNormal
	// recordClosing: the same history, every HTLC resolved, then shutdown
	// both ways and the agreed closing transaction.
	recordClosing
)

// recordCase is one channel whose record is tested.
type recordCase struct {
	name   string
	typ    commit.ChannelType
	opener commit.Side
	shape  recordShape
}

// recordCases cover both commitment formats, both openers and every
// shape. The first is the one the golden record pins.
func recordCases() []recordCase {
	return []recordCase{
		{"anchors_we_open", commit.AnchorsZeroFeeHTLC, commit.Local, recordNormal},
		{"anchors_they_open", commit.AnchorsZeroFeeHTLC, commit.Remote, recordNormal},
		{"static_remotekey_we_open", commit.StaticRemoteKey, commit.Local, recordNormal},
		{"static_remotekey_they_open", commit.StaticRemoteKey, commit.Remote, recordNormal},
		{"closing_anchors_they_open", commit.AnchorsZeroFeeHTLC, commit.Remote, recordClosing},
		{"closing_static_remotekey_we_open", commit.StaticRemoteKey, commit.Local, recordClosing},
		{"ready_anchors_we_open", commit.AnchorsZeroFeeHTLC, commit.Local, recordReady},
		{"ready_static_remotekey_they_open", commit.StaticRemoteKey, commit.Remote, recordReady},
		{"minimal_they_open", commit.AnchorsZeroFeeHTLC, commit.Remote, recordMinimal},
		{"minimal_we_open", commit.StaticRemoteKey, commit.Local, recordMinimal},
	}
}

// recordCaseNamed is the case of recordCases named name.
func recordCaseNamed(t testing.TB, name string) recordCase {
	t.Helper()
	for _, c := range recordCases() {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no record case %q", name)
	return recordCase{}
}

// recordSigners are our and the counterparty's channel keys, derived from
// fixed seeds (once: a signer is immutable, and deriving is what decoding a
// record costs most in these tests otherwise).
func recordSigners() (ours, theirs *keys.InMemorySigner) { return recordSignersOnce() }

var recordSignersOnce = sync.OnceValues(func() (ours, theirs *keys.InMemorySigner) {
	ours = keys.NewManager(keys.Seed{0x01, 0xaa}, keys.Config{}).ChannelKeys([32]byte{0x11})
	theirs = keys.NewManager(keys.Seed{0x02, 0xbb}, keys.Config{}).ChannelKeys([32]byte{0x22})
	return ours, theirs
})

// recordPoint is signer s's per-commitment point n.
func recordPoint(t testing.TB, s *keys.InMemorySigner, n uint64) *btcec.PublicKey {
	t.Helper()
	p, err := s.PerCommitmentPoint(n)
	require.NoError(t, err)
	return p
}

// recordFundingTx returns a funding transaction paying capacity to the
// channel's funding script (the outpoint in p is not yet set).
func recordFundingTx(t testing.TB, p commit.Params) *btcwire.MsgTx {
	t.Helper()
	ch, err := commit.New(p)
	require.NoError(t, err)
	tx := btcwire.NewMsgTx(2)
	// Empty, not nil, as decoding gives them back.
	in := btcwire.NewTxIn(&btcwire.OutPoint{Hash: [32]byte{0xf0, 0x0d}, Index: 3}, []byte{}, nil)
	in.Witness = btcwire.TxWitness{make([]byte, 71), make([]byte, 33)}
	tx.AddTxIn(in)
	tx.AddTxOut(btcwire.NewTxOut(12_345, []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}))
	tx.AddTxOut(ch.FundingTxOut())
	return tx
}

// recordChanData builds a funded channel of case c as the Manager holds
// it, with real keys, a consistent funding, and a commitment chain and
// update log driven against the counterparty's (recordDriver). Its signer
// and its non-persisted update tracking are set too, to show the latter
// is not written.
func recordChanData(t testing.TB, c recordCase) *chanData {
	t.Helper()
	ours, theirs := recordSigners()
	const capacity = wire.Satoshi(1_500_000)
	p := commit.Params{
		Type: c.typ, Capacity: capacity, Opener: c.opener,
		Local:  commit.Party{Basepoints: basepointsOfSigner(ours), DustLimit: 546, CSVDelay: 720},
		Remote: commit.Party{Basepoints: basepointsOfSigner(theirs), DustLimit: 354, CSVDelay: 144},
	}
	fundingTx := recordFundingTx(t, p)
	p.FundingOutpoint = btcwire.OutPoint{Hash: fundingTx.TxHash(), Index: 1}
	ch, err := commit.New(p)
	require.NoError(t, err)

	chanType := ChannelType{Commitment: c.typ}
	if c.shape != recordMinimal {
		// An scid_alias channel is private (BOLT 2).
		chanType.ScidAlias, chanType.ZeroConf = c.opener == commit.Remote, c.opener == commit.Remote
	}
	co := &core{
		id: wire.NewChannelID(p.FundingOutpoint), tempID: wire.ChannelID{0x7e, 0x4d},
		counterparty: wire.NodeID(wire.NewPoint(recordPoint(t, theirs, 9))), userChannelID: 0x0102030405060708,
		keyID: [32]byte{0x11}, chanType: chanType, params: p, announce: !chanType.ScidAlias, minimumDepth: 3,
		ours:             sideLimits{dustLimit: 546, reserve: 15_000, htlcMinimum: 1, maxInFlight: 1_485_000_000, maxAcceptedHTLCs: 483, toSelfDelay: 144},
		theirs:           sideLimits{dustLimit: 354, reserve: 15_001, htlcMinimum: 1000, maxInFlight: 500_000_000, maxAcceptedHTLCs: 30, toSelfDelay: 720},
		ourUpfrontScript: p2wpkh(0xaa), createdHeight: 812_345,
		config: ChannelConfig{ForwardingFeeBaseMsat: 1000, ForwardingFeeProportionalMillionths: 250, CLTVExpiryDelta: 80,
			MaxDustHTLCExposure: 5_000_000, ForceCloseAvoidanceMaxFee: 1000},
		ch: ch, signer: ours,
	}
	if c.opener == commit.Local {
		co.fundingTx = fundingTx
	}
	holder := commit.State{LocalBalance: 1_000_000_000, RemoteBalance: 500_000_000, FeeRate: 2500}
	drv := newRecordDriver(t, co, ours, theirs, holder, c.shape != recordMinimal)
	d := &chanData{core: co, cc: drv.us.cc, log: drv.us.log, reestablished: true}
	d.fund = funding{confirmedHeight: 812_346, confirmedIndex: 7, confirmedHash: [32]byte{0xb1, 0x0c},
		scid: wire.ShortChannelID{BlockHeight: 812_346, TxIndex: 7, OutputIndex: 1}, readySent: true}
	d.mon = updates{latest: 1, completed: 1, completedAll: true, failed: true}
	if c.shape == recordMinimal {
		return d
	}

	co.theirUpfrontScript = []byte{0x51, 0x20, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
		0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33}
	d.fund.ourAlias = wire.ShortChannelID{BlockHeight: 0xfffff0, TxIndex: 1, OutputIndex: 2}
	d.fund.theirAlias = wire.ShortChannelID{BlockHeight: 0xfffff1, TxIndex: 3, OutputIndex: 4}
	d.fund.readyReceived, d.fund.announcementSent = true, co.announce
	if co.announce {
		d.fund.theirAnnouncement = &wire.AnnouncementSignatures{
			ChannelID: co.id, ShortChannelID: d.fund.scid,
			NodeSignature: wire.Signature{0x4e, 0x53}, BitcoinSignature: wire.Signature{0x42, 0x53},
			ExtraTLVs: wire.TLVRecords{{Type: 7, Value: []byte{0xee}}},
		}
	}
	switch c.shape {
	case recordNormal:
		drv.normal()
	case recordClosing:
		drv.closing()
	}
	recordHoldTimes(d.log)
	// Our monitor updates: one per step our chain returned (none at the
	// first commitments), the last ones not yet known durable.
	var steps [][]monitor.Step
	for _, s := range drv.us.steps {
		steps = append(steps, []monitor.Step{s})
	}
	if c.shape != recordNormal {
		steps = append(steps, []monitor.Step{&monitor.ShutdownScript{Script: p2wpkh(0xcc)}})
		recordShutdown(d, c.opener == commit.Local)
	}
	d.mon = updates{latest: uint64(len(steps)) + 1, completed: 1, completedAll: true}
	for i, s := range steps {
		id := uint64(i) + 2 // 1 was channel_ready's, before
		if len(steps)-i > 2 {
			d.mon.completed = id
			continue
		}
		d.mon.pending = append(d.mon.pending, &monitor.Update{ID: id, Steps: s})
	}
	return d
}

// recordShutdown sets d's shutdown, both ways, and the closing
// transaction agreed on d's settled commitments (the opener pays 700 sat).
func recordShutdown(d *chanData, initiator bool) {
	var fee [2]int64
	fee[d.params.Opener] = 700
	st := &d.cc.holder
	closing := btcwire.NewMsgTx(2)
	closing.AddTxIn(&btcwire.TxIn{PreviousOutPoint: d.params.FundingOutpoint, Sequence: 0xfffffffd, SignatureScript: []byte{},
		Witness: btcwire.TxWitness{{}, make([]byte, 72), make([]byte, 71), d.ch.FundingScript()}})
	closing.AddTxOut(btcwire.NewTxOut(int64(st.LocalBalance.ToSatoshi())-fee[commit.Local], p2wpkh(0xcc)))
	closing.AddTxOut(btcwire.NewTxOut(int64(st.RemoteBalance.ToSatoshi())-fee[commit.Remote], d.theirUpfrontScript))
	d.shut = shutdownState{ourScript: p2wpkh(0xcc), theirScript: d.theirUpfrontScript, closingTx: closing, initiator: initiator}
}

// recordPersisted is what decoding d's record must give back of d's
// fields other than the chain and the log (compared apart, by
// requireSameChanData): d without its signer and commit.Channel (rebuilt),
// with no update known completed and nothing of the connection.
func recordPersisted(d *chanData) chanData {
	c := *d.core
	c.signer, c.ch = nil, nil
	return chanData{core: &c, fund: d.fund, shut: d.shut, mon: updates{latest: d.mon.latest, pending: withoutHints(d.mon.pending)}}
}

// withoutHints copies updates without their steps' Built hints, which
// live in memory only (a decoded step has none).
func withoutHints(us []*monitor.Update) []*monitor.Update {
	out := make([]*monitor.Update, len(us))
	for i, u := range us {
		c := &monitor.Update{ID: u.ID, Steps: slices.Clone(u.Steps)}
		for j, s := range c.Steps {
			switch s := s.(type) {
			case *monitor.NewHolderCommitment:
				cp := *s
				cp.Built = nil
				c.Steps[j] = &cp
			case *monitor.NewCounterpartyCommitment:
				cp := *s
				cp.Built = nil
				c.Steps[j] = &cp
			}
		}
		out[i] = c
	}
	if len(us) == 0 {
		return us
	}
	return out
}

// requireSameChanData asserts that got is the decoding of want's record:
// the same persisted fields, the commit.Channel and the signer rebuilt,
// and the same chain and log (compared by their persisted forms, and
// their configuration by what it is rebuilt from).
func requireSameChanData(t testing.TB, want, got *chanData) {
	t.Helper()
	require.NotNil(t, got.ch, "commit.Channel rebuilt")
	require.Equal(t, want.params, got.ch.Params())
	require.NotNil(t, got.signer, "signer from the provider")
	require.Equal(t, want.signer.Basepoints(), got.signer.Basepoints())
	require.NotNil(t, got.cc)
	require.NotNil(t, got.log)
	require.Equal(t, got.chainConfig(), got.cc.cfg, "chain configured from the record")
	require.Equal(t, got.logParams(), got.log.p, "log configured from the record")
	require.Equal(t, recordChainBytes(t, want.cc), recordChainBytes(t, got.cc), "commitment chain")
	require.Equal(t, normalizeLog(want.log), normalizeLog(got.log), "update log")
	require.Equal(t, recordPersisted(want), recordPersisted(got))
	require.False(t, got.reestablished)
	require.Zero(t, got.unsent)
}

// requireStableChanData asserts that a decoded channel d encodes, and
// that its record decodes to the same channel and encodes to the same
// bytes (decode, encode, decode is stable).
func requireStableChanData(t testing.TB, d *chanData) {
	t.Helper()
	rec, err := encodeChanData(d)
	require.NoError(t, err)
	again, err := decodeChanData(rec, recordProvider{})
	require.NoError(t, err)
	requireSameChanData(t, d, again)
	rec2, err := encodeChanData(again)
	require.NoError(t, err)
	require.Equal(t, rec, rec2)
}

// recordChainBytes is c's persisted form.
func recordChainBytes(t testing.TB, c *commitmentChain) []byte {
	t.Helper()
	b, err := encodeCommitmentChain(c)
	require.NoError(t, err)
	return b
}

// recordTLVs splits a channel record into its TLV records.
func recordTLVs(t *testing.T, rec []byte) wire.TLVRecords {
	t.Helper()
	var rs wire.TLVRecords
	_, _, err := ChannelFormat.Decode(rec, func(typ uint64, v []byte) (bool, error) {
		rs = append(rs, wire.TLVRecord{Type: typ, Value: append([]byte(nil), v...)})
		return true, nil
	})
	require.NoError(t, err)
	return rs
}

// recordOf reassembles a channel record from TLV records.
func recordOf(t *testing.T, rs wire.TLVRecords) []byte {
	t.Helper()
	b, err := ChannelFormat.Append(nil, rs)
	require.NoError(t, err)
	return b
}

// recordProvider gives the record fixtures' signer for their key id.
type recordProvider struct{}

func (recordProvider) NewChannelKeyID() [32]byte { return [32]byte{0x11} }

func (recordProvider) ChannelSigner(id [32]byte) ChannelSigner {
	if id != [32]byte{0x11} {
		return nil
	}
	ours, _ := recordSigners()
	return ours
}

// recordHoldTimes gives l's inbound HTLCs an arrival time and the removal
// of its first fulfilled or failed HTLC attribution data (update log
// record 5): what a log carries since attributable failures. One only:
// the record tests decode every prefix of the records.
func recordHoldTimes(l *updateLog) {
	attr := false
	for i := range l.htlcs {
		h := &l.htlcs[i]
		if h.offerer() == commit.Remote {
			h.receivedAt = 1_780_000_000_000 + 1000*h.id + 7
		}
		if (h.outcome.kind == htlcFulfilled || h.outcome.kind == htlcFailed) && !attr {
			attr = true
			a := new(wire.AttributionData)
			for j := range a {
				a[j] = byte(i + j)
			}
			h.outcome.attr = a
		}
	}
}

// withoutHoldTimes undoes recordHoldTimes on a copy of d's log: d as a log
// of version 1.0 holds it.
func withoutHoldTimes(d *chanData) *chanData {
	return mapHTLCs(d, func(h *htlcEntry) { h.receivedAt, h.outcome.attr = 0, nil })
}

// withoutCommittedOnions is d without the onions of our adds the peer
// revoked for (committed, or being removed), which code before they were
// dropped at that revocation kept.
func withoutCommittedOnions(d *chanData) *chanData {
	return mapHTLCs(d, func(h *htlcEntry) {
		if h.state.outbound() && h.state != htlcLocalAnnounced {
			h.onion = nil
		}
	})
}

// mapHTLCs is a copy of d with f applied to each HTLC of its log.
func mapHTLCs(d *chanData, f func(*htlcEntry)) *chanData {
	c := *d
	l := *d.log
	l.htlcs = append([]htlcEntry(nil), l.htlcs...)
	for i := range l.htlcs {
		f(&l.htlcs[i])
	}
	c.log = &l
	return &c
}
