package channel

import (
	"crypto/sha256"
	"fmt"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// HTLC interception (UserConfig.AcceptInterceptHTLCs, as LDK's for LSPs):
// a forward whose short channel id names none of our channels is held
// (fwdIntercepted, written with its HTLCIntercepted event) until the
// application forwards it over a channel it chooses, with the amount it
// chooses (at most the incoming amount), or fails it. One still held
// HTLCFailBackBuffer blocks before the incoming HTLC's expiry is failed
// back.

// InterceptID names an intercepted HTLC (events.HTLCIntercepted).
type InterceptID [32]byte

// interceptID is the id of the forward of incoming HTLC in.
func interceptID(in htlcRef) InterceptID {
	k := in.bytes()
	return InterceptID(sha256.Sum256(append([]byte("lnkit intercept"), k[:]...)))
}

// intercept holds pending forward f for the application.
func (m *Manager) intercept(f *forward) error {
	nf := *f
	nf.state = fwdIntercepted
	op, err := forwardOp(&nf)
	if err != nil {
		return err
	}
	ev := &events.HTLCIntercepted{
		InterceptID: interceptID(f.in), RequestedNextHopSCID: f.outSCID, PaymentHash: f.hash,
		InboundAmount: f.inAmount, ExpectedOutboundAmount: f.outAmount, PrevChannelID: f.in.channel,
		CLTVExpiry: f.inCLTV, OutgoingCLTV: f.outCLTV,
	}
	if err := m.appendEventsWith([]persist.Op{op}, ev); err != nil {
		return err
	}
	m.fwd.put(&nf)
	m.cfg.Logger.Info("channel: htlc intercepted", "channel_id", f.in.channel, "htlc_id", f.in.id,
		"payment_hash", f.hash, "next_scid", f.outSCID)
	return nil
}

// ForwardInterceptedHTLC forwards the intercepted HTLC id over channel
// (a usable channel of ours, with any peer) with amount (at most the
// incoming HTLC's: the difference is our fee) and the onion's expiry; no
// forwarding policy is checked. If the channel cannot carry it, the HTLC
// fails back with temporary_channel_failure. ErrUnknownIntercept when no
// HTLC is held under id.
func (m *Manager) ForwardInterceptedHTLC(id InterceptID, channel wire.ChannelID, amount wire.MilliSatoshi) error {
	if channel == (wire.ChannelID{}) {
		return fmt.Errorf("%w: no channel given", ErrUnknownChannel)
	}
	err := m.releaseIntercepted(id, func(f forward) (*forward, error) {
		if amount == 0 || amount > f.inAmount {
			return nil, fmt.Errorf("channel: forwarding %v of an intercepted htlc of %v", amount, f.inAmount)
		}
		nf := f
		nf.state, nf.target, nf.outAmount = fwdPending, channel, amount
		return &nf, nil
	})
	if err != nil {
		return err
	}
	m.processForwards()
	m.flush()
	return nil
}

// FailInterceptedHTLC fails the intercepted HTLC id back
// (unknown_next_peer). ErrUnknownIntercept when no HTLC is held under id.
func (m *Manager) FailInterceptedHTLC(id InterceptID) error {
	now := m.unixMilliNow()
	err := m.releaseIntercepted(id, func(f forward) (*forward, error) {
		return f.failedWith(&onion.UnknownNextPeer{}, now)
	})
	if err != nil {
		return err
	}
	m.processForwards()
	m.flush()
	return nil
}

// releaseIntercepted writes next(f) for the held forward f of id, with
// processForwards kept out meanwhile (it may be failing f back at its
// expiry).
func (m *Manager) releaseIntercepted(id InterceptID, next func(forward) (*forward, error)) error {
	m.fwd.proc.Lock()
	defer m.fwd.proc.Unlock()
	f, ok := m.intercepted(id)
	if !ok {
		return fmt.Errorf("%w: %x", ErrUnknownIntercept, id[:])
	}
	nf, err := next(f)
	if err != nil {
		return err
	}
	return m.writeForward(nf)
}

// intercepted returns the held forward of id.
func (m *Manager) intercepted(id InterceptID) (forward, bool) {
	for _, ref := range m.fwd.refs() {
		if interceptID(ref) != id {
			continue
		}
		f, ok := m.fwd.get(ref)
		return f, ok && f.state == fwdIntercepted
	}
	return forward{}, false
}

// expireIntercepted fails held forward f back once its incoming HTLC is
// within HTLCFailBackBuffer blocks of its expiry, and forgets it when
// that HTLC is gone.
func (m *Manager) expireIntercepted(f *forward) {
	if m.upstreamReady(f) == upstreamGone {
		m.logIf(m.dropForward(f.in))
		return
	}
	if int64(f.inCLTV) > int64(m.bestHeight())+HTLCFailBackBuffer {
		return
	}
	m.cfg.Logger.Info("channel: intercepted htlc held too long: failing it back", "channel_id", f.in.channel, "htlc_id", f.in.id)
	nf, err := f.failedWith(&onion.TemporaryChannelFailure{}, m.unixMilliNow())
	if err == nil {
		err = m.writeForward(nf)
	}
	if err != nil {
		m.logIf(err)
		return
	}
	m.resolveUpstream(nf)
}

// addIntercepted adds the HTLC of forward f, released by the application,
// to the channel it chose (no policy check), or returns the failure.
func (m *Manager) addIntercepted(f *forward) onion.FailureMessage {
	msg := onion.FailureMessage(&onion.UnknownNextPeer{})
	m.withChannel(f.target, func(p *peerState, e *entry, d *chanData) {
		if !usable(p, e, d) {
			msg = &onion.TemporaryChannelFailure{}
			return
		}
		add := htlcAdd{id: d.log.nextID[commit.Local], amount: f.outAmount, paymentHash: f.hash, cltvExpiry: f.outCLTV, onion: f.next}
		if err := d.log.checkAdd(commit.Local, &add); err != nil {
			msg = &onion.TemporaryChannelFailure{}
			return
		}
		if err := m.addForwardHTLC(p, e, d, f, add); err != nil {
			msg = &onion.TemporaryChannelFailure{}
			return
		}
		msg = nil
	})
	return msg
}
