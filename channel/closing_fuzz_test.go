package channel

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// Flags of FuzzClosingReceive.
const (
	closingFuzzOpener    = 1 << iota // the receiver is the opener
	closingFuzzSendRange             // the receiver sends fee_range
	closingFuzzStart                 // the receiver runs start first
	closingFuzzRange1                // the first message has a fee_range
	closingFuzzSigned1               // the first message is validly signed
	closingFuzzRange2                // the second message has a fee_range
	closingFuzzSigned2               // the second message is validly signed
	closingFuzzRawFees               // fees are taken as is, not reduced
)

// FuzzClosingReceive feeds two arbitrary closing_signed (fee, fee_range,
// and either the raw signature bytes or a valid signature of the sender's
// closing transaction) to a negotiation of either role. It never panics;
// it fails only with a *RuleError; every reply proposes a fee in the
// receiver's range; an agreed closing transaction is valid in btcd's
// script engine.
func FuzzClosingReceive(f *testing.F) {
	all := uint8(0xff &^ closingFuzzRawFees)
	f.Add(all, uint64(1000), uint64(500), uint64(2000), uint64(1000), uint64(500), uint64(2000), []byte{})
	f.Add(uint8(closingFuzzSigned1|closingFuzzRange1), uint64(1000), uint64(500), uint64(2000), uint64(0), uint64(0), uint64(0), []byte{1})
	f.Add(uint8(closingFuzzOpener|closingFuzzStart|closingFuzzSigned1|closingFuzzSigned2),
		uint64(20_000), uint64(0), uint64(0), uint64(1500), uint64(0), uint64(0), []byte{})
	f.Add(uint8(closingFuzzSigned1|closingFuzzRange1|closingFuzzSendRange), uint64(2500), uint64(2500), uint64(3000), uint64(0), uint64(0), uint64(0), []byte{})
	f.Add(uint8(closingFuzzRawFees|closingFuzzRange1), uint64(1<<63), uint64(1<<64-1), uint64(0), uint64(1<<64-1), uint64(0), uint64(0), make([]byte, 64))
	f.Add(uint8(closingFuzzRange1), uint64(1000), uint64(2000), uint64(500), uint64(0), uint64(0), uint64(0), []byte{0xff, 0xff, 0xff, 0xff})

	f.Fuzz(func(t *testing.T, flags uint8, fee1, min1, max1, fee2, min2, max2 uint64, sig []byte) {
		s := closingDefault()
		s.opener.fees, s.fundee.fees = closingFeesOf(500, 1000, 2000), closingFeesOf(300, 800, 600_000)
		if flags&closingFuzzOpener != 0 {
			s.opener.sendRange = flags&closingFuzzSendRange != 0
		} else {
			s.fundee.sendRange = flags&closingFuzzSendRange != 0
		}
		opener, fundee := newClosingPair(t, s)
		recv, sender := fundee, opener
		if flags&closingFuzzOpener != 0 {
			recv, sender = opener, fundee
		}
		if flags&closingFuzzStart != 0 {
			_, err := recv.start()
			require.NoError(t, err)
		}
		reduce := func(v uint64) wire.Satoshi {
			if flags&closingFuzzRawFees != 0 {
				return wire.Satoshi(v)
			}
			return wire.Satoshi(v % 700_000)
		}
		msgs := []struct {
			fee, lo, hi         uint64
			hasRange, signValid bool
		}{
			{fee1, min1, max1, flags&closingFuzzRange1 != 0, flags&closingFuzzSigned1 != 0},
			{fee2, min2, max2, flags&closingFuzzRange2 != 0, flags&closingFuzzSigned2 != 0},
		}
		for i, m := range msgs {
			msg := &wire.ClosingSigned{ChannelID: closingTestChannelID, Fee: reduce(m.fee)}
			if m.hasRange {
				msg.FeeRange = wire.Some(wire.FeeRange{MinFee: reduce(m.lo), MaxFee: reduce(m.hi)})
			}
			copy(msg.Signature[:], sig[min(len(sig), 64*i):])
			if m.signValid {
				if tx, err := sender.p.ourClosingTx(msg.Fee); err == nil && msg.Fee <= sender.p.openerBalance() {
					msg.Signature, err = sender.p.closingSign(tx)
					require.NoError(t, err)
				}
			}
			before := *recv
			reply, final, err := recv.receive(msg)
			if err != nil {
				var re *RuleError
				require.True(t, errors.As(err, &re), "not a *RuleError: %v", err)
				require.Nil(t, reply)
				require.Nil(t, final)
				require.Equal(t, before, *recv, "a refused message changes nothing")
				continue
			}
			if reply != nil {
				r := recv.p.fees.feeRange
				require.True(t, r.MinFee <= reply.Fee && reply.Fee <= r.MaxFee, "reply %d outside our range %v", reply.Fee, r)
			}
			if final != nil {
				requireClosingValid(t, recv.p.channel, final)
				require.Same(t, final, recv.agreedTx())
				require.Equal(t, msg.Fee, recv.agreedFee)
			}
		}
	})
}
