package channel

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// logMsgKind is a message between two update logs in the tests.
type logMsgKind uint8

const (
	logMsgAdd logMsgKind = iota
	logMsgFulfill
	logMsgFail
	logMsgFailMalformed
	logMsgFee
	logMsgCommit
	logMsgRevoke
)

type logMsg struct {
	kind     logMsgKind
	add      htlcAdd
	id       uint64
	preimage wire.Preimage
	reason   []byte
	code     uint16
	rate     wire.FeeRate
	// state is the commitment the sender signed, from its point of view.
	state commit.State
}

// logDriver drives two update logs against each other: A's sends are B's
// receives, in order. Every error of a sending call must be a *RuleError
// or a sentinel; a receiving call must never fail (a sender checks at
// least what its receiver checks).
type logDriver struct {
	logs  [2]*updateLog
	queue [2][]logMsg // queue[i]: sent by i, not yet delivered
	n     uint64      // preimage counter
	// preimages the payees know.
	preimages map[wire.PaymentHash]wire.Preimage
	bounds    FeeBounds
}

func newLogDriver(t commit.ChannelType, push wire.MilliSatoshi) *logDriver {
	a, b := testLogPair(t, push)
	return &logDriver{
		logs: [2]*updateLog{a, b}, preimages: map[wire.PaymentHash]wire.Preimage{},
		bounds: FeeBounds{MinStaticRemoteKey: wire.FeeRateFloor, MinAnchors: wire.FeeRateFloor, Max: 1 << 20},
	}
}

