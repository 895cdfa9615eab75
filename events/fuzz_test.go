package events_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
)

// FuzzDecode feeds arbitrary records to Decode: it must never panic, and
// what it accepts must encode canonically (decode, encode, decode gives
// the same event and the same bytes).
func FuzzDecode(f *testing.F) {
	g := newGen(42)
	for _, k := range allKinds {
		for range 3 {
			rec, err := events.Encode(g.event(k))
			require.NoError(f, err)
			f.Add(rec)
		}
	}
	f.Add([]byte{})
	f.Add([]byte{byte(events.KindChannelClosed), 1, 0, 6, 1, 6, 8, 3, 'b', 0x1b, 0xff})
	f.Add([]byte{byte(events.KindPaymentForwarded), 1, 0, 8, 1, 5, 10, 1, 4, 12, 1, 1, 14, 1, 1}) // a forward: amounts, fee, on chain
	f.Add([]byte{byte(events.KindHTLCIntercepted), 1, 0, 4, 3, 1, 2, 3, 8, 1, 9, 14, 2, 1, 0})    // an intercepted htlc
	f.Add([]byte{byte(events.KindSpendableOutputs), 1, 0, 2, 3, 1, 1, 1})
	f.Add([]byte{byte(events.KindFundingGenerationReady), 1, 0, 8, 0})                                     // a present empty script
	f.Add([]byte{byte(events.KindPaymentFailed), 1, 0, 6, 1, 1, 8, 0})                                     // a present empty failure
	f.Add([]byte{byte(events.KindPaymentPathFailed), 1, 0, 8, 6, 4, 2, 0x40, 0x0f, 9, 0, 10, 1, 1, 12, 0}) // odd field in the failure, empty path
	f.Add([]byte{byte(events.KindPaymentClaimable), 1, 0, 6, 1, 1, 22, 6, 0xfe, 0, 1, 0, 1, 0})            // a custom record
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := events.Decode(data)
		if err != nil {
			require.Nil(t, e)
			return
		}
		rec, err := events.Encode(e)
		require.NoError(t, err, "a decoded event encodes")
		again, err := events.Decode(rec)
		require.NoError(t, err)
		require.Equal(t, e, again)
		rec2, err := events.Encode(again)
		require.NoError(t, err)
		require.Equal(t, rec, rec2)
		_ = e.String()
	})
}
