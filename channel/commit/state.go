package commit

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/wire"
)

// MaxCommitmentNumber is the largest commitment number: numbers are 48 bits.
const MaxCommitmentNumber = 1<<48 - 1

// MaxHTLCsPerDirection is the most HTLCs BOLT 2 lets one side offer
// (max_accepted_htlcs is at most 483). A State may hold this many in each
// direction.
const MaxHTLCsPerDirection = 483

// HTLC is an HTLC committed to the channel.
type HTLC struct {
	// ID is the HTLC id of update_add_htlc. The builder does not use it;
	// it is carried through to the commitment's outputs for the caller.
	ID uint64
	// Offerer is the side that offered the HTLC: Local for HTLCs this node
	// sent (outgoing), Remote for HTLCs it received (incoming).
	Offerer Side
	// Amount is amount_msat.
	Amount wire.MilliSatoshi
	// PaymentHash is payment_hash.
	PaymentHash wire.PaymentHash
	// CLTVExpiry is cltv_expiry.
	CLTVExpiry uint32
}

// State is the content of one commitment transaction, written from this
// node's point of view (Local is this node) whichever side owns the
// commitment.
type State struct {
	// Number is the commitment number (0 for the first commitment), not
	// the per-commitment secret index (which counts down from 2^48-1).
	Number uint64
	// PerCommitmentPoint is the owner's per_commitment_point for this
	// commitment.
	PerCommitmentPoint *btcec.PublicKey
	// LocalBalance and RemoteBalance are what each side owns outside the
	// HTLCs, before the commitment fee and anchors are taken from the
	// opener. With the HTLC amounts they add up to the channel capacity.
	LocalBalance, RemoteBalance wire.MilliSatoshi
	// FeeRate is feerate_per_kw.
	FeeRate wire.FeeRate
	// HTLCs are the committed HTLCs, in any order.
	HTLCs []HTLC
}

// checkState validates st against the channel. It bounds the HTLC count
// before anything is allocated and checks that the amounts add up to the
// capacity without overflowing.
func (c *Channel) checkState(st *State) error {
	if st == nil {
		return fmt.Errorf("%w: nil state", ErrInvalidState)
	}
	if st.Number > MaxCommitmentNumber {
		return fmt.Errorf("%w: commitment number %d above 2^48-1", ErrInvalidState, st.Number)
	}
	if st.PerCommitmentPoint == nil {
		return fmt.Errorf("%w: missing per-commitment point", ErrInvalidState)
	}
	if len(st.HTLCs) > 2*MaxHTLCsPerDirection {
		return fmt.Errorf("%w: %d htlcs", ErrTooManyHTLCs, len(st.HTLCs))
	}
	var offered [2]int
	for i := range st.HTLCs {
		h := &st.HTLCs[i]
		if h.Offerer != Local && h.Offerer != Remote {
			return fmt.Errorf("%w: htlc %d has no offerer", ErrInvalidState, i)
		}
		offered[h.Offerer]++
	}
	if offered[Local] > MaxHTLCsPerDirection || offered[Remote] > MaxHTLCsPerDirection {
		return fmt.Errorf("%w: %d offered by local, %d by remote", ErrTooManyHTLCs, offered[Local], offered[Remote])
	}
	capMsat := uint64(c.p.Capacity) * 1000
	total := uint64(st.LocalBalance)
	if total > capMsat || uint64(st.RemoteBalance) > capMsat-total {
		return fmt.Errorf("%w: balances exceed the capacity", ErrInvalidState)
	}
	total += uint64(st.RemoteBalance)
	for i := range st.HTLCs {
		h := &st.HTLCs[i]
		if uint64(h.Amount) > capMsat-total {
			return fmt.Errorf("%w: balances and htlcs exceed the capacity", ErrInvalidState)
		}
		total += uint64(h.Amount)
	}
	if total != capMsat {
		return fmt.Errorf("%w: balances and htlcs add up to %d msat, capacity is %d msat", ErrInvalidState, total, capMsat)
	}
	return nil
}
