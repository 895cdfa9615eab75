package channel

import (
	"encoding/binary"
	"testing"

	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// FuzzManagerMessages feeds arbitrary BOLT 2 messages, decoded by the wire
// codec from the fuzz bytes, to two Managers that share a ready channel,
// at one of several points of a second channel's opening or of the ready
// channel's close. Whatever arrives, no Manager panics, every message a
// Manager sends encodes, the Managers stop talking, and the balances of
// the ready channel do not move.
//
// The input is one byte choosing the point of the flow (fuzzFlowPoints),
// then messages: a byte choosing the type (fuzzChannelTypes), a byte of
// options (bits 0-2: which channel id replaces the message's, bit 3:
// from A to B instead of B to A, bit 4: reconnect after it, bit 7:
// deliver the answers at once), a
// big-endian u16 length and the payload.
func FuzzManagerMessages(f *testing.F) {
	var id wire.ChannelID // replaced by the option's id
	f.Add(fuzzSeed(f, 0, 1, &wire.Shutdown{ChannelID: id, ScriptPubKey: p2wpkh(9)}))
	f.Add(fuzzSeed(f, 0, 1|0x80, &wire.UpdateAddHTLC{ChannelID: id, Amount: 1000}, &wire.Error{Data: []byte("x")}))
	f.Add(fuzzSeed(f, 0, 1, &wire.ChannelReestablish{ChannelID: id, NextCommitmentNumber: 5}))
	f.Add(fuzzSeed(f, 6, 1, &wire.ClosingSigned{ChannelID: id, Fee: 500}))
	f.Add(fuzzSeed(f, 3, 2, &wire.FundingSigned{ChannelID: id}))
	f.Add(fuzzSeed(f, 4, 2|0x80, &wire.ChannelReady{ChannelID: id}, &wire.AnnouncementSignatures{ChannelID: id}))
	f.Add(fuzzSeed(f, 2, 4|8, &wire.FundingCreated{TemporaryChannelID: id}))
	f.Add(fuzzSeed(f, 1, 4, &wire.AcceptChannel{TemporaryChannelID: id, DustLimit: 354, MinimumDepth: 1}))
	f.Add(fuzzSeed(f, 5, 3|0x80, &wire.Warning{Data: []byte("w")}, &wire.Shutdown{ChannelID: id}))
	f.Add(fuzzSeed(f, 6, 1|0x10, &wire.ClosingSigned{ChannelID: id, Fee: 700}, &wire.ChannelReestablish{ChannelID: id, NextCommitmentNumber: 1}))
	types, points := fuzzChannelTypes(), fuzzFlowPoints()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		rp := newRulePair(t, nil, nil, nil)
		second := points[int(data[0])%len(points)](t, rp)
		data = data[1:]
		for len(data) >= 4 {
			typ := types[int(data[0])%len(types)]
			opts := data[1]
			n := min(int(binary.BigEndian.Uint16(data[2:4])), len(data)-4)
			payload := append([]byte(nil), data[4:4+n]...)
			data = data[4+n:]
			ids := []wire.ChannelID{{}, rp.good.id, second.id, {}, second.tmp}
			if c := int(opts & 7); c > 0 && c < len(ids) {
				if at := fuzzIDOffset(typ); len(payload) >= at+32 {
					copy(payload[at:], ids[c][:])
				}
			}
			msg, err := wire.Decode(append(binary.BigEndian.AppendUint16(nil, uint16(typ)), payload...))
			if err != nil {
				continue
			}
			from, to := rp.b, rp.a
			if opts&8 != 0 {
				from, to = rp.a, rp.b
			}
			require.NoError(t, to.m.HandleChannelMessage(from.id, msg))
			if opts&0x80 != 0 {
				rp.deliver()
			}
			if opts&0x10 != 0 {
				rp.reconnect()
			}
		}
		rp.deliver()
		rp.mine(1)
		// No message moves funds: part 1 has no HTLCs.
		for n, want := range map[*testNode]ChannelDetails{rp.a: rp.goodA, rp.b: rp.goodB} {
			for _, cd := range n.m.ListChannels() {
				if cd.ChannelID == rp.good.id {
					require.Equal(t, want.OurBalance, cd.OurBalance)
					require.Equal(t, want.TheirBalance, cd.TheirBalance)
				}
			}
			n.drainEvents(t)
		}
	})
}

// fuzzChannel is the second channel of a fuzz run: its temporary id, and
// its current id (the temporary one until funded).
type fuzzChannel struct{ tmp, id wire.ChannelID }

