package channel

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

func TestChanDataRecordRoundTrip(t *testing.T) {
	for _, c := range recordCases() {
		t.Run(c.name, func(t *testing.T) {
			d := recordChanData(t, c)
			rec, err := encodeChanData(d)
			require.NoError(t, err)
			require.Equal(t, []byte{ChannelFormat.Type, ChannelFormat.Major, ChannelFormat.Minor}, rec[:persist.RecordHeaderLen])
			got, err := decodeChanData(rec, recordProvider{})
			require.NoError(t, err)
			requireSameChanData(t, d, got)
			again, err := encodeChanData(got)
			require.NoError(t, err)
			require.Equal(t, rec, again, "decoding and encoding again changes nothing")
		})
	}
}

// TestChanDataRecordFixtures: the fixtures are what their shapes say, so
// that the record tests cover a channel in normal operation.
func TestChanDataRecordFixtures(t *testing.T) {
	for _, c := range recordCases() {
		t.Run(c.name, func(t *testing.T) {
			d := recordChanData(t, c)
			require.NoError(t, checkNormal(d))
			cc, l := d.cc, d.log
			switch c.shape {
			case recordMinimal, recordReady:
				require.Zero(t, cc.holder.Number)
				require.Zero(t, cc.theirs.Number)
				require.Equal(t, c.shape == recordReady, cc.theirNextPoint != nil)
				require.True(t, d.settled())
			case recordClosing:
				require.True(t, d.settled())
				require.Positive(t, cc.secrets.Len())
				require.NotNil(t, d.shut.closingTx)
			case recordNormal:
				require.NotNil(t, cc.theirPending, "our commitment_signed awaits its revoke_and_ack")
				require.True(t, l.awaitingRevoke)
				require.True(t, cc.revokeAndAckLast)
				require.GreaterOrEqual(t, cc.secrets.Len(), uint64(3), "secrets revealed")
				require.Equal(t, wire.FeeRate(2750), l.feeRate, "an update_fee applied")
				require.Len(t, l.fees, 1, "an update_fee pending")
				require.NotEmpty(t, cc.holder.HTLCs)
				require.NotEmpty(t, cc.holderSigs.HTLCs)
				require.NotEmpty(t, cc.theirPending.HTLCs)
				states := map[htlcState]int{}
				var kinds [htlcFailedMalformed + 1]int
				var unsigned, signed bool
				for _, h := range l.htlcs {
					states[h.state]++
					kinds[h.outcome.kind]++
					if h.state == htlcLocalAnnounced || h.state == htlcLocalRemoved {
						signed, unsigned = signed || h.signed, unsigned || !h.signed
					}
					if h.outcome.kind == htlcFulfilled {
						require.Equal(t, h.paymentHash, h.outcome.preimage.Hash(), "a revealed preimage")
					}
				}
				require.GreaterOrEqual(t, len(states), 8, "htlc states %v", states)
				require.Positive(t, states[htlcOutCommitted])
				require.Positive(t, states[htlcInCommitted])
				require.Positive(t, kinds[htlcFulfilled])
				require.Positive(t, kinds[htlcFailed])
				require.Positive(t, kinds[htlcFailedMalformed])
				require.True(t, signed && unsigned, "our updates, signed and not")
				require.Len(t, d.mon.pending, 2)
			}
		})
	}
}

// TestChanDataRecordOptionalParts: what is unset is absent from the
// record, and an empty upfront script is kept apart from none.
func TestChanDataRecordOptionalParts(t *testing.T) {
	d := recordChanData(t, recordCase{"minimal", commit.AnchorsZeroFeeHTLC, commit.Remote, recordMinimal})
	rec, err := encodeChanData(d)
	require.NoError(t, err)
	for _, r := range recordTLVs(t, rec) {
		require.True(t, isRequired(r.Type), "record %d written for an unset part", r.Type)
	}
	d.theirUpfrontScript = []byte{}
	rec, err = encodeChanData(d)
	require.NoError(t, err)
	got, err := decodeChanData(rec, recordProvider{})
	require.NoError(t, err)
	require.NotNil(t, got.theirUpfrontScript)
	require.Empty(t, got.theirUpfrontScript)
	require.Nil(t, got.shut.ourScript)
}

func TestChanDataRecordEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(d *chanData)
	}{
		{"no per-commitment point", func(d *chanData) { d.cc.theirs.PerCommitmentPoint = nil }},
		{"no basepoint", func(d *chanData) { d.params.Remote.HTLC = nil }},
		{"script too long", func(d *chanData) { d.shut.ourScript = make([]byte, 70_000) }},
		{"announcement tlvs out of order", func(d *chanData) {
			d.fund.theirAnnouncement.ExtraTLVs = wire.TLVRecords{{Type: 7}, {Type: 5}}
		}},
		{"bad update", func(d *chanData) { d.mon.pending[0].Steps = append(d.mon.pending[0].Steps, nil) }},
		{"too many htlc signatures", func(d *chanData) { d.cc.holderSigs.HTLCs = make([]wire.Signature, 2*483+1) }},
		{"failure reason too long", func(d *chanData) {
			for i := range d.log.htlcs {
				if d.log.htlcs[i].outcome.kind == htlcFailed {
					d.log.htlcs[i].outcome.reason = make([]byte, 70_000)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := recordChanData(t, recordCases()[0])
			tc.break_(d)
			_, err := encodeChanData(d)
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), "channel: "), err.Error())
		})
	}
}

// TestChanDataRecordTruncated: a record cut anywhere fails with
// ErrCorruptRecord (the chain and the log, always written, come last).
// With -short, one case of each shape.
func TestChanDataRecordTruncated(t *testing.T) {
	shapes := map[recordShape]bool{}
	for _, c := range recordCases() {
		if testing.Short() && shapes[c.shape] {
			continue
		}
		shapes[c.shape] = true
		rec, err := encodeChanData(recordChanData(t, c))
		require.NoError(t, err)
		for n := 0; n < len(rec); n++ {
			_, err := decodeChanData(rec[:n], recordProvider{})
			require.ErrorIs(t, err, ErrCorruptRecord, "%s cut at %d", c.name, n)
		}
	}
}

// recordEdit returns the record rec with a change made to its TLV
// records.
type recordEdit func(t *testing.T, rec []byte) []byte

// recordEditValue replaces the value of record typ by f's.
func recordEditValue(typ uint64, f func(t *testing.T, v []byte) []byte) recordEdit {
	return func(t *testing.T, rec []byte) []byte {
		rs := recordTLVs(t, rec)
		v, ok := rs.Get(typ)
		require.True(t, ok, "record %d", typ)
		rs.Set(typ, f(t, v))
		return recordOf(t, rs)
	}
}

// recordEditBytes changes record typ's value in place.
func recordEditBytes(typ uint64, f func(v []byte) []byte) recordEdit {
	return recordEditValue(typ, func(_ *testing.T, v []byte) []byte { return f(v) })
}

// recordRemove drops records types.
func recordRemove(types ...uint64) recordEdit {
	return func(t *testing.T, rec []byte) []byte {
		var out wire.TLVRecords
		for _, r := range recordTLVs(t, rec) {
			if !slices.Contains(types, r.Type) {
				out = append(out, r)
			}
		}
		return recordOf(t, out)
	}
}

// recordAdd sets record typ to v.
func recordAdd(typ uint64, v []byte) recordEdit {
	return func(t *testing.T, rec []byte) []byte {
		rs := recordTLVs(t, rec)
		rs.Set(typ, v)
		return recordOf(t, rs)
	}
}

