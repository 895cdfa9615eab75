package channel

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// recordV10 is ChannelFormat 1.0: the first commitments in records 18 and
// 20 instead of the chain (32) and the log (34).
var recordV10 = persist.RecordFormat{Type: ChannelFormat.Type, Major: 1, Minor: 0}

// chanRecordV10Golden is the "ready_anchors_we_open" channel (at its
// first commitments) as the ChannelFormat 1.0 code wrote it (commit
// 3fb9d24, the last to write 1.0): the record a 1.0 node left behind.
const chanRecordV10Golden = "testdata/channel_record_v1_first_commitments.hex"

// chanRecordV10Past is the golden record of ChannelFormat 1.0's tests: a
// channel past its first commitments, with HTLCs, which no 1.0 node
// wrote (it never moved past commitment 0) and 1.1 cannot rebuild a log
// for.
const chanRecordV10Past = "testdata/channel_record_v1.hex"

// recordLegacy returns the 1.0 record of d, a channel at its first
// commitments, laid out as 1.0 did: its 1.1 record without the chain and
// the log, with the holder commitment, its signature and the counterparty
// commitment in record 18 and the next point in record 20. edit, if not
// nil, changes the commitments first.
func recordLegacy(t testing.TB, d *chanData, edit func(holder, theirs *commit.State)) []byte {
	t.Helper()
	rec, err := encodeChanData(d)
	require.NoError(t, err)
	var rs wire.TLVRecords
	_, _, err = ChannelFormat.Decode(rec, func(typ uint64, v []byte) (bool, error) {
		if typ != chanRecChain && typ != chanRecLog {
			rs = append(rs, wire.TLVRecord{Type: typ, Value: bytes.Clone(v)})
		}
		return true, nil
	})
	require.NoError(t, err)
	holder, theirs := cloneState(d.cc.holder), cloneState(d.cc.theirs)
	if edit != nil {
		edit(&holder, &theirs)
	}
	var cm fieldWriter
	cm.state("holder commitment", &holder)
	cm.fixed(d.cc.holderSigs.Commitment[:])
	cm.state("counterparty commitment", &theirs)
	require.NoError(t, cm.err)
	rs.Set(chanRecCommitments, cm.buf)
	if d.cc.theirNextPoint != nil {
		var np fieldWriter
		np.key("next per_commitment_point", d.cc.theirNextPoint)
		rs.Set(chanRecNextPoint, np.buf)
	}
	b, err := recordV10.Append(nil, rs)
	require.NoError(t, err)
	return b
}

// requireFirstCommitments asserts that d's chain and log are those of a
// channel at its first commitments, with balances and rate of st.
func requireFirstCommitments(t *testing.T, d *chanData, st commit.State) {
	t.Helper()
	cc, l := d.cc, d.log
	require.Zero(t, cc.holder.Number)
	require.Zero(t, cc.theirs.Number)
	require.Nil(t, cc.theirPending)
	require.Zero(t, cc.secrets.Len())
	require.Zero(t, l.localNumber)
	require.Zero(t, l.remoteNumber)
	require.Equal(t, [2]uint64{}, l.nextID)
	require.Empty(t, l.htlcs)
	require.Empty(t, l.fees)
	require.False(t, l.awaitingRevoke || l.owingRevoke)
	for _, got := range []commit.State{cc.holder, cc.theirs} {
		require.Equal(t, st.LocalBalance, got.LocalBalance)
		require.Equal(t, st.RemoteBalance, got.RemoteBalance)
		require.Equal(t, st.FeeRate, got.FeeRate)
		require.Empty(t, got.HTLCs)
	}
	require.Equal(t, [2]wire.MilliSatoshi{st.LocalBalance, st.RemoteBalance}, l.balance)
	require.Equal(t, st.FeeRate, l.feeRate)
}

// TestChanDataRecordV10Golden: the record a 1.0 node wrote still loads,
// its chain and log rebuilt at commitment 0 with the same balances, and is
// written back as 1.1.
func TestChanDataRecordV10Golden(t *testing.T) {
	d := recordChanData(t, recordCaseNamed(t, "ready_anchors_we_open"))
	old := readGolden(t, chanRecordV10Golden)
	require.Equal(t, []byte{ChannelFormat.Type, 1, 0}, old[:persist.RecordHeaderLen])
	require.Equal(t, hex.EncodeToString(old), hex.EncodeToString(recordLegacy(t, d, nil)),
		"recordLegacy lays out a 1.0 record as the 1.0 code did")
	got, err := decodeChanData(old, recordProvider{})
	require.NoError(t, err)
	requireSameChanData(t, d, got)
	requireFirstCommitments(t, got, commit.State{LocalBalance: 1_000_000_000, RemoteBalance: 500_000_000, FeeRate: 2500})
	require.NotNil(t, got.cc.theirNextPoint)
	require.Equal(t, d.cc.holderSigs, got.cc.holderSigs)

	rec, err := encodeChanData(got)
	require.NoError(t, err)
	require.Equal(t, mustEncodeChanData(t, d), rec, "written back as 1.1")
	for _, r := range recordTLVs(t, rec) {
		require.NotContains(t, []uint64{chanRecCommitments, chanRecNextPoint}, r.Type)
	}
	requireStableChanData(t, got)
}

