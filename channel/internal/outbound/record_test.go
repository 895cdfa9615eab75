package outbound

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// randomPayment returns a payment reached by a random walk of legal
// moves from NewPayment, drawn from r.
func randomPayment(t testing.TB, r *rand.Rand) *Payment {
	t.Helper()
	req := Request{Amount: wire.MilliSatoshi(1 + r.Int63n(int64(testAmount))), Height: r.Uint32()}
	r.Read(req.ID[:])
	pre := wire.Preimage{}
	r.Read(pre[:])
	req.Hash = pre.Hash()
	if r.Intn(2) == 0 {
		var s wire.PaymentSecret
		r.Read(s[:])
		req.Secret = wire.Some(s)
	}
	if r.Intn(2) == 0 {
		req.Metadata = make([]byte, r.Intn(64))
		r.Read(req.Metadata)
	}
	if r.Intn(2) == 0 {
		req.MaxFee = wire.MilliSatoshi(r.Intn(5000))
	}
	switch r.Intn(8) {
	case 0, 1:
		req.KeysendPreimage = wire.Some(pre)
	case 2:
		req.Probe = true
	}
	p, err := NewPayment(req)
	require.NoError(t, err)
	session := 0
	for range r.Intn(12) {
		switch i := r.Intn(max(1, len(p.Attempts))); r.Intn(5) {
		case 0, 1:
			left := p.Amount - p.Committed()
			if left == 0 {
				continue
			}
			session++
			rt, _ := testRoute(t, "walk", 1+r.Intn(5), 1+wire.MilliSatoshi(r.Int63n(int64(left))))
			_, _ = p.AddAttempt(Attempt{SessionKey: testSession(session), Route: *rt})
		case 2:
			_ = p.AttemptAdded(i, wire.ChannelID{byte(r.Intn(256))}, r.Uint64())
		case 3:
			_, _ = p.AttemptSucceeded(i, pre)
		case 4:
			_, _ = p.AttemptFailed(i, FailureReason(r.Intn(int(maxFailureReason)+1)))
		}
	}
	require.NoError(t, p.Validate())
	return p
}

func TestPaymentRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	statuses := map[Status]int{}
	for range 500 {
		p := randomPayment(t, r)
		statuses[p.Status]++
		b, err := p.Encode()
		require.NoError(t, err)
		got, err := DecodePayment(b)
		require.NoError(t, err)
		require.Equal(t, p, got)
		again, err := got.Encode()
		require.NoError(t, err)
		require.True(t, bytes.Equal(b, again), "encoding is not canonical")
	}
	require.Len(t, statuses, 3, "the walk reaches every status: %v", statuses)
}

func TestDecodePaymentErrors(t *testing.T) {
	p := testPayment(t)
	addTestAttempt(t, p, 1, 3, testAmount)
	good, err := p.Encode()
	require.NoError(t, err)

	encode := func(mut func(p *Payment)) []byte {
		q := testPayment(t)
		addTestAttempt(t, q, 1, 3, testAmount)
		mut(q)
		// Bypass Encode's validation: write the fields as they are.
		recs := wire.TLVRecords{{Type: recHeader, Value: headerBytes(q)}, {Type: recAttempts, Value: appendAttempts(nil, q.Attempts)}}
		b, err := PaymentFormat.Append(nil, recs)
		require.NoError(t, err)
		return b
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"header only", good[:persist.RecordHeaderLen]},
		{"truncated", good[:len(good)-1]},
		{"trailing byte", append(append([]byte{}, good...), 0)},
		{"major 0", append([]byte{0x50, 0, 0}, good[3:]...)},
		{"unknown even type", append(append([]byte{}, good...), 10, 0)},
		{"bad status", encode(func(p *Payment) { p.Status = 9 })},
		{"failed with attempt in flight", encode(func(p *Payment) { p.Status, p.FailureReason = StatusFailed, ReasonAbandoned })},
		{"succeeded without preimage", encode(func(p *Payment) { p.Status = StatusSucceeded })},
		{"zero amount", encode(func(p *Payment) { p.Amount = 0 })},
		{"overpaid", encode(func(p *Payment) { p.Amount-- })},
		{"bad attempt status", encode(func(p *Payment) { p.Attempts[0].Status = 0 })},
		{"zero session key", encode(func(p *Payment) { p.Attempts[0].SessionKey = SessionKey{} })},
		{"session key above the order", encode(func(p *Payment) { p.Attempts[0].SessionKey = SessionKey(bytes.Repeat([]byte{0xff}, 32)) })},
		{"fee inconsistent", encode(func(p *Payment) { p.Attempts[0].Route.TotalFee++ })},
		{"hop amounts increase", encode(func(p *Payment) { p.Attempts[0].Route.Hops[1].AmountToForward += 5000 })},
		{"fee paid without success", encode(func(p *Payment) { p.FeePaid = 1 })},
		{"channel of an attempt not added", encode(func(p *Payment) { p.Attempts[0].HTLCID = 3 })},
		{"keysend without preimage", encode(func(p *Payment) { p.Keysend = true })},
		{"keysend probe", encode(func(p *Payment) { p.Keysend, p.Probe, p.Preimage = true, true, wire.Some(wire.Preimage{}) })},
		{"fee limit exceeded", encode(func(p *Payment) { p.MaxFee = 1 })},
		{"unknown failure reason", encode(func(p *Payment) { p.FailureReason = maxFailureReason + 1 })},
		{"no hops", encode(func(p *Payment) { p.Attempts[0].Route.Hops = nil })},
		{"28 hops", encode(func(p *Payment) {
			r, _ := testRoute(t, "x", MaxHops+1, testAmount)
			p.Attempts[0].Route = *r
		})},
		{"reused session key", encode(func(p *Payment) {
			a := p.Attempts[0]
			a.Status = AttemptFailed
			p.Attempts = append(p.Attempts, a)
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePayment(tc.data)
			require.ErrorIs(t, err, ErrCorruptRecord)
			var re *RecordError
			require.ErrorAs(t, err, &re)
		})
	}

	newer := append([]byte{0x50, 2, 0}, good[3:]...)
	_, err = DecodePayment(newer)
	require.ErrorIs(t, err, persist.ErrNewerVersion)
	require.NotErrorIs(t, err, ErrCorruptRecord)

	_, err = DecodePayment(append([]byte{0x43}, good[1:]...))
	require.ErrorIs(t, err, persist.ErrWrongType)
	require.ErrorIs(t, err, ErrCorruptRecord)
}

func TestEncodeRefusesInvalid(t *testing.T) {
	p := testPayment(t)
	p.Status = StatusSucceeded
	_, err := p.Encode()
	require.ErrorIs(t, err, ErrInvalidPayment)
}

func TestDecodeDoesNotAlias(t *testing.T) {
	p := testPayment(t)
	addTestAttempt(t, p, 1, 2, testAmount)
	b, err := p.Encode()
	require.NoError(t, err)
	got, err := DecodePayment(b)
	require.NoError(t, err)
	for i := range b {
		b[i] = 0
	}
	require.Equal(t, p, got)
}