// recordEditChain changes the commitment chain of a record of base.
func recordEditChain(base *chanData, f func(c *commitmentChain)) recordEdit {
	return recordEditValue(chanRecChain, func(t *testing.T, v []byte) []byte {
		c, err := decodeCommitmentChain(v, base.chainConfig())
		require.NoError(t, err)
		f(c)
		return recordChainBytes(t, c)
	})
}

// recordEditLog changes the update log of a record of base.
func recordEditLog(base *chanData, f func(l *updateLog)) recordEdit {
	return recordEditValue(chanRecLog, func(t *testing.T, v []byte) []byte {
		l, err := decodeUpdateLog(v, base.logParams())
		require.NoError(t, err)
		f(l)
		b, err := encodeUpdateLog(l)
		require.NoError(t, err)
		return b
	})
}

func recordSetByte(off int, b byte) func([]byte) []byte {
	return func(v []byte) []byte { v[off] = b; return v }
}

func recordFlipByte(off int) func([]byte) []byte {
	return func(v []byte) []byte { v[off] ^= 0xff; return v }
}

// recordSignerFunc is a SignerProvider giving what the function gives.
type recordSignerFunc func(id [32]byte) ChannelSigner

func (recordSignerFunc) NewChannelKeyID() [32]byte { return [32]byte{0x11} }

func (f recordSignerFunc) ChannelSigner(id [32]byte) ChannelSigner { return f(id) }