// TestChanDataRecordV10: every channel a 1.0 node could have written (at
// its first commitments) loads from its 1.0 record as from its 1.1 one.
func TestChanDataRecordV10(t *testing.T) {
	for _, c := range recordCases() {
		if c.shape != recordMinimal && c.shape != recordReady {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			d := recordChanData(t, c)
			got, err := decodeChanData(recordLegacy(t, d, nil), recordProvider{})
			require.NoError(t, err)
			requireSameChanData(t, d, got)
			requireFirstCommitments(t, got, d.cc.holder)
			requireStableChanData(t, got)
		})
	}
}

// TestChanDataRecordV10PastFirstCommitments: a 1.0 record past its first
// commitments (the golden record of 1.0's tests) is refused: 1.0 never
// wrote one, and its chain and log cannot be rebuilt from it.
func TestChanDataRecordV10PastFirstCommitments(t *testing.T) {
	old := readGolden(t, chanRecordV10Past)
	require.Equal(t, []byte{ChannelFormat.Type, 1, 0}, old[:persist.RecordHeaderLen])
	_, err := decodeChanData(old, recordProvider{})
	require.ErrorIs(t, err, ErrCorruptRecord)
	require.ErrorContains(t, err, "first commitments")
}

// TestChanDataRecordV10Corrupt: each way of breaking a 1.0 record fails
// with ErrCorruptRecord, including first commitments that 1.0 could not
// have written (HTLCs, commitments that differ) and from which the update
// log would be rebuilt wrong.
func TestChanDataRecordV10Corrupt(t *testing.T) {
	base := recordChanData(t, recordCaseNamed(t, "ready_anchors_we_open"))
	ours, _ := recordSigners()
	legacy := func(edit func(h, c *commit.State)) recordEdit {
		return func(t *testing.T, _ []byte) []byte { return recordLegacy(t, base, edit) }
	}
	// A dust HTLC of ours (trimmed from both commitments: no signature).
	dust := func(h, c *commit.State) {
		for _, st := range []*commit.State{h, c} {
			st.LocalBalance -= 300_000
			st.HTLCs = []commit.HTLC{{ID: 0, Offerer: commit.Local, Amount: 300_000, PaymentHash: wire.PaymentHash{1}, CLTVExpiry: 812_500}}
		}
	}
	htlcCountAt := 8 + 33 + 8 + 8 + 4
	then := func(first recordEdit, next recordEdit) recordEdit {
		return func(t *testing.T, rec []byte) []byte { return next(t, first(t, rec)) }
	}
	rec11 := mustEncodeChanData(t, base)
	chain, ok := recordTLVs(t, rec11).Get(chanRecChain)
	require.True(t, ok)
	for _, tc := range []struct {
		name string
		rec  recordEdit
	}{
		{"missing commitments", then(legacy(nil), recordRemove(chanRecCommitments))},
		{"commitments beside a chain without log", then(legacy(nil), recordAdd(chanRecChain, chain))},
		{"commitment 1", legacy(func(h, _ *commit.State) { h.Number = 1 })},
		{"counterparty commitment 1", legacy(func(_, c *commit.State) { c.Number = 1 })},
		{"another point of ours", legacy(func(h, _ *commit.State) { h.PerCommitmentPoint = recordPoint(t, ours, 1) })},
		{"a dust htlc at commitment 0", legacy(dust)},
		{"balances that differ", legacy(func(_, c *commit.State) { c.LocalBalance, c.RemoteBalance = c.LocalBalance-1000, c.RemoteBalance+1000 })},
		{"fee rates that differ", legacy(func(_, c *commit.State) { c.FeeRate++ })},
		{"balances above capacity", then(legacy(nil), recordEditBytes(chanRecCommitments, recordSetByte(8+33, 0x7f)))},
		{"htlc count beyond the record", then(legacy(nil), recordEditBytes(chanRecCommitments, func(v []byte) []byte {
			v[htlcCountAt], v[htlcCountAt+1] = 0xff, 0xff
			return v
		}))},
		{"htlc without offerer", then(legacy(dust), recordEditBytes(chanRecCommitments, recordSetByte(htlcCountAt+2+8, 2)))},
		{"next point not a point", then(legacy(nil), recordEditBytes(chanRecNextPoint, recordSetByte(0, 0x09)))},
		{"trailing byte in the commitments", then(legacy(nil), recordEditBytes(chanRecCommitments, func(v []byte) []byte { return append(v, 0) }))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeChanData(tc.rec(t, nil), recordProvider{})
			require.ErrorIs(t, err, ErrCorruptRecord)
		})
	}
}
