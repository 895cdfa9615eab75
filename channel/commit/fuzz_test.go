package commit

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/lnkit/lnkit/wire"
	"github.com/stretchr/testify/require"
)

// FuzzBuild feeds arbitrary channel parameters and HTLC sets to the
// commitment builder. It must never panic; when it accepts the state, the
// BOLT 3 invariants of checkProperties must hold and the HTLC transactions
// must build and sign.
//
// htlcData is read 14 bytes per HTLC: offerer (1), amount_msat (8), cltv
// (4), payment hash seed (1).
func FuzzBuild(f *testing.F) {
	f.Add(uint8(1), uint8(0), uint64(10_000_000), uint64(7_000_000_000), uint32(15000), uint16(546), uint16(144), false, []byte{})
	f.Add(uint8(2), uint8(1), uint64(10_000_000), uint64(6_988_000_000), uint32(644), uint16(546), uint16(144), true,
		[]byte{1, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40, 0, 0, 1, 0xf4, 0, 0, 0, 0, 0, 0, 0, 0x1e, 0x84, 0x80, 0, 0, 1, 0xf6, 2})
	f.Add(uint8(1), uint8(0), uint64(10_000_000), uint64(6_988_000_000), uint32(9651936), uint16(546), uint16(144), false,
		[]byte{0, 0, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0, 0, 0, 1, 0xf7, 3})
	f.Add(uint8(2), uint8(0), uint64(1_000), uint64(0), uint32(0xFFFFFFFF), uint16(354), uint16(0), true, []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0})

	rng := rand.New(rand.NewChaCha8([32]byte{'f', 'u', 'z', 'z'}))
	local, remote := randSigner(rng), randSigner(rng)
	pcp := randPriv(rng).PubKey()

	f.Fuzz(func(t *testing.T, typ, opener uint8, capacity, localBal uint64, rate uint32, dust, delay uint16, remoteOwns bool, htlcData []byte) {
		ch, err := New(Params{
			Type:     ChannelType(typ),
			Capacity: wire.Satoshi(capacity),
			Opener:   Side(opener),
			Local:    Party{Basepoints: local.basepoints(), DustLimit: wire.Satoshi(dust), CSVDelay: delay},
			Remote:   Party{Basepoints: remote.basepoints(), DustLimit: wire.Satoshi(dust/2 + 354), CSVDelay: delay / 3},
		})
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidParams, "New: untyped error %v", err)
			return
		}
		capMsat := uint64(ch.Params().Capacity) * 1000
		st := &State{PerCommitmentPoint: pcp, FeeRate: wire.FeeRate(rate), Number: localBal & MaxCommitmentNumber}
		var used uint64
		for len(htlcData) >= 14 && len(st.HTLCs) < 2*MaxHTLCsPerDirection+2 {
			amt := binary.BigEndian.Uint64(htlcData[1:9])
			h := HTLC{
				ID:         uint64(len(st.HTLCs)),
				Offerer:    Side(htlcData[0] & 1),
				Amount:     wire.MilliSatoshi(amt),
				CLTVExpiry: binary.BigEndian.Uint32(htlcData[9:13]),
			}
			h.PaymentHash[0] = htlcData[13]
			if htlcData[0]&2 == 0 {
				// Keep the total within the capacity most of the time.
				h.Amount = wire.MilliSatoshi(amt % (capMsat/uint64(2*MaxHTLCsPerDirection+2) + 1))
			}
			used += uint64(h.Amount)
			st.HTLCs = append(st.HTLCs, h)
			htlcData = htlcData[14:]
		}
		if used <= capMsat {
			st.LocalBalance = wire.MilliSatoshi(localBal % (capMsat - used + 1))
			st.RemoteBalance = wire.MilliSatoshi(capMsat-used) - st.LocalBalance
		} else {
			st.LocalBalance = wire.MilliSatoshi(localBal)
		}
		owner := Local
		if remoteOwns {
			owner = Remote
		}
		cm, err := ch.Build(owner, st)
		if err != nil {
			require.True(t, errors.Is(err, ErrInvalidState) || errors.Is(err, ErrTooManyHTLCs), "Build: untyped error %v", err)
			return
		}
		checkProperties(t, ch, owner, st, cm)
		if len(cm.HTLCOutputs) <= 20 {
			counterparty := remote
			if owner == Remote {
				counterparty = local
			}
			sigs, err := cm.SignAsCounterparty(counterparty)
			require.NoError(t, err)
			require.NoError(t, cm.VerifyCounterparty(sigs))
			for _, tx := range cm.HTLCTxs() {
				require.GreaterOrEqual(t, tx.TxOut[0].Value, int64(0), "htlc tx pays %d", tx.TxOut[0].Value)
				require.LessOrEqual(t, tx.TxOut[0].Value, int64(cm.Outputs[tx.TxIn[0].PreviousOutPoint.Index].Amount), "htlc tx pays %d", tx.TxOut[0].Value)
			}
		}
	})
}

// FuzzCommitmentNumber checks that the locktime/sequence decoding of the
// obscured commitment number inverts the encoding and rejects the rest.
func FuzzCommitmentNumber(f *testing.F) {
	f.Add(uint64(42), uint32(0x20195220), uint32(0x8038b02b))
	f.Add(uint64(MaxCommitmentNumber), uint32(0), uint32(0xFFFFFFFF))
	rng := rand.New(rand.NewChaCha8([32]byte{'n'}))
	ch := randChannel(f, rng, StaticRemoteKey, 1_000_000).ch
	f.Fuzz(func(t *testing.T, number uint64, lockTime, sequence uint32) {
		number &= MaxCommitmentNumber
		obscured := ch.ObscuredCommitmentNumber(number)
		lt, seq := 0x20<<24|uint32(obscured&0xFFFFFF), 0x80<<24|uint32(obscured>>24)
		n, ok := ch.CommitmentNumber(lt, seq)
		require.True(t, ok, "number %d decoded as %d %v", number, n, ok)
		require.Equal(t, number, n, "number %d decoded as %d %v", number, n, ok)
		n, ok = ch.CommitmentNumber(lockTime, sequence)
		require.Equal(t, lockTime>>24 == 0x20 && sequence>>24 == 0x80, ok, "locktime %x sequence %x accepted=%v", lockTime, sequence, ok)
		require.False(t, ok && n > MaxCommitmentNumber, "decoded %d above 2^48-1", n)
	})
}