// TestChanDataRecordCorrupt: each way of breaking a record fails with
// ErrCorruptRecord (a newer major version with persist.ErrNewerVersion).
func TestChanDataRecordCorrupt(t *testing.T) {
	base := recordChanData(t, recordCases()[0])
	rec, err := encodeChanData(base)
	require.NoError(t, err)
	// The same channel's log once every HTLC is resolved: another moment.
	settled := recordChanData(t, recordCase{"settled", base.params.Type, base.params.Opener, recordClosing})
	settledLog, ok := recordTLVs(t, mustEncodeChanData(t, settled)).Get(chanRecLog)
	require.True(t, ok)
	theirSigner := recordSignerFunc(func([32]byte) ChannelSigner { _, s := recordSigners(); return s })
	noSigner := recordSignerFunc(func([32]byte) ChannelSigner { return nil })
	for _, tc := range []struct {
		name    string
		rec     recordEdit
		signers SignerProvider
	}{
		{name: "empty", rec: func(*testing.T, []byte) []byte { return nil }},
		{name: "header only", rec: func(_ *testing.T, rec []byte) []byte { return rec[:persist.RecordHeaderLen] }},
		{name: "wrong record type", rec: func(_ *testing.T, rec []byte) []byte { return append([]byte{0x4e}, rec[1:]...) }},
		{name: "major 0", rec: func(_ *testing.T, rec []byte) []byte { return append([]byte{rec[0], 0}, rec[2:]...) }},
		{name: "unknown even record", rec: recordAdd(chanRecLast+2, []byte{1})},
		{name: "records out of order", rec: func(_ *testing.T, rec []byte) []byte {
			b := append([]byte(nil), rec[:persist.RecordHeaderLen]...)
			b = wire.AppendTLVRecord(b, 2, []byte{1, 0})
			return wire.AppendTLVRecord(b, 0, nil)
		}},
		{name: "missing ids", rec: recordRemove(chanRecIDs)},
		{name: "missing params", rec: recordRemove(chanRecParams)},
		{name: "missing updates", rec: recordRemove(chanRecUpdates)},
		{name: "missing shutdown", rec: recordRemove(chanRecShutdown)},
		{name: "missing chain", rec: recordRemove(chanRecChain)},
		{name: "missing log", rec: recordRemove(chanRecLog)},
		{name: "missing chain and log", rec: recordRemove(chanRecChain, chanRecLog)},
		{name: "trailing byte in a record", rec: recordEditBytes(chanRecFunding, func(v []byte) []byte { return append(v, 0) })},
		{name: "short record", rec: recordEditBytes(chanRecConfig, func(v []byte) []byte { return v[:len(v)-1] })},
		{name: "channel id not the funding's", rec: recordEditBytes(chanRecIDs, recordFlipByte(0))},
		{name: "counterparty not a point", rec: recordEditBytes(chanRecIDs, recordSetByte(64, 0x05))},
		{name: "unknown channel_type flag", rec: recordEditBytes(chanRecType, recordSetByte(1, 0x04))},
		{name: "channel_type of another format", rec: recordEditBytes(chanRecType, recordSetByte(0, byte(commit.StaticRemoteKey)))},
		{name: "unknown commitment format", rec: recordEditBytes(chanRecParams, recordSetByte(0, 9))},
		{name: "opener neither side", rec: recordEditBytes(chanRecParams, recordSetByte(1+32+4+8, 2))},
		{name: "basepoint not a point", rec: recordEditBytes(chanRecParams, recordSetByte(1+32+4+8+1, 0x07))},
		{name: "unknown open flag", rec: recordEditBytes(chanRecOpen, recordSetByte(0, 2))},
		{name: "bad script presence", rec: recordEditBytes(chanRecUpfront, recordSetByte(0, 2))},
		{name: "script longer than the record", rec: recordEditBytes(chanRecUpfront, func(v []byte) []byte { v[1], v[2] = 0xff, 0xff; return v })},
		{name: "unknown funding flag", rec: recordEditBytes(chanRecFunding, func(v []byte) []byte { v[len(v)-1] = 0x08; return v })},
		{name: "announcement undecodable", rec: recordEditBytes(chanRecAnnouncement, func(v []byte) []byte { return v[:40] })},
		{name: "announcement of another channel", rec: recordEditBytes(chanRecAnnouncement, recordFlipByte(0))},
		{name: "pending count beyond the record", rec: recordEditBytes(chanRecUpdates, func(v []byte) []byte {
			v[8], v[9], v[10], v[11] = 0xff, 0xff, 0xff, 0xff
			return v
		})},
		{name: "pending update corrupt", rec: recordEditBytes(chanRecUpdates, recordSetByte(8+4+4, 0x4e))},
		{name: "pending update after latest", rec: recordEditBytes(chanRecUpdates, recordSetByte(7, 1))},
		{name: "funding tx of another outpoint", rec: recordEditBytes(chanRecFundingTx, func(v []byte) []byte { return recordFlipByte(len(v) - 1)(v) })},
		{name: "funding tx with trailing bytes", rec: recordEditBytes(chanRecFundingTx, func(v []byte) []byte {
			v[3]++
			return append(v, 0)
		})},
		{name: "closing tx not spending the funding", rec: recordAdd(chanRecClosingTx, recordClosingTxNotSpending(t, base))},
		{name: "closing tx garbage", rec: recordAdd(chanRecClosingTx, []byte{0, 0, 0, 2, 1, 2})},
		{name: "unknown shutdown flag", rec: recordEditBytes(chanRecShutdown, recordSetByte(0, 0x80))},

		{name: "chain of an unknown version", rec: recordEditBytes(chanRecChain, recordSetByte(0, commitmentChainVersion+1))},
		{name: "chain cut short", rec: recordEditBytes(chanRecChain, func(v []byte) []byte { return v[:len(v)-1] })},
		{name: "chain with a trailing byte", rec: recordEditBytes(chanRecChain, func(v []byte) []byte { return append(v, 0) })},
		{name: "chain empty", rec: recordAdd(chanRecChain, nil)},
		{name: "chain with another point of ours", rec: recordEditChain(base, func(c *commitmentChain) {
			c.holder.PerCommitmentPoint = recordPoint(t, base.signer.(*keys.InMemorySigner), c.holder.Number+1)
		})},
		{name: "chain missing an htlc signature", rec: recordEditChain(base, func(c *commitmentChain) { c.holderSigs.HTLCs = c.holderSigs.HTLCs[1:] })},
		{name: "chain missing a secret", rec: recordEditChain(base, func(c *commitmentChain) { c.secrets = keys.SecretStore{} })},
		{name: "chain balances above the capacity", rec: recordEditChain(base, func(c *commitmentChain) { c.holder.LocalBalance += 1000 })},
		{name: "chain pending commitment misnumbered", rec: recordEditChain(base, func(c *commitmentChain) { c.theirPending.Number++ })},

		{name: "log of another format", rec: recordEditBytes(chanRecLog, recordSetByte(0, ChannelFormat.Type))},
		{name: "log cut short", rec: recordEditBytes(chanRecLog, func(v []byte) []byte { return v[:len(v)-1] })},
		{name: "log empty", rec: recordAdd(chanRecLog, nil)},
		{name: "log balances off the capacity", rec: recordEditLog(base, func(l *updateLog) { l.balance[commit.Local]++ })},

		{name: "log a commitment of ours behind the chain", rec: recordEditLog(base, func(l *updateLog) { l.localNumber-- })},
		{name: "log a commitment of theirs ahead of the chain", rec: recordEditLog(base, func(l *updateLog) { l.remoteNumber++ })},
		{name: "log not awaiting the revocation the chain awaits", rec: recordEditLog(base, func(l *updateLog) { l.awaitingRevoke = false })},
		{name: "log owing a revocation", rec: recordEditLog(base, func(l *updateLog) { l.owingRevoke = true })},
		{name: "chain awaiting no revocation, the log one", rec: recordEditChain(base, func(c *commitmentChain) {
			// Their revoke_and_ack taken by the chain alone.
			_, them := recordSigners()
			r := c.theirs.Number
			secret, err := them.PerCommitmentSecret(r)
			require.NoError(t, err)
			idx, err := keys.ShachainIndex(r)
			require.NoError(t, err)
			require.NoError(t, c.secrets.Insert(idx, secret))
			c.theirs, c.theirPending = *c.theirPending, nil
			c.theirNextPoint = recordPoint(t, them, r+2)
		})},
		{name: "chain and log of different moments", rec: recordAdd(chanRecLog, settledLog)},

		{name: "no signer for the key id", rec: func(_ *testing.T, rec []byte) []byte { return rec }, signers: noSigner},
		{name: "another channel's signer", rec: func(_ *testing.T, rec []byte) []byte { return rec }, signers: theirSigner},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signers := tc.signers
			if signers == nil {
				signers = recordProvider{}
			}
			_, err := decodeChanData(tc.rec(t, bytes.Clone(rec)), signers)
			require.ErrorIs(t, err, ErrCorruptRecord)
		})
	}

	t.Run("newer major version", func(t *testing.T) {
		newer := append([]byte{rec[0], ChannelFormat.Major + 1}, rec[2:]...)
		_, err := decodeChanData(newer, recordProvider{})
		require.ErrorIs(t, err, persist.ErrNewerVersion)
		require.NotErrorIs(t, err, ErrCorruptRecord)
	})
	for _, typ := range []uint64{1, chanRecChain + 1, chanRecLast + 1, 1<<20 + 1} {
		t.Run(fmt.Sprintf("unknown odd record %d skipped", typ), func(t *testing.T) {
			got, err := decodeChanData(recordAdd(typ, []byte{1, 2, 3})(t, bytes.Clone(rec)), recordProvider{})
			require.NoError(t, err)
			requireSameChanData(t, base, got)
		})
	}
	t.Run("newer minor version read", func(t *testing.T) {
		got, err := decodeChanData(append([]byte{rec[0], rec[1], ChannelFormat.Minor + 1}, rec[3:]...), recordProvider{})
		require.NoError(t, err)
		requireSameChanData(t, base, got)
	})
}

