package channel

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

func TestChanDataRecordRoundTrip(t *testing.T) {
	for _, c := range recordCases() {
		t.Run(c.name, func(t *testing.T) {
			d := recordChanData(t, c)
			rec, err := encodeChanData(d)
			require.NoError(t, err)
			require.Equal(t, ChannelFormat.Type, rec[0])
			got, err := decodeChanData(rec, recordProvider{})
			require.NoError(t, err)
			requireSameChanData(t, d, got)
			again, err := encodeChanData(got)
			require.NoError(t, err)
			require.Equal(t, rec, again, "decoding and encoding again changes nothing")
		})
	}
}

// TestChanDataRecordOptionalParts: what is unset is absent from the
// record, and an empty upfront script is kept apart from none.
func TestChanDataRecordOptionalParts(t *testing.T) {
	d := recordChanData(t, recordCase{"minimal", commit.AnchorsZeroFeeHTLC, commit.Remote, false})
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
// ErrCorruptRecord, except where the cut drops only optional records,
// which is then a consistent record of its own.
func TestChanDataRecordTruncated(t *testing.T) {
	for _, c := range recordCases() {
		rec, err := encodeChanData(recordChanData(t, c))
		require.NoError(t, err)
		accepted := 0
		for n := 0; n < len(rec); n++ {
			got, err := decodeChanData(rec[:n], recordProvider{})
			if err == nil {
				accepted++
				again, err := encodeChanData(got)
				require.NoError(t, err)
				require.Equal(t, rec[:n], again)
				continue
			}
			require.ErrorIs(t, err, ErrCorruptRecord, "%s cut at %d", c.name, n)
		}
		require.LessOrEqual(t, accepted, 1, c.name)
	}
}

// TestChanDataRecordCorrupt: each way of breaking a record fails with
// ErrCorruptRecord (a newer major version with persist.ErrNewerVersion).
func TestChanDataRecordCorrupt(t *testing.T) {
	base := recordChanData(t, recordCases()[0])
	rec, err := encodeChanData(base)
	require.NoError(t, err)
	edit := func(typ uint64, f func(v []byte) []byte) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			rs := recordTLVs(t, rec)
			v, ok := rs.Get(typ)
			require.True(t, ok)
			rs.Set(typ, f(v))
			return recordOf(t, rs)
		}
	}
	remove := func(typ uint64) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			var out wire.TLVRecords
			for _, r := range recordTLVs(t, rec) {
				if r.Type != typ {
					out = append(out, r)
				}
			}
			return recordOf(t, out)
		}
	}
	add := func(typ uint64, v []byte) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			rs := recordTLVs(t, rec)
			rs.Set(typ, v)
			return recordOf(t, rs)
		}
	}
	set := func(off int, b byte) func([]byte) []byte {
		return func(v []byte) []byte { v[off] = b; return v }
	}
	flip := func(off int) func([]byte) []byte {
		return func(v []byte) []byte { v[off] ^= 0xff; return v }
	}
	htlcCountAt := 8 + 33 + 8 + 8 + 4
	for _, tc := range []struct {
		name string
		rec  func(t *testing.T) []byte
	}{
		{"empty", func(*testing.T) []byte { return nil }},
		{"header only", func(*testing.T) []byte { return rec[:persist.RecordHeaderLen] }},
		{"wrong record type", func(*testing.T) []byte { return append([]byte{0x4e}, rec[1:]...) }},
		{"major 0", func(*testing.T) []byte { return append([]byte{rec[0], 0}, rec[2:]...) }},
		{"unknown even record", add(32, []byte{1})},
		{"records out of order", func(*testing.T) []byte {
			b := append([]byte(nil), rec[:persist.RecordHeaderLen]...)
			b = wire.AppendTLVRecord(b, 2, []byte{1, 0})
			return wire.AppendTLVRecord(b, 0, nil)
		}},
		{"missing ids", remove(chanRecIDs)},
		{"missing params", remove(chanRecParams)},
		{"missing commitments", remove(chanRecCommitments)},
		{"missing updates", remove(chanRecUpdates)},
		{"missing shutdown", remove(chanRecShutdown)},
		{"trailing byte in a record", edit(chanRecFunding, func(v []byte) []byte { return append(v, 0) })},
		{"short record", edit(chanRecConfig, func(v []byte) []byte { return v[:len(v)-1] })},
		{"channel id not the funding's", edit(chanRecIDs, flip(0))},
		{"counterparty not a point", edit(chanRecIDs, set(64, 0x05))},
		{"unknown channel_type flag", edit(chanRecType, set(1, 0x04))},
		{"channel_type of another format", edit(chanRecType, set(0, byte(commit.StaticRemoteKey)))},
		{"unknown commitment format", edit(chanRecParams, set(0, 9))},
		{"opener neither side", edit(chanRecParams, set(1+32+4+8, 2))},
		{"basepoint not a point", edit(chanRecParams, set(1+32+4+8+1, 0x07))},
		{"unknown open flag", edit(chanRecOpen, set(0, 2))},
		{"bad script presence", edit(chanRecUpfront, set(0, 2))},
		{"script longer than the record", edit(chanRecUpfront, func(v []byte) []byte { v[1], v[2] = 0xff, 0xff; return v })},
		{"balances above capacity", edit(chanRecCommitments, set(8+33, 0x7f))},
		{"htlc count beyond the record", edit(chanRecCommitments, func(v []byte) []byte {
			v[htlcCountAt], v[htlcCountAt+1] = 0xff, 0xff
			return v
		})},
		{"htlc without offerer", edit(chanRecCommitments, set(htlcCountAt+2+8, 2))},
		{"next point not a point", edit(chanRecNextPoint, set(0, 0x09))},
		{"unknown funding flag", edit(chanRecFunding, func(v []byte) []byte { v[len(v)-1] = 0x08; return v })},
		{"announcement undecodable", edit(chanRecAnnouncement, func(v []byte) []byte { return v[:40] })},
		{"announcement of another channel", edit(chanRecAnnouncement, flip(0))},
		{"pending count beyond the record", edit(chanRecUpdates, func(v []byte) []byte {
			v[8], v[9], v[10], v[11] = 0xff, 0xff, 0xff, 0xff
			return v
		})},
		{"pending update corrupt", edit(chanRecUpdates, set(8+4+4, 0x4e))},
		{"pending update after latest", edit(chanRecUpdates, set(7, 1))},
		{"funding tx of another outpoint", edit(chanRecFundingTx, func(v []byte) []byte { return flip(len(v) - 1)(v) })},
		{"funding tx with trailing bytes", edit(chanRecFundingTx, func(v []byte) []byte {
			v[3]++
			return append(v, 0)
		})},
		{"closing tx not spending the funding", edit(chanRecClosingTx, flip(4+4+2+1))},
		{"closing tx garbage", add(chanRecClosingTx, []byte{0, 0, 0, 2, 1, 2})},
		{"unknown shutdown flag", edit(chanRecShutdown, set(0, 0x80))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeChanData(tc.rec(t), recordProvider{})
			require.ErrorIs(t, err, ErrCorruptRecord)
		})
	}

	t.Run("newer major version", func(t *testing.T) {
		newer := append([]byte{rec[0], ChannelFormat.Major + 1}, rec[2:]...)
		_, err := decodeChanData(newer, recordProvider{})
		require.ErrorIs(t, err, persist.ErrNewerVersion)
		require.NotErrorIs(t, err, ErrCorruptRecord)
	})
	t.Run("unknown odd record skipped", func(t *testing.T) {
		got, err := decodeChanData(add(33, []byte{1, 2, 3})(t), recordProvider{})
		require.NoError(t, err)
		requireSameChanData(t, base, got)
	})
	t.Run("newer minor version read", func(t *testing.T) {
		got, err := decodeChanData(append([]byte{rec[0], rec[1], ChannelFormat.Minor + 1}, rec[3:]...), recordProvider{})
		require.NoError(t, err)
		requireSameChanData(t, base, got)
	})
}

