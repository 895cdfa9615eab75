package channel

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// commitmentFlight is a message on its way from one party to the other.
type commitmentFlight struct {
	cs   *wire.CommitmentSigned
	view commit.State // the receiver's view of the commitment cs signs
	raa  *wire.RevokeAndAck
}

// commitmentDriver runs two chains against each other through random
// interleavings: signing, delivering in order, disconnecting (messages in
// flight lost) and reestablishing (retransmission as reestablishReceive
// decides).
type commitmentDriver struct {
	t        testing.TB
	rng      *rand.Rand
	pr       *commitmentPair
	inbox    map[*commitmentParty][]commitmentFlight
	nextID   uint64
	signs    int
	resends  int
	restarts int
}

func newCommitmentDriver(t testing.TB, typ commit.ChannelType, seed uint64) *commitmentDriver {
	pr := newCommitmentPair(t, typ)
	return &commitmentDriver{t: t, rng: rand.New(rand.NewPCG(seed, 7)), pr: pr,
		inbox: map[*commitmentParty][]commitmentFlight{}}
}

// step does one random action.
func (d *commitmentDriver) step() {
	t, pr := d.t, d.pr
	p := pr.a
	if d.rng.IntN(2) == 1 {
		p = pr.b
	}
	q := pr.peer(p)
	switch k := d.rng.IntN(40); {
	case k < 16: // p signs if it can
		if p.chain.theirPending != nil {
			return
		}
		msg, view := pr.sign(t, p, randomCommitmentContent(d.rng, &d.nextID))
		d.inbox[q] = append(d.inbox[q], commitmentFlight{cs: msg, view: view})
		d.signs++
	case k < 39: // deliver the next message to p
		if len(d.inbox[p]) == 0 {
			return
		}
		f := d.inbox[p][0]
		d.inbox[p] = d.inbox[p][1:]
		if f.cs != nil {
			raa := pr.receiveSigned(t, p, f.cs, f.view)
			d.inbox[q] = append(d.inbox[q], commitmentFlight{raa: raa})
		} else {
			pr.receiveRevoke(t, p, f.raa)
		}
	default:
		d.reconnect()
	}
	for _, x := range []*commitmentParty{pr.a, pr.b} {
		var st reestablishState
		require.NoError(t, x.chain.fillReestablishState(&st))
		st.channelReadySent = true
		require.NoError(t, st.validate())
		require.Equal(t, x.chain.holder.Number, x.mon.HolderCommitmentNumber())
	}
}

// reconnect loses what is in flight, sometimes restarts both chains from
// their persisted form, exchanges channel_reestablish and
// queues what each side retransmits, in the order reestablishReceive says.
func (d *commitmentDriver) reconnect() {
	t, pr := d.t, d.pr
	d.inbox = map[*commitmentParty][]commitmentFlight{}
	if d.rng.IntN(2) == 0 { // a restart: both chains from their persisted form
		for _, x := range []*commitmentParty{pr.a, pr.b} {
			b, err := encodeCommitmentChain(x.chain)
			require.NoError(t, err)
			c, err := decodeCommitmentChain(b, x.chain.cfg)
			require.NoError(t, err)
			again, err := encodeCommitmentChain(c)
			require.NoError(t, err)
			require.Equal(t, b, again)
			x.chain = c
			d.restarts++
		}
	}
	states := map[*commitmentParty]*reestablishState{}
	msgs := map[*commitmentParty]*wire.ChannelReestablish{}
	for _, x := range []*commitmentParty{pr.a, pr.b} {
		st := &reestablishState{channelReadySent: true}
		require.NoError(t, x.chain.fillReestablishState(st))
		msg, err := reestablishMessage(st, pr.id)
		require.NoError(t, err)
		states[x], msgs[x] = st, msg
	}
	for _, x := range []*commitmentParty{pr.a, pr.b} {
		y := pr.peer(x)
		act, err := reestablishReceive(states[x], msgs[y])
		require.NoError(t, err, "%s reestablishes", x.name)
		for _, s := range act.steps {
			switch s {
			case reestablishResendRevokeAndAck:
				raa, err := x.chain.retransmitRevokeAndAck()
				require.NoError(t, err)
				require.Equal(t, act.revokeAndAck, raa)
				d.inbox[y] = append(d.inbox[y], commitmentFlight{raa: raa})
				d.resends++
			case reestablishResendCommitmentSigned:
				cs, err := x.chain.retransmitCommitmentSigned(act.commitmentNumber)
				require.NoError(t, err)
				require.Equal(t, x.signed[act.commitmentNumber], cs, "retransmission identical")
				d.inbox[y] = append(d.inbox[y], commitmentFlight{cs: cs, view: x.signedView[act.commitmentNumber]})
				d.resends++
			}
		}
	}
}