// mustEncodeChanData is d's record.
func mustEncodeChanData(t testing.TB, d *chanData) []byte {
	t.Helper()
	rec, err := encodeChanData(d)
	require.NoError(t, err)
	return rec
}

// recordClosingTxNotSpending is a closing transaction record of base's
// channel whose input is another outpoint.
func recordClosingTxNotSpending(t *testing.T, base *chanData) []byte {
	t.Helper()
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(&btcwire.TxIn{PreviousOutPoint: btcwire.OutPoint{Hash: base.params.FundingOutpoint.Hash, Index: 0}, SignatureScript: []byte{}})
	tx.AddTxOut(btcwire.NewTxOut(1_000_000, p2wpkh(0xcc)))
	var w fieldWriter
	w.tx(tx)
	require.NoError(t, w.err)
	return w.buf
}

// TestChanDataRecordByteFlips: flipping any byte of a record never panics
// and fails, if at all, with the typed errors; what it accepts is stable.
// Each byte is flipped with one mask, taken in turn (most flips of a
// channel in normal operation are accepted: signatures, hashes, onions,
// amounts of monitor updates, and each acceptance decodes three
// commitments twice); with -short, every third byte.
func TestChanDataRecordByteFlips(t *testing.T) {
	rec, err := encodeChanData(recordChanData(t, recordCaseNamed(t, "anchors_they_open")))
	require.NoError(t, err)
	// Every fifth byte (each decode of a record with HTLCs derives keys:
	// all of them take minutes under -race); FuzzDecodeChanData covers
	// the rest.
	step := 5
	if testing.Short() {
		step = 15
	}
	masks := []byte{0x01, 0x80, 0xff}
	for i := 0; i < len(rec); i += step {
		for _, mask := range masks[(i/step)%3 : (i/step)%3+1] {
			b := bytes.Clone(rec)
			b[i] ^= mask
			got, err := decodeChanData(b, recordProvider{})
			if err != nil {
				if !errors.Is(err, ErrCorruptRecord) {
					require.ErrorIs(t, err, persist.ErrNewerVersion, "byte %d ^ %#x", i, mask)
				}
				continue
			}
			requireStableChanData(t, got)
		}
	}
}

