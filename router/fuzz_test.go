package router_test

import (
	"encoding/binary"
	"errors"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/wire"
)

// fuzzNet reads a small graph from b: per channel, two node numbers, a
// capacity and two policies of raw (possibly hostile) values.
func fuzzNet(b []byte) *net {
	n := newNet(6)
	const chLen = 2 + 8 + 2*(4+4+2+8+8+1)
	for c := 0; len(b) >= chLen && c < 12; c++ {
		a, z := int(b[0])%6, int(b[1])%6
		capSat := wire.Satoshi(binary.BigEndian.Uint64(b[2:]) % (21_000_000 * 100_000_000))
		var ps [2]pol
		for d := range ps {
			o := b[10+d*27:]
			ps[d] = pol{
				base: binary.BigEndian.Uint32(o), ppm: binary.BigEndian.Uint32(o[4:]),
				cltv: binary.BigEndian.Uint16(o[8:]),
				min:  wire.MilliSatoshi(binary.BigEndian.Uint64(o[10:])),
				max:  wire.MilliSatoshi(binary.BigEndian.Uint64(o[18:])),
			}
			ps[d].disabled = o[26]&1 != 0
			ps[d].missing = o[26]&2 != 0
		}
		b = b[chLen:]
		if a != z {
			n.ch(uint64(c+1), a, z, capSat, ps[0], ps[1])
		}
	}
	return n
}

// FuzzFindRoute: graphs with hostile policy values (fees that overflow 64
// bits, huge deltas and limits) never make the search panic, and a route
// it returns is exact when recomputed with unbounded integers, within the
// limits asked.
func FuzzFindRoute(f *testing.F) {
	seed := make([]byte, 0, 3*56)
	for c := range 3 {
		ch := []byte{byte(c), byte(c + 1), 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40}
		for range 2 {
			ch = append(ch, 0, 0, 3, 0xe8, 0, 0, 0, 100, 0, 40)
			ch = append(ch, make([]byte, 8)...)
			ch = append(ch, 0, 0, 0, 0, 0x3b, 0x9a, 0xca, 0)
			ch = append(ch, 0)
		}
		seed = append(seed, ch...)
	}
	f.Add(seed, uint64(1_000_000), uint64(0))
	f.Add(seed, uint64(1<<62), uint64(1<<63))
	f.Fuzz(func(t *testing.T, b []byte, amt, maxFee uint64) {
		n := fuzzNet(b)
		r := n.router(t, nil)
		rq := router.Request{Payer: n.ids[0], Payee: n.ids[3], Amount: wire.MilliSatoshi(amt), CurrentHeight: height, MaxFee: wire.MilliSatoshi(maxFee)}
		rt, err := r.FindRoute(rq)
		if err != nil {
			require.True(t, errors.Is(err, router.ErrNoRoute) || errors.Is(err, router.ErrInvalidRequest) || errors.Is(err, router.ErrUnknownPayee), err)
			return
		}
		// Recompute backwards with big integers: out is what hop i
		// forwards (the amount delivered, for the last).
		out := new(big.Int).SetUint64(amt)
		for i := len(rt.Hops) - 1; i >= 0; i-- {
			h := rt.Hops[i]
			require.True(t, out.IsUint64())
			require.Equal(t, out.Uint64(), uint64(h.AmountToForward), "hop %d", i)
			if i == len(rt.Hops)-1 {
				require.Zero(t, h.Fee)
				continue
			}
			next := rt.Hops[i+1].ShortChannelID
			fee := new(big.Int).Mul(out, new(big.Int).SetUint64(uint64(feePPM(n, next, h.NodeID))))
			fee.Div(fee, big.NewInt(1_000_000))
			fee.Add(fee, big.NewInt(int64(feeBase(n, next, h.NodeID))))
			require.True(t, fee.IsUint64())
			require.Equal(t, fee.Uint64(), uint64(h.Fee), "hop %d", i)
			out.Add(out, fee)
		}
		in := out
		require.True(t, in.IsUint64())
		require.Equal(t, in.Uint64(), uint64(rt.TotalAmount))
		limit := new(big.Int).SetUint64(maxFee)
		if maxFee == 0 { // the default: 10 sat + 5%
			limit.Mul(new(big.Int).SetUint64(amt), big.NewInt(int64(router.DefaultMaxFeeProportional)))
			limit.Div(limit, big.NewInt(1_000_000))
			limit.Add(limit, big.NewInt(int64(router.DefaultMaxFeeBase)))
		}
		require.LessOrEqual(t, new(big.Int).SetUint64(uint64(rt.TotalFee)).Cmp(limit), 0)
		require.LessOrEqual(t, rt.TotalCLTV-height, uint32(router.DefaultMaxTotalCLTV))
	})
}

// feePPM and feeBase are the policy of channel scid forwarding from node
// id, in a fuzzNet.
func feePPM(n *net, scid wire.ShortChannelID, from wire.NodeID) uint32 {
	return policyOf(n, scid, from).FeeProportionalMillionths
}

func feeBase(n *net, scid wire.ShortChannelID, from wire.NodeID) uint32 {
	return policyOf(n, scid, from).FeeBaseMsat
}

func policyOf(n *net, scid wire.ShortChannelID, from wire.NodeID) *wire.ChannelUpdate {
	for _, r := range n.recs {
		if r.Announcement.ShortChannelID != scid {
			continue
		}
		if r.Announcement.NodeID1 == from {
			return r.Updates[0]
		}
		return r.Updates[1]
	}
	return nil
}