// fuzzFlowPoints returns what brings a rule pair to each point of the
// flow: a second channel at each step of its opening, or the good channel
// at each step of its close.
func fuzzFlowPoints() []func(t *testing.T, rp *rulePair) fuzzChannel {
	return []func(t *testing.T, rp *rulePair) fuzzChannel{
		func(t *testing.T, rp *rulePair) fuzzChannel { return fuzzChannel{} }, // the ready channel alone
		func(t *testing.T, rp *rulePair) fuzzChannel { return fuzzCreate(t, rp) },
		func(t *testing.T, rp *rulePair) fuzzChannel { c := fuzzCreate(t, rp); rp.step(rp.a); return c },
		func(t *testing.T, rp *rulePair) fuzzChannel { c := fuzzCreate(t, rp); rp.deliver(); return c },
		func(t *testing.T, rp *rulePair) fuzzChannel {
			tmp, tx := rp.fundSecond(t)
			return fuzzChannel{tmp: tmp, id: wire.NewChannelID(btcwire.OutPoint{Hash: tx.TxHash()})}
		},
		func(t *testing.T, rp *rulePair) fuzzChannel { fuzzClose(t, rp); return fuzzChannel{} },
		func(t *testing.T, rp *rulePair) fuzzChannel { fuzzClose(t, rp); rp.step(rp.b); return fuzzChannel{} },
	}
}

// fuzzCreate has A ask B for a second channel (open_channel pending).
func fuzzCreate(t *testing.T, rp *rulePair) fuzzChannel {
	tmp, err := rp.a.m.CreateChannel(rp.b.id, ruleFunding, 0, 2, nil)
	require.NoError(t, err)
	return fuzzChannel{tmp: tmp, id: tmp}
}

// fuzzClose has A start closing the good channel and B receive its
// shutdown.
func fuzzClose(t *testing.T, rp *rulePair) {
	require.NoError(t, rp.a.m.CloseChannel(rp.good.id, rp.b.id, CloseOptions{}))
	rp.step(rp.a)
}

// fuzzChannelTypes are the message types a channel handler receives: the
// BOLT 2 messages and error and warning.
func fuzzChannelTypes() []wire.MessageType {
	var out []wire.MessageType
	for _, typ := range wire.KnownMessageTypes() {
		switch m := wire.NewMessage(typ).(type) {
		case *wire.Error, *wire.Warning, *wire.OpenChannel, *wire.AcceptChannel, *wire.FundingCreated,
			*wire.FundingSigned, *wire.ChannelReady, *wire.Shutdown, *wire.ClosingSigned,
			*wire.ChannelReestablish, *wire.AnnouncementSignatures:
			out = append(out, typ)
		default:
			if _, ok := messageChannelID(m); ok {
				out = append(out, typ)
			}
		}
	}
	return out
}

// fuzzIDOffset is where the channel id sits in the payload of typ: after
// the chain hash in open_channel and open_channel2, first otherwise.
func fuzzIDOffset(typ wire.MessageType) int {
	switch wire.NewMessage(typ).(type) {
	case *wire.OpenChannel, *wire.OpenChannel2:
		return 32
	}
	return 0
}

// fuzzSeed encodes a FuzzManagerMessages input: the flow point, then each
// message with options opts.
func fuzzSeed(f testing.TB, point, opts byte, msgs ...wire.Message) []byte {
	f.Helper()
	types := fuzzChannelTypes()
	out := []byte{point}
	for _, m := range msgs {
		b, err := wire.Encode(nil, m)
		require.NoError(f, err)
		idx := -1
		for i, typ := range types {
			if typ == m.Type() {
				idx = i
			}
		}
		require.GreaterOrEqual(f, idx, 0, "%v is not a channel message", m.Type())
		out = append(out, byte(idx), opts)
		out = binary.BigEndian.AppendUint16(out, uint16(len(b)-2))
		out = append(out, b[2:]...)
	}
	return out
}

// TestFuzzSeedsClose: the seed of the closing flow point closes the good
// channel when its closing_signed is the opener's own (a sanity check that
// the seeds reach the flow they name).
func TestFuzzSeedsClose(t *testing.T) {
	rp := newRulePair(t, nil, nil, nil)
	fuzzFlowPoints()[6](t, rp)
	rp.deliver()
	require.Len(t, closedOf(t, rp.a, rp.good.id), 1)
	require.Equal(t, events.ClosedCooperativelyByUs, closedOf(t, rp.a, rp.good.id)[0].Reason.Kind)
}