// chanRecordGolden is the pinned encoding of the "anchors_we_open"
// channel (in normal operation): ChannelFormat 1.1 with its update log
// 1.1 as written by this code. A change to the encoding fails here; a
// deliberate one needs a new version (and reading the old one). It was
// written once with
// hex.EncodeToString(encodeChanData(recordChanData(t, recordCases()[0]))).
const chanRecordGolden = "testdata/channel_record_v1_1_log_v1_1.hex"

// chanRecordLog10Golden is the same channel as the code before the update
// log's 1.1 wrote it (update log 1.0: no HTLC arrival times, no
// attribution data).
const chanRecordLog10Golden = "testdata/channel_record_v1_1.hex"

// readGolden reads a hex record from testdata.
func readGolden(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.FromSlash(path))
	require.NoError(t, err)
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	require.NoError(t, err)
	return b
}

func TestChanDataRecordGolden(t *testing.T) {
	d := recordChanData(t, recordCases()[0])
	rec, err := encodeChanData(d)
	require.NoError(t, err)
	want := readGolden(t, chanRecordGolden)
	require.Equal(t, []byte{ChannelFormat.Type, 1, 1}, want[:persist.RecordHeaderLen])
	require.Equal(t, hex.EncodeToString(want), hex.EncodeToString(rec), "the channel record encoding changed")
	got, err := decodeChanData(want, recordProvider{})
	require.NoError(t, err)
	requireSameChanData(t, d, got)
}

// A record whose update log is 1.0 still reads: its HTLCs' arrival times
// are unknown and their removals carry no attribution data.
func TestChanDataRecordLog10Golden(t *testing.T) {
	d := withoutHoldTimes(recordChanData(t, recordCases()[0]))
	old := readGolden(t, chanRecordLog10Golden)
	got, err := decodeChanData(old, recordProvider{})
	require.NoError(t, err)
	requireSameChanData(t, d, withoutCommittedOnions(got))
	rec, err := encodeChanData(d)
	require.NoError(t, err)
	require.NotEqual(t, old, rec, "written as update log 1.1")
}

