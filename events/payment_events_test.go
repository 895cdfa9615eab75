package events_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// paymentHiddenBytes returns what a payment event must not print: its
// preimages and payment secrets, and peer-chosen byte strings (metadata,
// custom records, channel updates) long enough to be recognised.
func paymentHiddenBytes(e events.Event) [][]byte {
	var out [][]byte
	add := func(b []byte) {
		if len(b) >= 8 && !bytes.Equal(b, make([]byte, len(b))) {
			out = append(out, b)
		}
	}
	addPurpose := func(p events.PaymentPurpose) {
		if p.Preimage.Present {
			add(p.Preimage.Value[:])
		}
		add(p.Secret[:])
	}
	switch e := e.(type) {
	case *events.PaymentClaimable:
		addPurpose(e.Purpose)
		add(e.PaymentMetadata)
		for _, r := range e.CustomRecords {
			add(r.Value)
		}
	case *events.PaymentClaimed:
		addPurpose(e.Purpose)
	case *events.PaymentSent:
		add(e.Preimage[:])
	case *events.PaymentFailed:
		add(e.Failure.Value.ChannelUpdate)
	case *events.PaymentPathFailed:
		add(e.Failure.ChannelUpdate)
	}
	return out
}

// preimage returns a preimage of 32 copies of b and its hash.
func preimage(b byte) (wire.Preimage, wire.PaymentHash) {
	p := wire.Preimage(bytes.Repeat([]byte{b}, 32))
	return p, p.Hash()
}

func TestPaymentRoundTripMinimal(t *testing.T) {
	pre, hash := preimage(1)
	for _, e := range []events.Event{
		&events.PaymentClaimable{Purpose: events.PaymentPurpose{Kind: events.PurposeInvoice}},
		&events.PaymentClaimed{Purpose: events.PaymentPurpose{Kind: events.PurposeInvoice}},
		&events.PaymentSent{Preimage: pre, PaymentHash: hash},
		&events.PaymentFailed{Reason: events.FailureUserAbandoned},
		&events.PaymentPathFailed{},
	} {
		t.Run(e.Kind().String(), func(t *testing.T) { roundTrip(t, e) })
	}
}

// A present failure with every field zero is told from an absent one, and
// a present all-zero preimage from an unknown one.
func TestPaymentOptionsPresentButZero(t *testing.T) {
	absent := &events.PaymentFailed{Reason: events.FailureRetriesExhausted}
	present := &events.PaymentFailed{Reason: events.FailureRetriesExhausted, Failure: wire.Some(events.HTLCFailure{})}
	require.NotEqual(t, roundTrip(t, absent), roundTrip(t, present))

	var zero wire.Preimage
	claimed := &events.PaymentClaimed{
		PaymentHash: zero.Hash(),
		Purpose:     events.PaymentPurpose{Kind: events.PurposeSpontaneous, Preimage: wire.Some(zero)},
	}
	roundTrip(t, claimed)
}

func TestPaymentEncodeRefusesInvalidEvents(t *testing.T) {
	pre, hash := preimage(7)
	other, _ := preimage(8)
	invoice := events.PaymentPurpose{Kind: events.PurposeInvoice}
	for _, tc := range []struct {
		name string
		e    events.Event
	}{
		{"claimable without a purpose", &events.PaymentClaimable{}},
		{"claimable of purpose 3", &events.PaymentClaimable{Purpose: events.PaymentPurpose{Kind: 3}}},
		{"spontaneous without its preimage", &events.PaymentClaimable{Purpose: events.PaymentPurpose{Kind: events.PurposeSpontaneous}}},
		{"claimable with a wrong preimage", &events.PaymentClaimable{PaymentHash: hash, Purpose: events.PaymentPurpose{Kind: events.PurposeInvoice, Preimage: wire.Some(other)}}},
		{"custom records out of order", &events.PaymentClaimable{Purpose: invoice, CustomRecords: wire.TLVRecords{{Type: 65539}, {Type: 65537}}}},
		{"custom records repeated", &events.PaymentClaimable{Purpose: invoice, CustomRecords: wire.TLVRecords{{Type: 65537}, {Type: 65537}}}},
		{"claimed without a purpose", &events.PaymentClaimed{}},
		{"claimed with a wrong preimage", &events.PaymentClaimed{PaymentHash: hash, Purpose: events.PaymentPurpose{Kind: events.PurposeSpontaneous, Preimage: wire.Some(other)}}},
		{"sent with a wrong preimage", &events.PaymentSent{PaymentHash: hash, Preimage: other}},
		{"sent without a preimage", &events.PaymentSent{PaymentHash: hash}},
		{"failed without a reason", &events.PaymentFailed{}},
		{"failed with reason 7", &events.PaymentFailed{Reason: 7}},
		{"path failed with a height beyond 24 bits", &events.PaymentPathFailed{ShortChannelID: wire.ShortChannelID{BlockHeight: 1 << 24}}},
		{"path failed with a tx index beyond 24 bits", &events.PaymentPathFailed{ShortChannelID: wire.ShortChannelID{TxIndex: 1 << 24}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.Encode(tc.e)
			require.ErrorIs(t, err, events.ErrInvalidEvent)
		})
	}
	_, err := events.Encode(&events.PaymentSent{PaymentHash: hash, Preimage: pre})
	require.NoError(t, err)
}

