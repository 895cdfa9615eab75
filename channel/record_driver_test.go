package channel

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// recordEnd is one end of a record fixture's channel: its commitment chain
// and update log, driven together as the Manager drives them
// (htlc_commit.go).
type recordEnd struct {
	name string
	cc   *commitmentChain
	log  *updateLog
	// steps are the monitor steps its chain returned, one update each.
	steps []monitor.Step
	// out are the messages it sent that the other end has not taken yet.
	out []recordMsg
}

// recordMsgKind is a message between the ends of a record fixture's
// channel.
type recordMsgKind uint8

const (
	recordMsgAdd recordMsgKind = iota
	recordMsgFulfill
	recordMsgFail
	recordMsgFailMalformed
	recordMsgFee
	recordMsgCommit
	recordMsgRevoke
)

type recordMsg struct {
	kind     recordMsgKind
	add      htlcAdd
	id       uint64
	preimage wire.Preimage
	reason   []byte
	code     uint16
	rate     wire.FeeRate
	cs       *wire.CommitmentSigned
	raa      *wire.RevokeAndAck
}

// recordOnionLen is the length of the fixtures' onions: the log keeps the
// onion opaque, so a short one records the same way as a real 1366-byte
// packet while keeping the byte-by-byte tests fast.
const recordOnionLen = 16

// recordDriver drives our end of a record fixture's channel (us) and the
// counterparty's (them) against each other, every message delivered in
// order, every call checked.
type recordDriver struct {
	t        testing.TB
	us, them *recordEnd
	// n counts the HTLCs added: HTLC n pays recordPreimage(n).
	n         uint64
	preimages map[wire.PaymentHash]wire.Preimage
	bounds    FeeBounds
}

// recordPreimage is the preimage of the n-th HTLC of a record fixture.
func recordPreimage(n uint64) wire.Preimage {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return sha256.Sum256(append([]byte("record preimage"), b[:]...))
}

// newRecordDriver builds both ends of co's channel at their first
// commitments, each with the other's genuine signatures: holder is our
// first commitment (without its point). With ready, channel_ready went
// both ways (each knows the other's second point).
func newRecordDriver(t testing.TB, co *core, ours, theirs *keys.InMemorySigner, holder commit.State, ready bool) *recordDriver {
	t.Helper()
	p := co.params
	tp := p
	tp.Opener, tp.Local, tp.Remote = p.Opener.Other(), p.Remote, p.Local
	theirCh, err := commit.New(tp)
	require.NoError(t, err)
	mirror := func(st commit.State) commit.State {
		st.LocalBalance, st.RemoteBalance = st.RemoteBalance, st.LocalBalance
		return st
	}
	// first returns the first chain of the end with channel ch, signer
	// own, whose counterparty has channel peerCh and signer peer; st is
	// that end's first commitment from its own point of view.
	first := func(ch, peerCh *commit.Channel, own, peer *keys.InMemorySigner, st commit.State) *commitmentChain {
		st.PerCommitmentPoint = recordPoint(t, own, 0)
		peerView := mirror(st)
		cm, err := peerCh.Build(commit.Remote, &peerView)
		require.NoError(t, err)
		sigs, err := cm.SignAsCounterparty(peer)
		require.NoError(t, err)
		theirs := st
		theirs.PerCommitmentPoint = recordPoint(t, peer, 0)
		var next *btcec.PublicKey
		if ready {
			next = recordPoint(t, peer, 1)
		}
		c, err := newCommitmentChain(commitmentChainConfig{ch: ch, signer: own, id: co.id}, st, sigs, theirs, next)
		require.NoError(t, err)
		return c
	}
	theirParams := updateLogParams{
		chanType: p.Type, opener: tp.Opener, capacity: p.Capacity,
		ours: co.theirs, theirs: co.ours, maxDustExposure: co.config.MaxDustHTLCExposure,
	}
	d := &recordDriver{
		t: t, preimages: map[wire.PaymentHash]wire.Preimage{},
		bounds: FeeBounds{MinStaticRemoteKey: wire.FeeRateFloor, MinAnchors: wire.FeeRateFloor, Max: 1 << 20},
		us: &recordEnd{name: "us", cc: first(co.ch, theirCh, ours, theirs, holder),
			log: newUpdateLog(co.logParams(), holder.LocalBalance, holder.RemoteBalance, holder.FeeRate, 0, 0)},
		them: &recordEnd{name: "them", cc: first(theirCh, co.ch, theirs, ours, mirror(holder)),
			log: newUpdateLog(theirParams, holder.RemoteBalance, holder.LocalBalance, holder.FeeRate, 0, 0)},
	}
	return d
}

