package inbound

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// FuzzVerify checks that Verify never panics, fails only with
// ErrUnknownPayment, and accepts only secrets Create or CreateForHash would
// make: re-creating from the returned params gives the same secret.
func FuzzVerify(f *testing.F) {
	k := testKeys(f)
	hash, secret, _, err := k.Create(testParams(), testIV(1))
	require.NoError(f, err)
	f.Add(hash[:], secret[:])
	appHash := wire.PaymentHash{3}
	appSecret, err := k.CreateForHash(appHash, testParams())
	require.NoError(f, err)
	f.Add(appHash[:], appSecret[:])
	f.Add(make([]byte, 32), make([]byte, 32))
	f.Add([]byte{1}, []byte{2})
	tampered := secret
	tampered[20] ^= 0x80
	f.Add(hash[:], tampered[:])

	f.Fuzz(func(t *testing.T, h, s []byte) {
		var hash wire.PaymentHash
		var secret wire.PaymentSecret
		copy(hash[:], h)
		copy(secret[:], s)
		p, pre, err := k.Verify(hash, secret)
		if err != nil {
			require.ErrorIs(t, err, ErrUnknownPayment)
			require.Nil(t, pre)
			require.Equal(t, Params{}, p)
			return
		}
		if pre == nil {
			again, err := k.CreateForHash(hash, p)
			require.NoError(t, err)
			require.Equal(t, secret, again)
			return
		}
		var iv [16]byte
		copy(iv[:], secret[:16])
		h2, s2, p2, err := k.Create(p, iv)
		require.NoError(t, err)
		require.Equal(t, hash, h2)
		require.Equal(t, secret, s2)
		require.Equal(t, *pre, p2)
	})
}

// FuzzCheckFinal decodes a hop payload and an HTLC from the input and
// checks that CheckFinal never panics and returns exactly one of a Receive
// and a failure; a Receive keeps BOLT 4's promises.
func FuzzCheckFinal(f *testing.F) {
	k := testKeys(f)
	hash, secret, _, err := k.Create(testParams(), testIV(1))
	require.NoError(f, err)
	cltv := testHeight + 50
	good := onion.HopPayload{
		AmountToForward: wire.Some(testInvoiceAmount),
		OutgoingCLTV:    wire.Some(cltv),
		PaymentData:     wire.Some(onion.PaymentData{PaymentSecret: secret, TotalMsat: testInvoiceAmount}),
	}
	enc, err := good.Encode(nil)
	require.NoError(f, err)
	htlc := func(amt wire.MilliSatoshi, cltv uint32, hash wire.PaymentHash) []byte {
		b := binary.BigEndian.AppendUint64(nil, uint64(amt))
		b = binary.BigEndian.AppendUint32(b, cltv)
		return append(b, hash[:]...)
	}
	f.Add(enc, htlc(testInvoiceAmount, cltv, hash), testHeight, testNow)
	f.Add(enc, htlc(testInvoiceAmount-1, cltv, hash), testHeight, testNow)
	f.Add(enc, htlc(testInvoiceAmount, cltv, hash), testHeight, uint64(1<<63))
	preimage := wire.Preimage{1}
	keysend := onion.HopPayload{
		AmountToForward: wire.Some[wire.MilliSatoshi](1000),
		OutgoingCLTV:    wire.Some(cltv),
		KeysendPreimage: wire.Some(preimage),
		PaymentMetadata: wire.Some([]byte{1, 2}),
		Custom:          wire.TLVRecords{{Type: 70001, Value: []byte{7}}},
	}
	enc, err = keysend.Encode(nil)
	require.NoError(f, err)
	f.Add(enc, htlc(1000, cltv+200, preimage.Hash()), testHeight, testNow)
	f.Add([]byte{}, []byte{}, uint32(0), uint64(0))
	f.Add([]byte{2, 1, 1}, htlc(1, 1, wire.PaymentHash{}), uint32(1<<32-1), testNow)

	f.Fuzz(func(t *testing.T, payload, htlcBytes []byte, height uint32, now uint64) {
		var p onion.HopPayload
		if p.Decode(payload) != nil {
			return
		}
		var raw [44]byte
		copy(raw[:], htlcBytes)
		h := HTLC{
			Amount:     wire.MilliSatoshi(binary.BigEndian.Uint64(raw[0:8])),
			CLTVExpiry: binary.BigEndian.Uint32(raw[8:12]),
		}
		copy(h.PaymentHash[:], raw[12:44])
		r, fail := k.CheckFinal(h, &p, height, now, testKeysendDelta)
		if fail != nil {
			require.Nil(t, r)
			return
		}
		require.NotNil(t, r)
		amt := p.AmountToForward.Value
		require.GreaterOrEqual(t, h.Amount, amt)
		require.GreaterOrEqual(t, h.CLTVExpiry, p.OutgoingCLTV.Value)
		require.GreaterOrEqual(t, r.Total, amt)
		require.NotZero(t, r.Total)
		if r.Preimage != nil {
			require.Equal(t, h.PaymentHash, r.Preimage.Hash())
		}
		delta := testKeysendDelta
		if !r.Keysend {
			params, _, err := k.Verify(h.PaymentHash, r.Secret)
			require.NoError(t, err)
			require.Equal(t, params, r.Params)
			require.LessOrEqual(t, now, params.Expiry)
			delta = params.MinFinalCLTVExpiryDelta
		}
		require.GreaterOrEqual(t, uint64(h.CLTVExpiry), uint64(height)+uint64(delta))
	})
}