func TestPaymentDecodeRejectsMalformedRecords(t *testing.T) {
	pre, hash := preimage(3)
	invoice := tlv(6, []byte{byte(events.PurposeInvoice)})
	hashRec := tlv(2, hash[:])
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"claimable without a purpose", record(events.KindPaymentClaimable, 1), persist.ErrCorrupt},
		{"claimable of purpose 3", record(events.KindPaymentClaimable, 1, tlv(6, []byte{3})), persist.ErrCorrupt},
		{"spontaneous without its preimage", record(events.KindPaymentClaimable, 1, tlv(6, []byte{2})), persist.ErrCorrupt},
		{"preimage of 31 bytes", record(events.KindPaymentClaimable, 1, hashRec, invoice, tlv(8, pre[1:])), wire.ErrTLVLength},
		{"wrong preimage", record(events.KindPaymentClaimable, 1, invoice, tlv(8, pre[:])), persist.ErrCorrupt},
		{"secret of 33 bytes", record(events.KindPaymentClaimable, 1, invoice, tlv(10, make([]byte, 33))), wire.ErrTLVLength},
		{"deadline overflows u32", record(events.KindPaymentClaimable, 1, invoice, tlv(18, []byte{1, 0, 0, 0, 0})), persist.ErrCorrupt},
		{"custom records truncated", record(events.KindPaymentClaimable, 1, invoice, tlv(22, []byte{0xfe, 0, 1, 0, 1, 5, 1})), wire.ErrTruncated},
		{"custom records out of order", record(events.KindPaymentClaimable, 1, invoice, tlv(22, []byte{0xfe, 0, 1, 0, 3, 0, 0xfe, 0, 1, 0, 1, 0})), wire.ErrTLVOrder},
		{"unknown even field", record(events.KindPaymentClaimable, 1, invoice, tlv(24, nil)), wire.ErrUnknownEvenType},
		{"claimed of purpose 0", record(events.KindPaymentClaimed, 1, tlv(6, []byte{0})), persist.ErrCorrupt},
		{"sent without a preimage", record(events.KindPaymentSent, 1, tlv(4, hash[:])), persist.ErrCorrupt},
		{"failed without a reason", record(events.KindPaymentFailed, 1), persist.ErrCorrupt},
		{"failed with reason 7", record(events.KindPaymentFailed, 1, tlv(6, []byte{7})), persist.ErrCorrupt},
		{"failure with an unknown even field", record(events.KindPaymentFailed, 1, tlv(6, []byte{1}), tlv(8, []byte{10, 0})), wire.ErrUnknownEvenType},
		{"failure with a short node", record(events.KindPaymentFailed, 1, tlv(6, []byte{1}), tlv(8, []byte{0, 1, 2})), wire.ErrTLVLength},
		{"failure truncated", record(events.KindPaymentFailed, 1, tlv(6, []byte{1}), tlv(8, []byte{4, 2, 1})), wire.ErrTruncated},
		{"hop index overflows u8", record(events.KindPaymentPathFailed, 1, tlv(8, []byte{2, 2, 1, 0})), persist.ErrCorrupt},
		{"code overflows u16", record(events.KindPaymentPathFailed, 1, tlv(8, []byte{4, 3, 1, 0, 0})), persist.ErrCorrupt},
		{"permanent with a value", record(events.KindPaymentPathFailed, 1, tlv(8, []byte{6, 1, 1})), wire.ErrTLVLength},
		{"retryable with a value", record(events.KindPaymentPathFailed, 1, tlv(14, []byte{1})), wire.ErrTLVLength},
		{"scid non-minimal", record(events.KindPaymentPathFailed, 1, tlv(10, []byte{0, 1})), wire.ErrNotMinimal},
		{"path of 34 bytes", record(events.KindPaymentPathFailed, 1, tlv(12, make([]byte, 34))), wire.ErrTLVLength},
		{"tampered with a value", record(events.KindPaymentPathFailed, 1, tlv(8, []byte{9, 1, 1})), wire.ErrTLVLength},
		{"hold times of 5 bytes", record(events.KindPaymentPathFailed, 1, tlv(8, []byte{11, 5, 0, 0, 0, 1, 2})), wire.ErrTLVLength},
		{"sent hold times of 3 bytes", record(events.KindPaymentSent, 1, tlv(11, []byte{0, 0, 1})), wire.ErrTLVLength},
	} {
		t.Run(tc.name, func(t *testing.T) { requireDecodeFails(t, tc.data, tc.want) })
	}
}

