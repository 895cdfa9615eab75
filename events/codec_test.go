package events_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// roundTrip encodes e, decodes it, checks it comes back equal and that
// encoding the result gives the same bytes.
func roundTrip(t *testing.T, e events.Event) []byte {
	t.Helper()
	rec, err := events.Encode(e)
	require.NoError(t, err)
	got, err := events.Decode(rec)
	require.NoError(t, err, "%s", e)
	require.Equal(t, e, got)
	again, err := events.Encode(got)
	require.NoError(t, err)
	require.Equal(t, rec, again, "the encoding is canonical")
	return rec
}

func TestRoundTripEveryKind(t *testing.T) {
	for _, k := range allKinds {
		t.Run(k.String(), func(t *testing.T) {
			g := newGen(uint64(k))
			for range 300 {
				e := g.event(k)
				rec := roundTrip(t, e)
				require.Equal(t, byte(k), rec[0], "the record type is the kind")
				require.Equal(t, events.Format(k), persist.RecordFormat{Type: rec[0], Major: rec[1], Minor: rec[2]})
			}
		})
	}
}

// The zero value of each kind (plus what check requires) encodes to the
// header alone, or nearly, and decodes back.
func TestRoundTripMinimal(t *testing.T) {
	anchor := spendable.Output{Kind: spendable.Anchor}
	g := newGen(1)
	for _, e := range []events.Event{
		&events.OpenChannelRequest{}, &events.FundingGenerationReady{}, &events.ChannelPending{},
		&events.ChannelReady{}, &events.ChannelClosed{Reason: events.Reason(events.ClosedFundingTimedOut)},
		&events.DiscardFunding{}, &events.SpendableOutputs{Outputs: []spendable.Output{{Kind: spendable.StaticRemote}}},
		&events.BumpTransaction{CommitmentTx: g.tx(), Anchor: anchor},
	} {
		t.Run(e.Kind().String(), func(t *testing.T) { roundTrip(t, e) })
	}
}

func TestEncodeRefusesInvalidEvents(t *testing.T) {
	g := newGen(2)
	for _, tc := range []struct {
		name string
		e    events.Event
	}{
		{"nil", nil},
		{"typed nil", (*events.ChannelReady)(nil)},
		{"closed without a reason", &events.ChannelClosed{}},
		{"closed with an unknown reason", &events.ChannelClosed{Reason: events.Reason(42)}},
		{"spendable without outputs", &events.SpendableOutputs{}},
		{"spendable of kind 0", &events.SpendableOutputs{Outputs: []spendable.Output{{}}}},
		{"spendable of kind 9", &events.SpendableOutputs{Outputs: []spendable.Output{{Kind: 9}}}},
		{"bump without commitment", &events.BumpTransaction{Anchor: spendable.Output{Kind: spendable.Anchor}}},
		{"bump with a non-anchor", &events.BumpTransaction{CommitmentTx: g.tx(), Anchor: spendable.Output{Kind: spendable.StaticRemote}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.Encode(tc.e)
			require.ErrorIs(t, err, events.ErrInvalidEvent)
		})
	}
}

// record builds an event record by hand: header then raw TLV records.
func record(kind events.Kind, major byte, recs ...wire.TLVRecord) []byte {
	b := []byte{byte(kind), major, 0}
	for _, r := range recs {
		b = wire.AppendTLVRecord(b, r.Type, r.Value)
	}
	return b
}

func tlv(typ uint64, v []byte) wire.TLVRecord { return wire.TLVRecord{Type: typ, Value: v} }

