package outbound

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// step is one move of a transition test: what it does, whether it should
// report a change, and the error it should match (nil for none).
type step struct {
	name    string
	do      func(t *testing.T, p *Payment) (bool, error)
	changed bool
	err     error
}

func stepAdd(session, hops int, amt wire.MilliSatoshi) step {
	return step{name: fmt.Sprintf("add %d hops %d msat", hops, amt), changed: true, do: func(t *testing.T, p *Payment) (bool, error) {
		r, _ := testRoute(t, "route", hops, amt)
		_, err := p.AddAttempt(Attempt{SessionKey: testSession(session), Route: *r})
		return err == nil, err
	}}
}

func stepAdded(i int) step {
	return step{name: fmt.Sprintf("added %d", i), changed: true, do: func(_ *testing.T, p *Payment) (bool, error) {
		err := p.AttemptAdded(i, wire.ChannelID{9}, uint64(i))
		return err == nil, err
	}}
}

func stepSucceeded(i int, pre wire.Preimage, changed bool) step {
	return step{name: fmt.Sprintf("succeeded %d", i), changed: changed, do: func(_ *testing.T, p *Payment) (bool, error) {
		return p.AttemptSucceeded(i, pre)
	}}
}

func stepFailed(i int, r FailureReason, changed bool) step {
	return step{name: fmt.Sprintf("failed %d %s", i, r), changed: changed, do: func(_ *testing.T, p *Payment) (bool, error) {
		return p.AttemptFailed(i, r)
	}}
}

func stepAbandon(changed bool) step {
	return step{name: "abandon", changed: changed, do: func(_ *testing.T, p *Payment) (bool, error) {
		return p.Abandon(), nil
	}}
}

// refused makes s a step expected to fail with err and change nothing.
func refused(s step, err error) step {
	s.changed, s.err = false, err
	return s
}