// TestChanDataRecordHostileTxBounded: a transaction field announcing
// huge counts in a few bytes fails without the allocation btcd's decoder
// would make for them.
func TestChanDataRecordHostileTxBounded(t *testing.T) {
	rec, err := encodeChanData(recordChanData(t, recordCaseNamed(t, "closing_static_remotekey_we_open")))
	require.NoError(t, err)
	rs := recordTLVs(t, rec)
	_, err = decodeChanData(rec, recordProvider{}) // warm up what decoding initialises once
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		tx   []byte
	}{
		{"inputs", []byte{2, 0, 0, 0, 0xfe, 0xff, 0xff, 0x0b, 0x00}},
		{"segwit inputs", []byte{2, 0, 0, 0, 0, 1, 0xfe, 0xff, 0xff, 0x0b, 0x00}},
		{"outputs", append(append([]byte{2, 0, 0, 0, 1}, make([]byte, 36+1+4)...), 0xfe, 0xff, 0xff, 0x0b, 0x00)},
		{"script", append([]byte{2, 0, 0, 0, 1}, append(make([]byte, 36), 0xfe, 0xff, 0xff, 0xff, 0x01)...)},
		{"witness items", append(append([]byte{2, 0, 0, 0, 0, 1, 1}, make([]byte, 36)...),
			0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0x3d, 0x00)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := scanTx(tc.tx)
			require.ErrorContains(t, err, "count")
			blob := append([]byte{0, 0, 0, byte(len(tc.tx))}, tc.tx...)
			hostile := append(wire.TLVRecords(nil), rs...)
			hostile.Set(chanRecClosingTx, blob)
			b := recordOf(t, hostile)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = decodeChanData(b, recordProvider{})
			runtime.ReadMemStats(&after)
			require.ErrorIs(t, err, ErrCorruptRecord)
			require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated")
		})
	}
	d := recordChanData(t, recordCaseNamed(t, "closing_static_remotekey_we_open"))
	for _, tx := range []*btcwire.MsgTx{d.fundingTx, d.shut.closingTx} {
		var b bytes.Buffer
		require.NoError(t, tx.Serialize(&b))
		require.NoError(t, scanTx(b.Bytes()))
	}
}

// TestScanTxAcceptsSerialized: the scan accepts every transaction btcd
// serializes (random shapes, with CompactSizes of one and three bytes).
func TestScanTxAcceptsSerialized(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	bytesOf := func() []byte { return make([]byte, []int{0, 1, 22, 252, 253, 300, 600}[r.IntN(7)]) }
	for i := 0; i < 300; i++ {
		tx := btcwire.NewMsgTx(int32(r.Uint32()))
		tx.LockTime = r.Uint32()
		segwit := r.IntN(2) == 0
		for range 1 + r.IntN(4) {
			in := btcwire.NewTxIn(&btcwire.OutPoint{Index: r.Uint32()}, bytesOf(), nil)
			for range r.IntN(4) {
				if segwit {
					in.Witness = append(in.Witness, bytesOf())
				}
			}
			tx.AddTxIn(in)
		}
		for range r.IntN(4) {
			tx.AddTxOut(btcwire.NewTxOut(r.Int64(), bytesOf()))
		}
		var b bytes.Buffer
		require.NoError(t, tx.Serialize(&b))
		require.NoError(t, scanTx(b.Bytes()), "tx %d", i)
		for _, cut := range []int{1, 4, b.Len() / 2} {
			require.Error(t, scanTx(b.Bytes()[:b.Len()-cut]), "tx %d cut %d", i, cut)
		}
	}
}
