package monitor_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	lnwire "github.com/lnkit/lnkit/wire"
)

// TestBreachResolvesOurHTLCs: the HTLCs B offered end when A broadcasts a
// revoked commitment. One in it, taken by B's justice transaction, fails
// once that is AntiReorgDelay deep (A could only have taken it with the
// preimage); one only in A's newer commitment (the revoked one has no
// output for it) fails once the breach is that deep; neither earlier,
// each once.
func TestBreachResolvesOurHTLCs(t *testing.T) {
	r := newJusticeRig(t, commit.StaticRemoteKey)
	c := r.ch.chain
	// A's commitment 4, not revoked, holds an HTLC more that B offered.
	extra := breachHTLC{preimage: lnwire.Preimage{9}}
	extra.h = commit.HTLC{ID: 7, Offerer: commit.Remote, Amount: 20_000_000, PaymentHash: extra.preimage.Hash(), CLTVExpiry: 600}
	st4 := htlcStateA(t, 4, r.ch.a, aBalance-100_000_000, append(breachHTLCs(), extra))
	m := r.ch.b.mon
	require.Equal(t, monitor.Completed, r.cm.UpdateChannel(m.ChannelID(), &monitor.Update{ID: m.LatestUpdateID() + 1,
		Steps: []monitor.Step{&monitor.NewCounterpartyCommitment{State: flipped(st4)}}}))

	rc := signedCommitmentA(t, r.ch, r.states[2])
	_, err := c.MineTx(rc.tx)
	require.NoError(t, err)
	breach := c.Tip().Height
	c.Mine(1) // the justice transactions
	require.Empty(t, r.justiceInPool(t))
	for c.Tip().Height < breach+monitor.AntiReorgDelay-1 {
		require.Empty(t, r.cm.ReleaseHTLCResolutions(), "height %d", c.Tip().Height)
		c.Mine(1)
	}
	res := r.cm.ReleaseHTLCResolutions()
	require.Equal(t, []monitor.HTLCResolution{{ChannelID: m.ChannelID(), HTLCID: extra.h.ID, Outgoing: true,
		PaymentHash: extra.h.PaymentHash, Amount: extra.h.Amount, Height: breach}}, res, "the HTLC the revoked commitment does not hold")
	c.Mine(1)
	res = r.cm.ReleaseHTLCResolutions()
	ours := r.hs[1].h
	require.Equal(t, []monitor.HTLCResolution{{ChannelID: m.ChannelID(), HTLCID: ours.ID, Outgoing: true,
		PaymentHash: ours.PaymentHash, Amount: ours.Amount, Height: breach + 1}}, res, "the HTLC taken by justice")
	c.Mine(3)
	require.Empty(t, r.cm.ReleaseHTLCResolutions())
}

// TestBreachRevealsPreimage: A's HTLC-success of the HTLC B offered
// confirms with A's revoked commitment: B learns the preimage from it (an
// HTLCResolution at once, again after a restart) and still takes the
// second-stage output.
func TestBreachRevealsPreimage(t *testing.T) {
	r := newJusticeRig(t, commit.StaticRemoteKey)
	c := r.ch.chain
	rc := signedCommitmentA(t, r.ch, r.states[1])
	success := rc.htlcSuccess(t, r.hs[1].preimage)
	_, err := c.MineTx(rc.tx, success)
	require.NoError(t, err)
	p := r.hs[1].preimage
	want := []monitor.HTLCResolution{{ChannelID: r.ch.b.mon.ChannelID(), HTLCID: r.hs[1].h.ID, Outgoing: true,
		PaymentHash: p.Hash(), Amount: r.hs[1].h.Amount, Preimage: &p, Height: c.Tip().Height}}
	require.Equal(t, want, r.cm.ReleaseHTLCResolutions())
	got, ok := r.ch.b.mon.Preimage(p.Hash())
	require.True(t, ok)
	require.Equal(t, p, got)
	r.restart(t)
	c.Mine(1)
	require.Equal(t, want, r.cm.ReleaseHTLCResolutions(), "again after the restart, never a timeout")
	c.Mine(monitor.AntiReorgDelay + 1)
	require.Empty(t, r.cm.ReleaseHTLCResolutions())
	require.Empty(t, r.cm.ClaimableBalances(), "everything taken")
}