// other is the end e sends to.
func (d *recordDriver) other(e *recordEnd) *recordEnd {
	if e == d.us {
		return d.them
	}
	return d.us
}

// add has e offer an HTLC of amount sat; it returns its id.
func (d *recordDriver) add(e *recordEnd, amount wire.Satoshi) uint64 {
	d.t.Helper()
	d.n++
	pre := recordPreimage(d.n)
	a := htlcAdd{amount: amount.ToMilliSatoshi(), paymentHash: pre.Hash(), cltvExpiry: 812_500 + uint32(d.n),
		onion: bytes.Repeat([]byte{byte(d.n)}, recordOnionLen)}
	id, err := e.log.addHTLC(a)
	require.NoError(d.t, err, "%s adds htlc %d", e.name, d.n)
	a.id = id
	d.preimages[a.paymentHash] = pre
	e.out = append(e.out, recordMsg{kind: recordMsgAdd, add: a})
	return id
}

// fulfill has e claim the other end's committed HTLC id.
func (d *recordDriver) fulfill(e *recordEnd, id uint64) {
	d.t.Helper()
	h := e.log.find(commit.Remote, id)
	require.NotNil(d.t, h, "%s fulfills %d", e.name, id)
	pre := d.preimages[h.paymentHash]
	require.NoError(d.t, e.log.fulfill(id, pre, nil), "%s fulfills %d", e.name, id)
	e.out = append(e.out, recordMsg{kind: recordMsgFulfill, id: id, preimage: pre})
}

// fail has e fail the other end's committed HTLC id with reason.
func (d *recordDriver) fail(e *recordEnd, id uint64, reason []byte) {
	d.t.Helper()
	require.NoError(d.t, e.log.fail(id, htlcOutcome{kind: htlcFailed, reason: reason}), "%s fails %d", e.name, id)
	e.out = append(e.out, recordMsg{kind: recordMsgFail, id: id, reason: reason})
}

// failMalformed has e fail the other end's committed HTLC id as
// malformed (update_fail_malformed_htlc, invalid_onion_hmac).
func (d *recordDriver) failMalformed(e *recordEnd, id uint64) {
	d.t.Helper()
	const code = badOnion | 0x4000 | 5
	o := htlcOutcome{kind: htlcFailedMalformed, failureCode: code, onionHash: sha256.Sum256([]byte{byte(id)})}
	require.NoError(d.t, e.log.fail(id, o), "%s fails %d as malformed", e.name, id)
	e.out = append(e.out, recordMsg{kind: recordMsgFailMalformed, id: id, code: code, preimage: o.onionHash})
}

// fee has e (the opener) send update_fee.
func (d *recordDriver) fee(e *recordEnd, rate wire.FeeRate) {
	d.t.Helper()
	require.NoError(d.t, e.log.sendFee(rate), "%s sends update_fee %d", e.name, rate)
	e.out = append(e.out, recordMsg{kind: recordMsgFee, rate: rate})
}

// sign has e send commitment_signed (maybeSignCommitment).
func (d *recordDriver) sign(e *recordEnd) {
	d.t.Helper()
	next, err := e.log.sendingCommitment()
	require.NoError(d.t, err, "%s signs", e.name)
	msg, step, err := e.cc.signCommitment(next)
	require.NoError(d.t, err, "%s signs", e.name)
	e.steps = append(e.steps, step)
	e.out = append(e.out, recordMsg{kind: recordMsgCommit, cs: msg})
}

// deliver hands e's oldest message to the other end, which acts on it as
// the Manager does (a commitment_signed is answered by revoke_and_ack at
// once).
func (d *recordDriver) deliver(e *recordEnd) {
	d.t.Helper()
	require.NotEmpty(d.t, e.out, "%s has nothing to deliver", e.name)
	m := e.out[0]
	e.out = e.out[1:]
	r := d.other(e)
	var err error
	switch m.kind {
	case recordMsgAdd:
		var ignored bool
		ignored, err = r.log.receiveAdd(m.add)
		require.False(d.t, ignored)
	case recordMsgFulfill:
		_, err = r.log.receiveFulfill(m.id, m.preimage, nil)
	case recordMsgFail:
		err = r.log.receiveFail(m.id, m.reason, nil)
	case recordMsgFailMalformed:
		err = r.log.receiveFailMalformed(m.id, m.preimage, m.code)
	case recordMsgFee:
		err = r.log.receiveFee(m.rate, d.bounds)
	case recordMsgCommit:
		var next commit.State
		next, err = r.log.receivedCommitment()
		require.NoError(d.t, err, "%s takes commitment_signed", r.name)
		step, raa, err := r.cc.receiveCommitmentSigned(m.cs, next)
		require.NoError(d.t, err, "%s takes commitment_signed", r.name)
		require.NoError(d.t, r.log.sentRevoke())
		r.steps = append(r.steps, step)
		r.out = append(r.out, recordMsg{kind: recordMsgRevoke, raa: raa})
	case recordMsgRevoke:
		var step *monitor.CommitmentSecret
		step, err = r.cc.receiveRevokeAndAck(m.raa)
		require.NoError(d.t, err, "%s takes revoke_and_ack", r.name)
		_, err = r.log.receivedRevoke()
		r.steps = append(r.steps, step)
	}
	require.NoError(d.t, err, "%s takes message %d", r.name, m.kind)
}