// Unknown odd fields of a failure (a newer minor version) are skipped, and
// a present empty byte string decodes as nil.
func TestPaymentDecodeLenient(t *testing.T) {
	e, err := events.Decode(record(events.KindPaymentPathFailed, 1, tlv(8, []byte{4, 2, 0x40, 0x0f, 8, 0, 13, 1, 'x'}), tlv(12, nil)))
	require.NoError(t, err)
	require.Equal(t, &events.PaymentPathFailed{Failure: events.HTLCFailure{Code: 0x400f}}, e)
	roundTrip(t, e)
}

// Hold times (BOLT 4 attribution data) round-trip with the failure and
// with PaymentSent; an older reader skips them (odd types).
func TestPaymentHoldTimes(t *testing.T) {
	e, err := events.Decode(record(events.KindPaymentPathFailed, 1, tlv(8, []byte{2, 1, 1, 9, 0, 11, 8, 0, 0, 0, 3, 0, 0, 0, 1})))
	require.NoError(t, err)
	require.Equal(t, &events.PaymentPathFailed{Failure: events.HTLCFailure{HopIndex: 1, Tampered: true, HoldTimes: []uint32{3, 1}}}, e)
	roundTrip(t, e)
	pre, hash := preimage(0x11)
	sent := &events.PaymentSent{PaymentHash: hash, Preimage: pre, HoldTimes: []uint32{12, 0, 7}}
	roundTrip(t, sent)
}

func TestPaymentString(t *testing.T) {
	pre, hash := preimage(0xaa)
	var node wire.NodeID
	node[0] = 3
	claimable := &events.PaymentClaimable{
		Meta:        events.Meta{ID: 5},
		PaymentHash: hash, Amount: 1000,
		Purpose:        events.PaymentPurpose{Kind: events.PurposeInvoice, Preimage: wire.Some(pre), Secret: wire.PaymentSecret{0xbb}},
		ReceiverNodeID: node, ClaimDeadline: 800000,
		PaymentMetadata: []byte("metadata"),
	}
	require.Equal(t, "payment-claimable{id=5 payment_hash="+hash.String()+" amount_msat=1000 purpose=invoice preimage=redacted receiver="+node.String()+" via_user_channel_id=0 claim_deadline=800000}", claimable.String())

	sent := &events.PaymentSent{Meta: events.Meta{ID: 6}, PaymentID: events.PaymentID{1}, PaymentHash: hash, Preimage: pre, FeePaid: 3, Amount: 1000}
	require.Equal(t, "payment-sent{id=6 payment_id="+events.PaymentID{1}.String()+" payment_hash="+hash.String()+" fee_paid_msat=3 amount_msat=1000}", sent.String())

	failed := &events.PaymentFailed{
		Meta: events.Meta{ID: 7}, Reason: events.FailureRecipientRejected,
		Failure: wire.Some(events.HTLCFailure{ErringNode: node, HopIndex: 2, Code: 0x400f, Permanent: true, ChannelUpdate: []byte("update")}),
	}
	require.Equal(t, "payment-failed{id=7 reason=recipient-rejected failure=[erring_node="+node.String()+" hop_index=2 code=0x400f permanent=true]}", failed.String())

	path := &events.PaymentPathFailed{
		Meta: events.Meta{ID: 8}, ShortChannelID: wire.ShortChannelID{BlockHeight: 700000, TxIndex: 5, OutputIndex: 1},
		Path: []wire.NodeID{node, node}, Retryable: true,
	}
	require.Equal(t, "payment-path-failed{id=8 short_channel_id=700000x5x1 path=["+node.String()+" "+node.String()+"] retryable=true}", path.String())
}

