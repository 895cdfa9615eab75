package commit

import "github.com/lnkit/lnkit/wire"

// Outline is the arithmetic of one commitment transaction, without its
// scripts: which HTLCs are trimmed, the fee, and the balance outputs. The
// channel state machine uses it to check that the opener can afford a
// state before it is built. Local and remote are relative to the owner.
type Outline struct {
	// Untrimmed is the number of HTLC outputs.
	Untrimmed int
	// BaseFee is the commitment fee from the expected weight.
	BaseFee wire.Satoshi
	// Anchors is what the anchor outputs cost the opener: 660 sat with
	// anchors (even if only one anchor ends up in the transaction), else 0.
	Anchors wire.Satoshi
	// Shortfall is how much the opener's balance falls short of BaseFee
	// plus Anchors. BOLT 2 forbids states with a shortfall; BOLT 3 still
	// defines the transaction (the opener's output is dropped).
	Shortfall wire.Satoshi
	// ToLocal and ToRemote are the owner's and counterparty's balances
	// after the fee and anchors are taken from the opener, rounded down to
	// satoshis. Either is dropped from the transaction when below the
	// owner's dust limit (HasToLocal, HasToRemote).
	ToLocal, ToRemote wire.Satoshi
	// HasToLocal and HasToRemote report whether the balance outputs exist.
	HasToLocal, HasToRemote bool
	// HasLocalAnchor and HasRemoteAnchor report whether the anchor outputs
	// exist.
	HasLocalAnchor, HasRemoteAnchor bool
}

// Outline computes the fee and trimming of the commitment that owner would
// hold for st.
func (c *Channel) Outline(owner Side, st *State) (Outline, error) {
	if err := c.checkState(st); err != nil {
		return Outline{}, err
	}
	return c.outline(owner, st), nil
}

// outline does the arithmetic of BOLT 3 "Commitment Transaction
// Construction" steps 1 to 8 on a checked state.
func (c *Channel) outline(owner Side, st *State) Outline {
	t := c.p.Type
	dust := c.party(owner).DustLimit
	var o Outline
	for i := range st.HTLCs {
		h := &st.HTLCs[i]
		if !IsTrimmed(t, st.FeeRate, dust, h.Amount, h.Offerer == owner) {
			o.Untrimmed++
		}
	}
	o.BaseFee = CommitmentFee(t, st.FeeRate, o.Untrimmed)
	if t.HasAnchors() {
		o.Anchors = 2 * AnchorAmount
	}

	toLocal, toRemote := st.LocalBalance, st.RemoteBalance
	if owner == Remote {
		toLocal, toRemote = toRemote, toLocal
	}
	// The opener pays: subtract in millisatoshis, saturating at zero.
	openerBal := &toLocal
	if c.p.Opener != owner {
		openerBal = &toRemote
	}
	cost := (o.BaseFee + o.Anchors).ToMilliSatoshi()
	if *openerBal >= cost {
		*openerBal -= cost
	} else {
		o.Shortfall = wire.Satoshi((uint64(cost-*openerBal) + 999) / 1000)
		*openerBal = 0
	}
	o.ToLocal, o.ToRemote = toLocal.ToSatoshi(), toRemote.ToSatoshi()
	o.HasToLocal = o.ToLocal >= dust
	o.HasToRemote = o.ToRemote >= dust
	if t.HasAnchors() {
		o.HasLocalAnchor = o.HasToLocal || o.Untrimmed > 0
		o.HasRemoteAnchor = o.HasToRemote || o.Untrimmed > 0
	}
	return o
}
