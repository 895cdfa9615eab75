package channel

import (
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// commitmentTestCapacity is the capacity of the test channels (sat).
const commitmentTestCapacity = 1_000_000

// commitmentContent is the content of a commitment from A's point of view
// (A is the opener): balances and HTLCs, Offerer Local meaning A offered.
type commitmentContent struct {
	a, b    wire.MilliSatoshi
	feeRate wire.FeeRate
	htlcs   []commit.HTLC
}

// view returns the content as a state seen from A (fromB false) or B,
// numbered n, without a point (the chain sets it).
func (c commitmentContent) view(fromB bool, n uint64) commit.State {
	st := commit.State{Number: n, LocalBalance: c.a, RemoteBalance: c.b, FeeRate: c.feeRate}
	if fromB {
		st.LocalBalance, st.RemoteBalance = c.b, c.a
	}
	for _, h := range c.htlcs {
		if fromB {
			h.Offerer = h.Offerer.Other()
		}
		st.HTLCs = append(st.HTLCs, h)
	}
	return st
}

// randomCommitmentContent draws HTLCs (some trimmed, some not) and a
// balance split that leaves the opener able to pay any fee used here.
func randomCommitmentContent(rng *rand.Rand, nextID *uint64) commitmentContent {
	c := commitmentContent{feeRate: wire.FeeRate(253 + rng.IntN(5000))}
	total := wire.MilliSatoshi(commitmentTestCapacity * 1000)
	n := rng.IntN(7)
	if rng.IntN(8) == 0 {
		n = 20 + rng.IntN(10)
	}
	for range n {
		amt := wire.MilliSatoshi(1000 + rng.IntN(3_000_000)) // up to 3000 sat: trimmed or not
		h := commit.HTLC{ID: *nextID, Offerer: commit.Side(rng.IntN(2)), Amount: amt, CLTVExpiry: 500_000 + uint32(rng.IntN(1000))}
		*nextID++
		for i := range h.PaymentHash {
			h.PaymentHash[i] = byte(rng.IntN(256))
		}
		c.htlcs = append(c.htlcs, h)
		total -= amt
	}
	const openerMin = 200_000_000
	c.a = openerMin + wire.MilliSatoshi(rng.Int64N(int64(total-openerMin)))
	c.b = total - c.a
	return c
}

// commitmentParty is one node of a test channel: its keys, its chain and
// a real monitor to which every step the chain returns is applied.
type commitmentParty struct {
	name     string
	signer   *keys.InMemorySigner
	ch       *commit.Channel
	chain    *commitmentChain
	mon      *monitor.ChannelMonitor
	updateID uint64
	fromB    bool
	// signed are the commitment_signed messages this party sent, by the
	// peer's commitment number, and the peer's view of each.
	signed     map[uint64]*wire.CommitmentSigned
	signedView map[uint64]commit.State
}

// apply hands one step to the party's monitor as the next update.
func (p *commitmentParty) apply(t testing.TB, s monitor.Step) {
	t.Helper()
	p.updateID++
	require.NoError(t, p.mon.Apply(&monitor.Update{ID: p.updateID, Steps: []monitor.Step{s}}), "%s update %d", p.name, p.updateID)
}

// commitmentPair is a funded channel between A (opener) and B.
type commitmentPair struct {
	a, b *commitmentParty
	id   wire.ChannelID
}

func commitmentTestSigner(n byte) *keys.InMemorySigner {
	var seed keys.Seed
	for i := range seed {
		seed[i] = n*13 + byte(i)
	}
	return keys.NewManager(seed, keys.Config{}).ChannelKeys([32]byte{n})
}

func commitmentTestParty(s *keys.InMemorySigner) commit.Party {
	bp := s.Basepoints()
	return commit.Party{
		Basepoints: commit.Basepoints{
			Funding: bp.FundingKey, Revocation: bp.RevocationBasepoint, Payment: bp.PaymentBasepoint,
			DelayedPayment: bp.DelayedPaymentBasepoint, HTLC: bp.HTLCBasepoint,
		},
		DustLimit: commit.MinDustLimit,
		CSVDelay:  144,
	}
}

// newCommitmentPair funds a channel of type typ: both first commitments
// signed, both chains and monitors created from them.
func newCommitmentPair(t testing.TB, typ commit.ChannelType) *commitmentPair {
	t.Helper()
	sa, sb := commitmentTestSigner(1), commitmentTestSigner(2)
	op := btcwire.OutPoint{Index: 1}
	op.Hash[0] = 0x42
	pa := commit.Params{Type: typ, FundingOutpoint: op, Capacity: commitmentTestCapacity, Opener: commit.Local,
		Local: commitmentTestParty(sa), Remote: commitmentTestParty(sb)}
	pb := pa
	pb.Opener, pb.Local, pb.Remote = commit.Remote, pa.Remote, pa.Local
	cha, err := commit.New(pa)
	require.NoError(t, err)
	chb, err := commit.New(pb)
	require.NoError(t, err)
	pair := &commitmentPair{id: wire.NewChannelID(op)}
	pair.a = &commitmentParty{name: "A", signer: sa, ch: cha}
	pair.b = &commitmentParty{name: "B", signer: sb, ch: chb, fromB: true}
	first := commitmentContent{a: 600_000_000, b: 400_000_000, feeRate: wire.FeeRateFloor}
	for _, p := range []*commitmentParty{pair.a, pair.b} {
		q := pair.peer(p)
		own := first.view(p.fromB, 0)
		own.PerCommitmentPoint = commitmentPoint(t, p.signer, 0)
		theirs := first.view(q.fromB, 0)
		theirs.PerCommitmentPoint = own.PerCommitmentPoint
		cm, err := q.ch.Build(commit.Remote, &theirs)
		require.NoError(t, err)
		sigs, err := cm.SignAsCounterparty(q.signer)
		require.NoError(t, err)
		peerView := first.view(p.fromB, 0)
		peerView.PerCommitmentPoint = commitmentPoint(t, q.signer, 0)
		cfg := commitmentChainConfig{ch: p.ch, signer: p.signer, id: pair.id}
		p.chain, err = newCommitmentChain(cfg, own, sigs, peerView, commitmentPoint(t, q.signer, 1))
		require.NoError(t, err)
		mon := cloneState(p.chain.holder)
		them := cloneState(p.chain.theirs)
		p.mon, err = monitor.New(monitor.Config{
			Params:            p.ch.Params(),
			ChannelKeyID:      [32]byte{1},
			FirstHolder:       &monitor.NewHolderCommitment{State: &mon, CounterpartySig: sigs.Commitment, HTLCSigs: sigs.HTLCs},
			FirstCounterparty: &monitor.NewCounterpartyCommitment{State: &them},
		})
		require.NoError(t, err)
		p.signed = map[uint64]*wire.CommitmentSigned{}
		p.signedView = map[uint64]commit.State{}
	}
	return pair
}

func (pr *commitmentPair) peer(p *commitmentParty) *commitmentParty {
	if p == pr.a {
		return pr.b
	}
	return pr.a
}

func commitmentPoint(t testing.TB, s *keys.InMemorySigner, n uint64) *btcec.PublicKey {
	t.Helper()
	p, err := s.PerCommitmentPoint(n)
	require.NoError(t, err)
	return p
}

// sign has p sign the peer's next commitment with content c; the step goes
// to p's monitor. It returns the message and the peer's view of the state.
func (pr *commitmentPair) sign(t testing.TB, p *commitmentParty, c commitmentContent) (*wire.CommitmentSigned, commit.State) {
	t.Helper()
	q := pr.peer(p)
	n := p.chain.theirs.Number + 1
	msg, step, err := p.chain.signCommitment(c.view(p.fromB, n))
	require.NoError(t, err)
	require.True(t, step.Built.BuiltFrom(p.chain.cfg.ch, commit.Remote, step.State), "the step's hint is the commitment signed")
	p.apply(t, step)
	view := c.view(q.fromB, n)
	p.signed[n], p.signedView[n] = msg, view
	return msg, view
}

// receiveSigned has q take commitment_signed; the step goes to its monitor.
func (pr *commitmentPair) receiveSigned(t testing.TB, q *commitmentParty, msg *wire.CommitmentSigned, view commit.State) *wire.RevokeAndAck {
	t.Helper()
	step, raa, err := q.chain.receiveCommitmentSigned(msg, view)
	require.NoError(t, err, "%s receives commitment_signed %d", q.name, view.Number)
	require.True(t, step.Built.BuiltFrom(q.chain.cfg.ch, commit.Local, step.State), "the step's hint is the commitment verified")
	q.apply(t, step)
	require.Equal(t, view.Number, q.mon.HolderCommitmentNumber())
	return raa
}

// receiveRevoke has p take revoke_and_ack; the step goes to its monitor.
func (pr *commitmentPair) receiveRevoke(t testing.TB, p *commitmentParty, raa *wire.RevokeAndAck) {
	t.Helper()
	step, err := p.chain.receiveRevokeAndAck(raa)
	require.NoError(t, err, "%s receives revoke_and_ack", p.name)
	p.apply(t, step)
}

// round runs one full exchange: p signs, the peer revokes.
func (pr *commitmentPair) round(t testing.TB, p *commitmentParty, c commitmentContent) {
	t.Helper()
	msg, view := pr.sign(t, p, c)
	raa := pr.receiveSigned(t, pr.peer(p), msg, view)
	pr.receiveRevoke(t, p, raa)
}

// checkSecrets checks that p's stored secrets derive the peer's secrets of
// every revoked commitment (all of them when few, else a sample).
func (pr *commitmentPair) checkSecrets(t testing.TB, p *commitmentParty, rng *rand.Rand) {
	t.Helper()
	q := pr.peer(p)
	r := p.chain.theirs.Number
	require.Equal(t, r, p.chain.secrets.Len())
	check := func(n uint64) {
		idx, err := keys.ShachainIndex(n)
		require.NoError(t, err)
		got, err := p.chain.secrets.Lookup(idx)
		require.NoError(t, err)
		want, err := q.signer.PerCommitmentSecret(n)
		require.NoError(t, err)
		require.Equal(t, want, got, "%s: secret %d", p.name, n)
	}
	if r == 0 {
		return
	}
	check(0)
	check(r - 1)
	for range 3 {
		check(rng.Uint64N(r))
	}
}