// No payment event prints a preimage or a payment secret, through fmt or
// slog (text and JSON), in any of the ways a caller might log it.
func TestPaymentLogsHideSecrets(t *testing.T) {
	g := newGen(11)
	for _, k := range []events.Kind{events.KindPaymentClaimable, events.KindPaymentClaimed, events.KindPaymentSent} {
		for range 50 {
			e := g.event(k)
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("event", "event", e)
			slog.New(slog.NewTextHandler(&buf, nil)).Info("event", "event", e)
			text := buf.String() + fmt.Sprint(e) + fmt.Sprintf("%v %s %+v", e, e, e)
			var secrets [][]byte
			switch e := e.(type) {
			case *events.PaymentClaimable:
				secrets = append(secrets, e.Purpose.Preimage.Value[:], e.Purpose.Secret[:])
				text += e.Purpose.String()
			case *events.PaymentClaimed:
				secrets = append(secrets, e.Purpose.Preimage.Value[:], e.Purpose.Secret[:])
				text += e.Purpose.String()
			case *events.PaymentSent:
				secrets = append(secrets, e.Preimage[:])
				require.Contains(t, text, e.PaymentHash.String(), "the hash is shown")
			}
			for _, s := range secrets {
				if !bytes.Equal(s, make([]byte, 32)) {
					require.NotContains(t, text, hex.EncodeToString(s), "%s", k)
				}
			}
		}
	}
}

func TestPaymentEnumStrings(t *testing.T) {
	require.Equal(t, "invoice", events.PurposeInvoice.String())
	require.Equal(t, "spontaneous", events.PurposeSpontaneous.String())
	require.Equal(t, "purpose(9)", events.PurposeKind(9).String())
	pre, _ := preimage(1)
	require.Equal(t, "spontaneous (preimage known)", events.PaymentPurpose{Kind: events.PurposeSpontaneous, Preimage: wire.Some(pre)}.String())
	for r, want := range map[events.PaymentFailureReason]string{
		events.FailureRecipientRejected: "recipient-rejected",
		events.FailureRetriesExhausted:  "retries-exhausted",
		events.FailurePaymentExpired:    "payment-expired",
		events.FailureRouteNotFound:     "route-not-found",
		events.FailureUnexpectedError:   "unexpected-error",
		events.FailureUserAbandoned:     "user-abandoned",
		0:                               "failure-reason(0)",
	} {
		require.Equal(t, want, r.String())
	}
	require.Equal(t, "0100000000000000000000000000000000000000000000000000000000000000", events.PaymentID{1}.String())
	for k, want := range map[events.Kind]string{
		events.KindPaymentClaimable:  "payment-claimable",
		events.KindPaymentClaimed:    "payment-claimed",
		events.KindPaymentSent:       "payment-sent",
		events.KindPaymentFailed:     "payment-failed",
		events.KindPaymentPathFailed: "payment-path-failed",
	} {
		require.Equal(t, want, k.String())
	}
	require.Equal(t, events.Kind(9), events.KindPaymentClaimable)
	require.Equal(t, events.Kind(13), events.KindPaymentPathFailed)
}