func TestTransitions(t *testing.T) {
	pre := testPreimage()
	half := testAmount / 2
	tests := []struct {
		name   string
		steps  []step
		status Status
		reason FailureReason
		fee    wire.MilliSatoshi
		maxFee wire.MilliSatoshi
	}{
		{name: "one attempt succeeds", status: StatusSucceeded, fee: 2 * testHopFee,
			steps: []step{stepAdd(1, 3, testAmount), stepAdded(0), stepSucceeded(0, pre, true)}},
		{name: "a second fulfil is a no-op", status: StatusSucceeded, fee: 2 * testHopFee,
			steps: []step{stepAdd(1, 3, testAmount), stepAdded(0), stepSucceeded(0, pre, true), stepSucceeded(0, pre, false)}},
		{name: "wrong preimage", status: StatusPending,
			steps: []step{stepAdd(1, 3, testAmount), stepAdded(0), refused(stepSucceeded(0, wire.Preimage{1}, false), ErrWrongPreimage)}},
		{name: "fulfil before added", status: StatusPending,
			steps: []step{stepAdd(1, 1, testAmount), refused(stepSucceeded(0, pre, false), ErrIllegalTransition)}},
		{name: "added twice", status: StatusPending,
			steps: []step{stepAdd(1, 1, testAmount), stepAdded(0), refused(stepAdded(0), ErrIllegalTransition)}},
		{name: "added after failing", status: StatusPending,
			steps: []step{stepAdd(1, 1, testAmount), stepFailed(0, ReasonNone, true), refused(stepAdded(0), ErrIllegalTransition)}},
		{name: "unknown attempt", status: StatusPending,
			steps: []step{refused(stepAdded(0), ErrUnknownAttempt), refused(stepFailed(-1, ReasonNone, false), ErrUnknownAttempt)}},
		{name: "retry after a failure then succeed", status: StatusSucceeded, fee: testHopFee,
			steps: []step{stepAdd(1, 3, testAmount), stepAdded(0), stepFailed(0, ReasonNone, true),
				stepAdd(2, 2, testAmount), stepAdded(1), stepSucceeded(1, pre, true)}},
		{name: "give up with nothing in flight", status: StatusFailed, reason: ReasonRetriesExhausted,
			steps: []step{stepAdd(1, 3, testAmount), stepAdded(0), stepFailed(0, ReasonRetriesExhausted, true),
				stepFailed(0, ReasonRouteNotFound, false)}},
		{name: "fail replay without reason", status: StatusPending,
			steps: []step{stepAdd(1, 3, testAmount), stepFailed(0, ReasonNone, true), stepFailed(0, ReasonNone, false)}},
		{name: "give up on an already failed attempt", status: StatusFailed, reason: ReasonRouteNotFound,
			steps: []step{stepAdd(1, 3, testAmount), stepFailed(0, ReasonNone, true), stepFailed(0, ReasonRouteNotFound, true)}},
		{name: "unknown failure reason", status: StatusPending,
			steps: []step{stepAdd(1, 3, testAmount), refused(stepFailed(0, maxFailureReason+1, false), ErrIllegalTransition)}},
		{name: "mpp: give up waits for the part in flight", status: StatusFailed, reason: ReasonRecipientRejected,
			steps: []step{stepAdd(1, 2, half), stepAdd(2, 3, half), stepAdded(0), stepAdded(1),
				stepFailed(0, ReasonRecipientRejected, true), refused(stepAdd(3, 1, half), ErrIllegalTransition),
				stepFailed(1, ReasonNone, true)}},
		{name: "mpp: given up but a part in flight succeeds", status: StatusSucceeded, fee: 2 * testHopFee,
			steps: []step{stepAdd(1, 2, half), stepAdd(2, 3, half), stepAdded(0), stepAdded(1),
				stepFailed(0, ReasonPaymentExpired, true), stepSucceeded(1, pre, true)}},
		{name: "mpp: both parts succeed, fees add", status: StatusSucceeded, fee: 3 * testHopFee,
			steps: []step{stepAdd(1, 2, half), stepAdd(2, 3, half), stepAdded(0), stepAdded(1),
				stepSucceeded(0, pre, true), stepSucceeded(1, pre, true), refused(stepFailed(1, ReasonNone, false), ErrIllegalTransition)}},
		{name: "mpp: a part failing after success", status: StatusSucceeded, fee: testHopFee,
			steps: []step{stepAdd(1, 2, half), stepAdd(2, 3, half), stepAdded(0), stepAdded(1),
				stepSucceeded(0, pre, true), stepFailed(1, ReasonRetriesExhausted, true)}},
		{name: "overpaying attempt", status: StatusPending,
			steps: []step{stepAdd(1, 2, half), refused(stepAdd(2, 2, half+1), ErrInvalidAttempt)}},
		{name: "session key reused", status: StatusPending,
			steps: []step{stepAdd(1, 2, half), stepFailed(0, ReasonNone, true), refused(stepAdd(1, 2, half), ErrInvalidAttempt)}},
		{name: "no attempt after success", status: StatusSucceeded,
			steps: []step{stepAdd(1, 1, half), stepAdded(0), stepSucceeded(0, pre, true), refused(stepAdd(2, 1, half), ErrIllegalTransition)}},
		{name: "fee limit", status: StatusPending, maxFee: 3 * testHopFee,
			steps: []step{stepAdd(1, 3, half), refused(stepAdd(2, 3, half), ErrFeeLimit), stepAdd(3, 2, half)}},
		{name: "fee limit counts only parts in flight or fulfilled", status: StatusSucceeded, maxFee: 2 * testHopFee, fee: 2 * testHopFee,
			steps: []step{stepAdd(1, 3, testAmount), stepFailed(0, ReasonNone, true), stepAdd(2, 3, testAmount), stepAdded(1),
				stepSucceeded(1, pre, true), refused(stepAdd(3, 1, 1), ErrIllegalTransition)}},
		{name: "route without hops", status: StatusPending, steps: []step{refused(stepAdd(1, 0, 0), ErrInvalidAttempt)}},
		{name: "route of 28 hops", status: StatusPending, steps: []step{refused(stepAdd(1, MaxHops+1, half), ErrInvalidAttempt)}},
		{name: "route of 27 hops", status: StatusPending, steps: []step{stepAdd(1, MaxHops, half)}},
		{name: "abandon with nothing in flight", status: StatusFailed, reason: ReasonAbandoned,
			steps: []step{stepAbandon(true), stepAbandon(false), refused(stepAdd(1, 1, half), ErrIllegalTransition)}},
		{name: "abandon waits for the part in flight", status: StatusFailed, reason: ReasonAbandoned,
			steps: []step{stepAdd(1, 1, half), stepAdded(0), stepAbandon(true), refused(stepAdd(2, 1, half), ErrIllegalTransition),
				stepFailed(0, ReasonRetriesExhausted, true)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testPayment(t)
			p.MaxFee = tc.maxFee
			for _, s := range tc.steps {
				changed, err := s.do(t, p)
				if s.err != nil {
					require.ErrorIs(t, err, s.err, s.name)
				} else {
					require.NoError(t, err, s.name)
				}
				require.Equal(t, s.changed, changed, s.name)
				require.NoError(t, p.Validate(), "after %s", s.name)
			}
			require.Equal(t, tc.status, p.Status)
			require.Equal(t, tc.reason, p.FailureReason)
			require.Equal(t, tc.fee, p.FeePaid)
			require.Equal(t, tc.status == StatusSucceeded, p.Preimage.Present)
		})
	}
}

