package channel

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// testLogLimits are the limits each side sets in the update log tests.
func testLogLimits() sideLimits {
	return sideLimits{
		dustLimit: 546, reserve: 10_000, htlcMinimum: 1000,
		maxInFlight: 900_000_000, maxAcceptedHTLCs: 30, toSelfDelay: 144,
	}
}

// testLogParams are the parameters of a 1,000,000-sat channel seen by
// the opener (opener Local) or the acceptor.
func testLogParams(opener commit.Side, t commit.ChannelType) updateLogParams {
	return updateLogParams{
		chanType: t, opener: opener, capacity: 1_000_000,
		ours: testLogLimits(), theirs: testLogLimits(), maxDustExposure: 5_000_000,
	}
}

// testLogPair returns the opener's and the acceptor's logs of one channel
// where the opener pushed push msat.
func testLogPair(t commit.ChannelType, push wire.MilliSatoshi) (a, b *updateLog) {
	opener := wire.MilliSatoshi(1_000_000_000) - push
	a = newUpdateLog(testLogParams(commit.Local, t), opener, push, 2500, 0, 0)
	b = newUpdateLog(testLogParams(commit.Remote, t), push, opener, 2500, 0, 0)
	return a, b
}

// testPreimage is the n-th preimage of the tests.
func testPreimage(n uint64) wire.Preimage {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return sha256.Sum256(b[:])
}

// testAdd is an HTLC of amount locked to testPreimage(n).
func testAdd(n uint64, amount wire.MilliSatoshi) htlcAdd {
	return htlcAdd{amount: amount, paymentHash: testPreimage(n).Hash(), cltvExpiry: 800_000, onion: []byte{byte(n)}}
}