// isLogError reports whether err is one the log documents.
func isLogError(err error) bool {
	var re *RuleError
	if errors.As(err, &re) {
		return true
	}
	for _, s := range []error{errHTLCUnknown, errUpdateLogNothingToSign, errUpdateLogAwaitingRevoke, errUpdateLogNotOwingRevoke, errUpdateLogNotOpener} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// committedInbound returns the ids of side s's Committed inbound HTLCs.
func (d *logDriver) committedInbound(s int) []uint64 {
	var ids []uint64
	for _, h := range d.logs[s].htlcs {
		if h.state == htlcInCommitted {
			ids = append(ids, h.id)
		}
	}
	return ids
}

// step runs operation op of side s with argument arg. It returns an error
// only for a broken property.
func (d *logDriver) step(s int, op byte, arg uint64) error {
	l := d.logs[s]
	var err error
	switch op % 8 {
	case 0: // add
		d.n++
		amount := wire.MilliSatoshi(1 + arg%(uint64(l.p.capacity)*1000/20))
		a := testAdd(d.n, amount)
		if arg&1 == 0 {
			a.amount = wire.MilliSatoshi(1000 + arg%2_000_000) // often dust
		}
		var id uint64
		if id, err = l.addHTLC(a); err == nil {
			a.id = id
			d.preimages[a.paymentHash] = testPreimage(d.n)
			d.queue[s] = append(d.queue[s], logMsg{kind: logMsgAdd, add: a})
		}
	case 1, 2: // claim or fail a committed inbound HTLC
		ids := d.committedInbound(s)
		if len(ids) == 0 {
			return nil
		}
		id := ids[arg%uint64(len(ids))]
		h := l.find(commit.Remote, id)
		switch {
		case op%8 == 1:
			p := d.preimages[h.paymentHash]
			if err = l.fulfill(id, p, nil); err == nil {
				d.queue[s] = append(d.queue[s], logMsg{kind: logMsgFulfill, id: id, preimage: p})
			}
		case arg&2 == 0:
			if err = l.fail(id, htlcOutcome{kind: htlcFailed, reason: []byte{byte(arg)}}); err == nil {
				d.queue[s] = append(d.queue[s], logMsg{kind: logMsgFail, id: id, reason: []byte{byte(arg)}})
			}
		default:
			if err = l.fail(id, htlcOutcome{kind: htlcFailedMalformed, failureCode: badOnion | 4}); err == nil {
				d.queue[s] = append(d.queue[s], logMsg{kind: logMsgFailMalformed, id: id, code: badOnion | 4})
			}
		}
	case 3: // update_fee
		rate := wire.FeeRateFloor + wire.FeeRate(arg%20_000)
		if err = l.sendFee(rate); err == nil {
			d.queue[s] = append(d.queue[s], logMsg{kind: logMsgFee, rate: rate})
		}
	case 4: // commitment_signed
		var st commit.State
		if st, err = l.sendingCommitment(); err == nil {
			d.queue[s] = append(d.queue[s], logMsg{kind: logMsgCommit, state: st})
		}
	case 7: // disconnect and reconnect, when nothing is in flight
		if len(d.queue[0])+len(d.queue[1]) == 0 {
			d.logs[0].disconnected()
			d.logs[1].disconnected()
			// Our unsigned removals stay; they are sent again.
			for side, l := range d.logs {
				for _, h := range l.unsignedRemovals() {
					m := logMsg{kind: logMsgFail, id: h.id, reason: h.outcome.reason}
					switch h.outcome.kind {
					case htlcFulfilled:
						m = logMsg{kind: logMsgFulfill, id: h.id, preimage: h.outcome.preimage}
					case htlcFailedMalformed:
						m = logMsg{kind: logMsgFailMalformed, id: h.id, code: h.outcome.failureCode}
					}
					d.queue[side] = append(d.queue[side], m)
				}
			}
		}
		return nil
	default: // deliver
		return d.deliver(s)
	}
	if err != nil && !isLogError(err) {
		return fmt.Errorf("side %d op %d: undocumented error %w", s, op%8, err)
	}
	return nil
}

// deliver hands the oldest message of side s to the other side.
func (d *logDriver) deliver(s int) error {
	if len(d.queue[s]) == 0 {
		return nil
	}
	m := d.queue[s][0]
	d.queue[s] = d.queue[s][1:]
	r := 1 - s
	l := d.logs[r]
	var err error
	switch m.kind {
	case logMsgAdd:
		var ignored bool
		if ignored, err = l.receiveAdd(m.add); err == nil && ignored {
			err = errors.New("add ignored")
		}
	case logMsgFulfill:
		_, err = l.receiveFulfill(m.id, m.preimage, nil)
	case logMsgFail:
		err = l.receiveFail(m.id, m.reason, nil)
	case logMsgFailMalformed:
		err = l.receiveFailMalformed(m.id, [32]byte{}, m.code)
	case logMsgFee:
		err = l.receiveFee(m.rate, d.bounds)
	case logMsgCommit:
		var st commit.State
		if st, err = l.receivedCommitment(); err == nil {
			if err = sameCommitment(m.state, st); err == nil {
				err = l.sentRevoke()
				d.queue[r] = append(d.queue[r], logMsg{kind: logMsgRevoke})
			}
		}
	case logMsgRevoke:
		var res htlcRevokeResult
		if res, err = l.receivedRevoke(); err == nil {
			for _, h := range res.lockedIn {
				if h.failBack != "" {
					if err = l.fail(h.id, htlcOutcome{kind: htlcFailed}); err == nil {
						d.queue[r] = append(d.queue[r], logMsg{kind: logMsgFail, id: h.id})
					}
				}
			}
		}
	}
	if err != nil {
		return fmt.Errorf("side %d receiving message %d: %w", r, m.kind, err)
	}
	return nil
}

// sameCommitment checks that the commitment a sender signed (its view)
// is the one its receiver expects (its own view): sides swapped.
func sameCommitment(signed, got commit.State) error {
	mirror := commit.State{Number: signed.Number, FeeRate: signed.FeeRate, LocalBalance: signed.RemoteBalance, RemoteBalance: signed.LocalBalance}
	for _, h := range signed.HTLCs {
		h.Offerer = h.Offerer.Other()
		mirror.HTLCs = append(mirror.HTLCs, h)
	}
	sortHTLCs(mirror.HTLCs)
	got.HTLCs = slices.Clone(got.HTLCs)
	sortHTLCs(got.HTLCs)
	if mirror.Number != got.Number || mirror.FeeRate != got.FeeRate || mirror.LocalBalance != got.LocalBalance ||
		mirror.RemoteBalance != got.RemoteBalance || !slices.Equal(mirror.HTLCs, got.HTLCs) {
		return fmt.Errorf("commitments differ: signed %+v, expected %+v", mirror, got)
	}
	return nil
}

func sortHTLCs(hs []commit.HTLC) {
	slices.SortFunc(hs, func(a, b commit.HTLC) int {
		if a.Offerer != b.Offerer {
			return int(a.Offerer) - int(b.Offerer)
		}
		return int(a.ID - b.ID)
	})
}

// conserved checks both logs' next commitments add up to the capacity.
func (d *logDriver) conserved() error {
	for i, l := range d.logs {
		for _, owner := range []commit.Side{commit.Local, commit.Remote} {
			st := l.nextState(owner)
			sum := uint64(st.LocalBalance) + uint64(st.RemoteBalance)
			for _, h := range st.HTLCs {
				sum += uint64(h.Amount)
			}
			if sum != uint64(l.p.capacity)*1000 {
				return fmt.Errorf("side %d, %s commitment adds up to %d msat", i, owner, sum)
			}
			if err := payable(l, st, owner); err != nil {
				return fmt.Errorf("side %d, %s commitment: %w", i, owner, err)
			}
		}
	}
	return nil
}

// quiesce delivers everything and signs until neither side has anything
// left, then checks both sides agree on everything.
func (d *logDriver) quiesce() error {
	for range 1000 {
		moved := false
		for s := range 2 {
			if len(d.queue[s]) > 0 {
				if err := d.deliver(s); err != nil {
					return err
				}
				moved = true
				continue
			}
			if st, err := d.logs[s].sendingCommitment(); err == nil {
				d.queue[s] = append(d.queue[s], logMsg{kind: logMsgCommit, state: st})
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	a, b := d.logs[0], d.logs[1]
	if a.balance[commit.Local] != b.balance[commit.Remote] || a.balance[commit.Remote] != b.balance[commit.Local] ||
		a.feeRate != b.feeRate || len(a.htlcs) != len(b.htlcs) || len(a.fees)+len(b.fees) != 0 {
		return fmt.Errorf("sides disagree at rest: balances %v %v, rates %d %d, %d and %d htlcs", a.balance, b.balance, a.feeRate, b.feeRate, len(a.htlcs), len(b.htlcs))
	}
	if err := sameCommitment(a.nextState(commit.Remote), b.nextState(commit.Local)); err != nil {
		return err
	}
	return sameCommitment(b.nextState(commit.Remote), a.nextState(commit.Local))
}

// payable checks that a commitment can be built: no balance is negative
// (a wrapped one exceeds the capacity) and the opener pays the fee.
func payable(l *updateLog, st commit.State, owner commit.Side) error {
	capMsat := uint64(l.p.capacity) * 1000
	if uint64(st.LocalBalance) > capMsat || uint64(st.RemoteBalance) > capMsat {
		return fmt.Errorf("negative balance: %d, %d", st.LocalBalance, st.RemoteBalance)
	}
	fee := l.commitFee(owner, st.HTLCs, st.FeeRate, 0)
	bal := st.LocalBalance
	if l.p.opener == commit.Remote {
		bal = st.RemoteBalance
	}
	if uint64(bal) < fee {
		return fmt.Errorf("opener's %d msat cannot pay the fee of %d msat", bal, fee)
	}
	return nil
}