// drain delivers everything in flight (random steps that sign nothing
// new once nothing is in flight), so both chains end quiescent.
func (d *commitmentDriver) drain() {
	for len(d.inbox[d.pr.a])+len(d.inbox[d.pr.b]) > 0 {
		d.step()
	}
}

func TestCommitmentChainRandomRounds(t *testing.T) {
	for _, typ := range []commit.ChannelType{commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC} {
		for seed := range uint64(2) {
			t.Run(fmt.Sprintf("%s/seed%d", typ, seed), func(t *testing.T) {
				d := newCommitmentDriver(t, typ, seed)
				steps := 400
				if testing.Short() {
					steps = 120
				}
				for range steps {
					d.step()
				}
				d.drain()
				pr := d.pr
				for _, x := range []*commitmentParty{pr.a, pr.b} {
					pr.checkSecrets(t, x, d.rng)
					require.Nil(t, x.chain.theirPending, "%s quiescent", x.name)
					// What one side holds is what the other signed last.
					y := pr.peer(x)
					require.Equal(t, y.chain.theirs.Number, x.chain.holder.Number)
					require.Equal(t, y.chain.theirs.HTLCs == nil, x.chain.holder.HTLCs == nil)
				}
				require.Positive(t, d.signs)
				t.Logf("%d commitments signed, %d retransmissions, %d restarts, A at %d/%d, B at %d/%d", d.signs, d.resends, d.restarts,
					pr.a.chain.holder.Number, pr.a.chain.theirs.Number, pr.b.chain.holder.Number, pr.b.chain.theirs.Number)
			})
		}
	}
}

// TestCommitmentChainBothPending: both sides sign before either revokes
// (BOLT 2 allows it), and the revocations cross.
func TestCommitmentChainBothPending(t *testing.T) {
	for _, typ := range []commit.ChannelType{commit.StaticRemoteKey, commit.AnchorsZeroFeeHTLC} {
		t.Run(typ.String(), func(t *testing.T) {
			pr := newCommitmentPair(t, typ)
			rng := rand.New(rand.NewPCG(1, 2))
			var id uint64
			for range 5 {
				csA, viewB := pr.sign(t, pr.a, randomCommitmentContent(rng, &id))
				csB, viewA := pr.sign(t, pr.b, randomCommitmentContent(rng, &id))
				_, _, err := pr.a.chain.signCommitment(randomCommitmentContent(rng, &id).view(false, pr.a.chain.theirs.Number+2))
				require.ErrorIs(t, err, errCommitmentChain, "one outstanding at most")
				raaB := pr.receiveSigned(t, pr.b, csA, viewB)
				raaA := pr.receiveSigned(t, pr.a, csB, viewA)
				pr.receiveRevoke(t, pr.a, raaB)
				pr.receiveRevoke(t, pr.b, raaA)
			}
			pr.checkSecrets(t, pr.a, rng)
			pr.checkSecrets(t, pr.b, rng)
		})
	}
}

// TestCommitmentReestablishFields: the reestablishState fields through one
// exchange, as reestablish_state.go defines them.
func TestCommitmentReestablishFields(t *testing.T) {
	pr := newCommitmentPair(t, commit.AnchorsZeroFeeHTLC)
	fields := func(p *commitmentParty) reestablishState {
		var st reestablishState
		require.NoError(t, p.chain.fillReestablishState(&st))
		require.NoError(t, st.validate())
		st.signer = nil
		return st
	}
	require.Equal(t, reestablishState{nextHolderCommitment: 1}, fields(pr.a))

	msg, view := pr.sign(t, pr.a, commitmentHTLCContent())
	require.Equal(t, reestablishState{nextHolderCommitment: 1, commitmentSignedPending: true}, fields(pr.a))
	raa := pr.receiveSigned(t, pr.b, msg, view)
	require.Equal(t, reestablishState{nextHolderCommitment: 2, revokeAndAckLast: true}, fields(pr.b))
	again, err := pr.b.chain.retransmitRevokeAndAck()
	require.NoError(t, err)
	require.Equal(t, raa, again)
	resent, err := pr.a.chain.retransmitCommitmentSigned(1)
	require.NoError(t, err)
	require.Equal(t, msg, resent)

	pr.receiveRevoke(t, pr.a, raa)
	secret0, err := pr.b.signer.PerCommitmentSecret(0)
	require.NoError(t, err)
	require.Equal(t, reestablishState{nextHolderCommitment: 1, nextRevocation: 1, theirLastSecret: secret0}, fields(pr.a))
}