func TestDecodeRejectsMalformedRecords(t *testing.T) {
	g := newGen(3)
	bump, err := events.Encode(g.event(events.KindBumpTransaction))
	require.NoError(t, err)
	reason := tlv(6, []byte{byte(events.ClosedCooperativelyByUs)})
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, persist.ErrCorrupt},
		{"unknown kind", record(99, 1), persist.ErrCorrupt},
		{"kind 0", record(0, 1), persist.ErrCorrupt},
		{"header only, 2 bytes", []byte{byte(events.KindChannelReady), 1}, persist.ErrCorrupt},
		{"major 0", record(events.KindChannelReady, 0), persist.ErrCorrupt},
		{"newer major", record(events.KindChannelReady, 2), persist.ErrNewerVersion},
		{"truncated stream", bump[:len(bump)-1], persist.ErrCorrupt},
		{"unknown even field", record(events.KindChannelReady, 1, tlv(100, nil)), wire.ErrUnknownEvenType},
		{"fields out of order", record(events.KindChannelReady, 1, tlv(4, []byte{1}), tlv(2, make([]byte, 32))), wire.ErrTLVOrder},
		{"short channel id", record(events.KindChannelReady, 1, tlv(2, make([]byte, 31))), wire.ErrTLVLength},
		{"long node id", record(events.KindChannelReady, 1, tlv(6, make([]byte, 34))), wire.ErrTLVLength},
		{"non-minimal id", record(events.KindChannelReady, 1, tlv(0, []byte{0, 1})), wire.ErrNotMinimal},
		{"id of 9 bytes", record(events.KindChannelReady, 1, tlv(0, make([]byte, 9))), wire.ErrTLVLength},
		{"to_self_delay overflows u16", record(events.KindOpenChannelRequest, 1, tlv(24, []byte{1, 0, 0})), persist.ErrCorrupt},
		{"flag with a value", record(events.KindOpenChannelRequest, 1, tlv(12, []byte{1})), wire.ErrTLVLength},
		{"features with a leading zero", record(events.KindChannelReady, 1, tlv(10, []byte{0, 1})), persist.ErrCorrupt},
		{"short outpoint", record(events.KindChannelReady, 1, tlv(8, make([]byte, 35))), wire.ErrTLVLength},
		{"closed without a reason", record(events.KindChannelClosed, 1), persist.ErrCorrupt},
		{"closed with reason 11", record(events.KindChannelClosed, 1, tlv(6, []byte{11})), persist.ErrCorrupt},
		{"closed with reason 256", record(events.KindChannelClosed, 1, tlv(6, []byte{1, 0})), persist.ErrCorrupt},
		{"closed, text and an unknown even field", record(events.KindChannelClosed, 1, reason, tlv(8, []byte("x")), tlv(20, nil)), wire.ErrUnknownEvenType},
		{"tx garbage", record(events.KindDiscardFunding, 1, tlv(6, []byte{1, 2, 3})), persist.ErrCorrupt},
		{"tx with trailing bytes", record(events.KindDiscardFunding, 1, tlv(6, append(txBytes(t, g), 0))), persist.ErrCorrupt},
		{"spendable without outputs", record(events.KindSpendableOutputs, 1), persist.ErrCorrupt},
		{"zero outputs", record(events.KindSpendableOutputs, 1, tlv(2, []byte{0})), persist.ErrCorrupt},
		{"more outputs than bytes", record(events.KindSpendableOutputs, 1, tlv(2, []byte{3, 1, 0})), persist.ErrCorrupt},
		{"output length past the end", record(events.KindSpendableOutputs, 1, tlv(2, []byte{1, 5, 0, 1, 1})), wire.ErrTruncated},
		{"output of kind 0", record(events.KindSpendableOutputs, 1, tlv(2, []byte{1, 2, 0, 0})), persist.ErrCorrupt},
		{"output of kind 5", record(events.KindSpendableOutputs, 1, tlv(2, []byte{1, 3, 0, 1, 5})), persist.ErrCorrupt},
		{"bytes after the outputs", record(events.KindSpendableOutputs, 1, tlv(2, []byte{1, 3, 0, 1, 1, 7})), persist.ErrCorrupt},
		{"output with a point off the curve", record(events.KindSpendableOutputs, 1, tlv(2, append([]byte{1, 38, 0, 1, 3, 10, 33}, make([]byte, 33)...))), wire.ErrInvalidPoint},
		{"bump without commitment", record(events.KindBumpTransaction, 1), persist.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) { requireDecodeFails(t, tc.data, tc.want) })
	}
}

// requireDecodeFails checks that Decode refuses data with an error
// matching want, a *persist.RecordError.
func requireDecodeFails(t *testing.T, data []byte, want error) {
	t.Helper()
	e, err := events.Decode(data)
	require.Nil(t, e)
	require.ErrorIs(t, err, want)
	var re *persist.RecordError
	require.ErrorAs(t, err, &re, "every failure is a *persist.RecordError")
}

// txBytes is a random transaction's serialization.
func txBytes(t *testing.T, g *gen) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, g.tx().Serialize(&buf))
	return buf.Bytes()
}

// Unknown odd fields (a newer minor version) are skipped.
func TestDecodeSkipsUnknownOddFields(t *testing.T) {
	data := record(events.KindChannelReady, 1, tlv(0, []byte{7}), tlv(4, []byte{9}), tlv(11, []byte("later")))
	e, err := events.Decode(data)
	require.NoError(t, err)
	require.Equal(t, &events.ChannelReady{Meta: events.Meta{ID: 7}, UserChannelID: 9}, e)
}

// Text read back is sanitized again, so a tampered store cannot smuggle
// control characters into logs.
func TestDecodeSanitizesText(t *testing.T) {
	data := record(events.KindChannelClosed, 1, tlv(6, []byte{byte(events.ClosedCounterpartyError)}), tlv(8, []byte("bad\x1b[31m\nsig\xff")))
	e, err := events.Decode(data)
	require.NoError(t, err)
	require.Equal(t, "bad?[31m?sig\uFFFD", e.(*events.ChannelClosed).Reason.Message)
}

func TestFormatIsFixed(t *testing.T) {
	for i, k := range allKinds {
		require.Equal(t, persist.RecordFormat{Type: byte(i + 1), Major: 1, Minor: 0}, events.Format(k), fmt.Sprint(k))
		require.NotContains(t, k.String(), "kind(")
	}
	require.Equal(t, "kind(0)", events.Kind(0).String())
	require.Equal(t, "kind(19)", events.Kind(19).String())
}

// A present empty byte string decodes as absent (nil), so decoding, then
// encoding and decoding again gives the same event.
func TestDecodeEmptyBytesIsNil(t *testing.T) {
	e, err := events.Decode(record(events.KindFundingGenerationReady, 1, tlv(8, []byte{})))
	require.NoError(t, err)
	require.Nil(t, e.(*events.FundingGenerationReady).OutputScript)
	roundTrip(t, e)
}
