package outbound

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// FuzzDecodePayment feeds arbitrary records to DecodePayment: it must
// never panic, fail only with ErrCorruptRecord or persist.ErrNewerVersion,
// and what it accepts must encode and decode back to itself.
func FuzzDecodePayment(f *testing.F) {
	r := rand.New(rand.NewSource(7))
	for range 8 {
		b, err := randomPayment(f, r).Encode()
		require.NoError(f, err)
		f.Add(b)
	}
	p := testPayment(f)
	addTestAttempt(f, p, 1, MaxHops, testAmount)
	b, err := p.Encode()
	require.NoError(f, err)
	f.Add(b)
	header, err := PaymentFormat.Append(nil, wire.TLVRecords{{Type: recHeader, Value: headerBytes(p)}})
	require.NoError(f, err)
	f.Add(header)
	f.Add([]byte{0x50, 1, 0})
	f.Add([]byte{0x50, 2, 0})
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePayment(data)
		if err != nil {
			require.Nil(t, p)
			if !errors.Is(err, persist.ErrNewerVersion) {
				require.ErrorIs(t, err, ErrCorruptRecord)
			}
			return
		}
		require.NoError(t, p.Validate())
		b, err := p.Encode()
		require.NoError(t, err)
		again, err := DecodePayment(b)
		require.NoError(t, err)
		require.Equal(t, p, again)
	})
}