func TestNewPayment(t *testing.T) {
	pre := wire.Preimage{3}
	p, err := NewPayment(Request{ID: PaymentID{2}, KeysendPreimage: wire.Some(pre), Amount: 5})
	require.NoError(t, err)
	require.True(t, p.Keysend)
	require.Equal(t, pre.Hash(), p.Hash)
	require.Equal(t, StatusPending, p.Status)
	require.NoError(t, p.Validate())

	for _, r := range []Request{
		{Amount: 0},
		{Amount: MaxAmount + 1},
		{Amount: 1, Metadata: make([]byte, MaxMetadataLen+1)},
		{Amount: 1, MaxFee: MaxAmount + 1},
	} {
		_, err := NewPayment(r)
		require.ErrorIs(t, err, ErrInvalidPayment)
	}
}

func TestFindAttempt(t *testing.T) {
	p := testPayment(t)
	addTestAttempt(t, p, 1, 2, testAmount/2)
	addTestAttempt(t, p, 2, 2, testAmount/2)
	require.Equal(t, -1, p.FindAttempt(wire.ChannelID{9}, 1))
	require.NoError(t, p.AttemptAdded(1, wire.ChannelID{9}, 77))
	require.Equal(t, 1, p.FindAttempt(wire.ChannelID{9}, 77))
	require.Equal(t, -1, p.FindAttempt(wire.ChannelID{8}, 77))
	require.Equal(t, 2, p.InFlight())
	require.Equal(t, testAmount, p.Committed())
}

func TestAttemptCopiesRoute(t *testing.T) {
	p := testPayment(t)
	r, _ := testRoute(t, "route", 2, testAmount)
	_, err := p.AddAttempt(Attempt{SessionKey: testSession(1), Route: *r})
	require.NoError(t, err)
	r.Hops[0].Fee = 99
	require.Equal(t, testHopFee, p.Attempts[0].Route.Hops[0].Fee)
}

func TestAttemptLimit(t *testing.T) {
	p := testPayment(t)
	for i := range MaxAttempts {
		addTestAttempt(t, p, i+1, 1, 1)
		_, err := p.AttemptFailed(i, ReasonNone)
		require.NoError(t, err)
	}
	r, _ := testRoute(t, "route", 1, 1)
	_, err := p.AddAttempt(Attempt{SessionKey: testSession(0), Route: *r})
	require.ErrorIs(t, err, ErrIllegalTransition)
}