// TestChanDataRecordByteFlips: flipping any byte of a record never panics
// and fails, if at all, with the typed errors.
func TestChanDataRecordByteFlips(t *testing.T) {
	rec, err := encodeChanData(recordChanData(t, recordCases()[1]))
	require.NoError(t, err)
	for i := range rec {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(rec)
			b[i] ^= mask
			got, err := decodeChanData(b, recordProvider{})
			if err != nil {
				if !errors.Is(err, ErrCorruptRecord) {
					require.ErrorIs(t, err, persist.ErrNewerVersion, "byte %d ^ %#x", i, mask)
				}
				continue
			}
			_, err = encodeChanData(got)
			require.NoError(t, err, "byte %d ^ %#x", i, mask)
		}
	}
}

// chanRecordGolden is the pinned encoding of the "anchors_we_open" channel:
// ChannelFormat 1.0 as released. A change to the encoding fails here; a
// deliberate one needs a new version (and reading the old one).
const chanRecordGolden = "testdata/channel_record_v1.hex"

func TestChanDataRecordGolden(t *testing.T) {
	d := recordChanData(t, recordCases()[0])
	rec, err := encodeChanData(d)
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.FromSlash(chanRecordGolden))
	require.NoError(t, err)
	want, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(want), hex.EncodeToString(rec), "the channel record encoding changed")
	got, err := decodeChanData(want, recordProvider{})
	require.NoError(t, err)
	requireSameChanData(t, d, got)
}

// TestChanDataRecordHostileTxBounded: a transaction field announcing
// huge counts in a few bytes fails without the allocation btcd's decoder
// would make for them.
func TestChanDataRecordHostileTxBounded(t *testing.T) {
	rec, err := encodeChanData(recordChanData(t, recordCases()[0]))
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
	for _, c := range recordCases()[:1] {
		d := recordChanData(t, c)
		for _, tx := range []*btcwire.MsgTx{d.fundingTx, d.shut.closingTx} {
			var b bytes.Buffer
			require.NoError(t, tx.Serialize(&b))
			require.NoError(t, scanTx(b.Bytes()))
		}
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
