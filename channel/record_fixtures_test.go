package channel

import (
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// recordCase is one shape of funded channel whose record is tested.
type recordCase struct {
	name   string
	typ    commit.ChannelType
	opener commit.Side
	// full sets every optional part: HTLCs, next point, announcement,
	// pending updates, shutdown with closing transaction.
	full bool
}

// recordCases cover both commitment formats, both openers, and a channel
// with nothing optional set.
func recordCases() []recordCase {
	return []recordCase{
		{"anchors_we_open", commit.AnchorsZeroFeeHTLC, commit.Local, true},
		{"anchors_they_open", commit.AnchorsZeroFeeHTLC, commit.Remote, true},
		{"static_remotekey_we_open", commit.StaticRemoteKey, commit.Local, true},
		{"static_remotekey_they_open", commit.StaticRemoteKey, commit.Remote, true},
		{"minimal_they_open", commit.AnchorsZeroFeeHTLC, commit.Remote, false},
		{"minimal_we_open", commit.StaticRemoteKey, commit.Local, false},
	}
}

// recordSigners are our and the counterparty's channel keys, derived from
// fixed seeds.
func recordSigners() (ours, theirs *keys.InMemorySigner) {
	ours = keys.NewManager(keys.Seed{0x01, 0xaa}, keys.Config{}).ChannelKeys([32]byte{0x11})
	theirs = keys.NewManager(keys.Seed{0x02, 0xbb}, keys.Config{}).ChannelKeys([32]byte{0x22})
	return ours, theirs
}

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

// recordChanData builds a funded channel of shape c as the Manager holds
// it, with real keys and a consistent funding. Its signer and its
// non-persisted update tracking are set too, to show they are not
// written.
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
	if c.full {
		chanType.ScidAlias, chanType.ZeroConf = true, c.opener == commit.Remote
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
	d := &chanData{core: co}
	holder := commit.State{Number: 0, PerCommitmentPoint: recordPoint(t, ours, 0),
		LocalBalance: 1_000_000_000, RemoteBalance: 500_000_000, FeeRate: 2500}
	cp := holder
	cp.PerCommitmentPoint = recordPoint(t, theirs, 0)
	sig, err := theirs.SignFunding(sha256.Sum256([]byte("holder commitment")))
	require.NoError(t, err)
	var next *btcec.PublicKey
	if c.full {
		next = recordPoint(t, theirs, 1)
	}
	d.cc, err = newCommitmentChain(co.chainConfig(), holder, commit.Signatures{Commitment: sig}, cp, next)
	require.NoError(t, err)
	d.log = newUpdateLog(co.logParams(), holder.LocalBalance, holder.RemoteBalance, holder.FeeRate, 0, 0)
	d.fund = funding{confirmedHeight: 812_346, confirmedIndex: 7, confirmedHash: [32]byte{0xb1, 0x0c},
		scid: wire.ShortChannelID{BlockHeight: 812_346, TxIndex: 7, OutputIndex: 1}, readySent: true}
	d.mon = updates{latest: 1, completed: 1, completedAll: true, failed: true}
	if !c.full {
		return d
	}

	co.theirUpfrontScript = []byte{0x51, 0x20, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
		0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33}
	d.fund.ourAlias = wire.ShortChannelID{BlockHeight: 0xfffff0, TxIndex: 1, OutputIndex: 2}
	d.fund.theirAlias = wire.ShortChannelID{BlockHeight: 0xfffff1, TxIndex: 3, OutputIndex: 4}
	d.fund.readyReceived, d.fund.announcementSent = true, true
	d.fund.theirAnnouncement = &wire.AnnouncementSignatures{
		ChannelID: co.id, ShortChannelID: d.fund.scid,
		NodeSignature: wire.Signature{0x4e, 0x53}, BitcoinSignature: wire.Signature{0x42, 0x53},
		ExtraTLVs: wire.TLVRecords{{Type: 7, Value: []byte{0xee}}},
	}
	nextState := cp
	nextState.Number, nextState.PerCommitmentPoint = 1, next
	d.mon = updates{latest: 7, completed: 5, completedAll: true, pending: []*monitor.Update{
		{ID: 6, Steps: []monitor.Step{&monitor.CommitmentSecret{Number: 3, Secret: [32]byte{0x5e}}}},
		{ID: 7, Steps: []monitor.Step{&monitor.NewCounterpartyCommitment{State: &nextState}, &monitor.ShutdownScript{Script: p2wpkh(0xcc)}}},
	}}
	closing := btcwire.NewMsgTx(2)
	closing.AddTxIn(&btcwire.TxIn{PreviousOutPoint: p.FundingOutpoint, Sequence: 0xfffffffd, SignatureScript: []byte{},
		Witness: btcwire.TxWitness{{}, make([]byte, 72), make([]byte, 71), ch.FundingScript()}})
	closing.AddTxOut(btcwire.NewTxOut(970_000, p2wpkh(0xcc)))
	closing.AddTxOut(btcwire.NewTxOut(499_300, co.theirUpfrontScript))
	d.shut = shutdownState{ourScript: p2wpkh(0xcc), theirScript: co.theirUpfrontScript, closingTx: closing,
		initiator: c.opener == commit.Local}
	return d
}

// recordPersisted is what decoding d's record must give back: d without
// its signer and with no update known completed (the commit.Channel is
// compared apart).
func recordPersisted(d *chanData) chanData {
	c := *d.core
	c.signer, c.ch = nil, nil
	out := *d
	out.core = &c
	out.mon = updates{latest: d.mon.latest, pending: d.mon.pending}
	return out
}

// requireSameChanData asserts that got is the decoding of want's record.
func requireSameChanData(t *testing.T, want, got *chanData) {
	t.Helper()
	require.NotNil(t, got.ch, "commit.Channel rebuilt")
	require.Equal(t, want.params, got.ch.Params())
	require.Nil(t, got.signer, "signer left for the loader")
	g := *got
	gc := *got.core
	gc.ch = nil
	g.core = &gc
	require.Equal(t, recordPersisted(want), g)
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