// deliverAll hands the other end everything e sent.
func (d *recordDriver) deliverAll(e *recordEnd) {
	d.t.Helper()
	for len(e.out) > 0 {
		d.deliver(e)
	}
}

// settle delivers everything and signs whatever either end has to sign
// until neither has anything left: both ends agree, nothing pending.
func (d *recordDriver) settle() {
	d.t.Helper()
	for moved := true; moved; {
		moved = false
		for _, e := range []*recordEnd{d.us, d.them} {
			if len(e.out) > 0 {
				d.deliverAll(e)
				moved = true
			}
			if !e.log.awaitingRevoke && e.log.hasUnsigned() {
				d.sign(e)
				moved = true
			}
		}
	}
}

// opener is the end that opened the channel (it sends update_fee).
func (d *recordDriver) opener() *recordEnd {
	if d.us.log.p.opener == commit.Local {
		return d.us
	}
	return d.them
}

// history runs what came before a fixture's last state: HTLCs both ways
// added, some fulfilled and some failed back over several rounds, and an
// update_fee, all settled. It returns the ids still committed: ours
// (outbound) and theirs (inbound), in the order added.
func (d *recordDriver) history() (outbound, inbound []uint64) {
	d.t.Helper()
	outbound = []uint64{d.add(d.us, 20_000), d.add(d.us, 5_000), d.add(d.us, 9_000)}
	inbound = []uint64{d.add(d.them, 7_000), d.add(d.them, 400), d.add(d.them, 15_000)}
	gone := []uint64{d.add(d.us, 3_000), d.add(d.us, 600)}
	theirGone := d.add(d.them, 2_500)
	d.fee(d.opener(), 2750)
	d.settle()
	d.fulfill(d.them, gone[0])
	d.fail(d.them, gone[1], []byte("their failure"))
	d.fulfill(d.us, theirGone)
	d.settle()
	return outbound, inbound
}

// normal leaves our end in normal operation with every kind of update in
// flight (see recordNormal); the counterparty's messages after ours are
// never delivered.
func (d *recordDriver) normal() {
	d.t.Helper()
	out, in := d.history()
	// They claim our first HTLC and sign; we take it and revoke.
	d.fulfill(d.them, out[0])
	d.sign(d.them)
	d.deliverAll(d.them)
	d.deliverAll(d.us)
	// We fail their small HTLC, add one, and sign with a new fee rate
	// (ours when we opened); they take nothing yet.
	d.fail(d.us, in[1], []byte("our failure"))
	d.add(d.us, 30_000)
	if d.opener() == d.us {
		d.fee(d.us, 3100)
	}
	d.sign(d.us)
	// They, before our commitment_signed arrives: an update_fee (when
	// they opened), an HTLC, their commitment_signed (crossing ours),
	// then a malformed failure of one of ours and one more HTLC.
	if d.opener() == d.them {
		d.fee(d.them, 3100)
	}
	d.add(d.them, 11_000)
	d.sign(d.them)
	d.failMalformed(d.them, out[2])
	d.add(d.them, 12_345)
	d.deliverAll(d.them)
	// While our commitment_signed awaits its revoke_and_ack: a claim of
	// theirs and one more HTLC of ours, for the next round.
	d.fulfill(d.us, in[2])
	d.add(d.us, 1_000)
}

// closing resolves every HTLC after the history: the channel is settled,
// ready for a cooperative close.
func (d *recordDriver) closing() {
	d.t.Helper()
	out, in := d.history()
	for i, id := range out {
		if i%2 == 0 {
			d.fulfill(d.them, id)
		} else {
			d.fail(d.them, id, []byte{byte(i)})
		}
	}
	for _, id := range in {
		d.fulfill(d.us, id)
	}
	d.settle()
}
