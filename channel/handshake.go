package channel

import "github.com/lnkit/lnkit/wire"

// MinChannelReserve is the smallest channel_reserve_satoshis we ever ask a
// peer to keep: below it a peer risks too little by cheating, and it is
// above every dust limit we accept.
const MinChannelReserve wire.Satoshi = 1000

// ChannelReserve returns the channel_reserve_satoshis we send for a channel
// of capacity funding whose peer announced theirDust (zero when unknown,
// as opener): ChannelReserveProportionalMillionths of the capacity, raised
// to MinChannelReserve and both dust limits (BOLT 2: a reserve at or above
// both sides' dust limits), and never above the capacity.
func (h HandshakeConfig) ChannelReserve(funding, theirDust wire.Satoshi) wire.Satoshi {
	r := wire.Satoshi(mulDiv(uint64(funding), uint64(h.ChannelReserveProportionalMillionths), 1_000_000))
	r = max(r, MinChannelReserve, h.DustLimit, theirDust)
	return min(r, funding)
}

// MaxHTLCValueInFlight returns the max_htlc_value_in_flight_msat we send for
// a channel of capacity funding.
func (h HandshakeConfig) MaxHTLCValueInFlight(funding wire.Satoshi) wire.MilliSatoshi {
	return wire.MilliSatoshi(mulDiv(uint64(toMsat(funding)), uint64(h.MaxHTLCValueInFlightPercent), 100))
}

// toMsat converts to millisatoshis, saturating instead of overflowing
// (peer input can carry any u64).
func toMsat(s wire.Satoshi) wire.MilliSatoshi {
	if uint64(s) > (1<<64-1)/1000 {
		return 1<<64 - 1
	}
	return s.ToMilliSatoshi()
}

// mulDiv returns a*b/c without overflow for b <= c.
func mulDiv(a, b, c uint64) uint64 {
	return a/c*b + a%c*b/c
}
