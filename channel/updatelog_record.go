package channel

import (
	"errors"
	"fmt"
	"math"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// updateLogFormat is the persisted form of an update log (type 0x55, "U"),
// to be embedded in the channel record. Its body is a TLV stream of
// fixed-layout values as in [ChannelFormat]; the channel's parameters are
// not in it (the channel record has them and passes them to the decoder).
//
// 1.1 added record 5, each HTLC's arrival time and attribution data;
// without it (1.0) every HTLC's are unknown (0, none).
var updateLogFormat = persist.RecordFormat{Type: 0x55, Major: 1, Minor: 1}

// TLV types of an update log record: the even ones required, the odd ones
// written only when not empty.
const (
	logRecHeader = 0 // balances, agreed rate, next ids, numbers, flags, epoch
	logRecHTLCs  = 2 // the HTLCs
	logRecFees   = 4 // the pending fee updates
	logRecTimes  = 5 // each HTLC's arrival time and outcome's attribution data (1.1)
)

// logExtraMinLen is the smallest encoded entry of record 5: an arrival
// time and an absent attribution data.
const logExtraMinLen = 8 + 1

// Bounds of a decoded log: every HTLC of both directions and its removal,
// and short strings.
const (
	maxLogHTLCs    = 2 * commit.MaxHTLCsPerDirection
	maxFailBackLen = 64
	// logHTLCMinLen is the smallest encoded HTLC.
	logHTLCMinLen = 8 + 8 + 32 + 4 + 1 + 1 + 4 + 1 + 2 + 1 + 32 + 2 + 2 + 32
	logFeeLen     = 4 + 1 + 1
)

// encodeUpdateLog returns the persisted form of l.
func encodeUpdateLog(l *updateLog) ([]byte, error) {
	var hdr, hs, fs fieldWriter
	hdr.be64(uint64(l.balance[commit.Local]))
	hdr.be64(uint64(l.balance[commit.Remote]))
	hdr.be32(uint32(l.feeRate))
	hdr.be64(l.nextID[commit.Local])
	hdr.be64(l.nextID[commit.Remote])
	hdr.be64(l.localNumber)
	hdr.be64(l.remoteNumber)
	hdr.flags(l.awaitingRevoke, l.owingRevoke)
	hdr.be32(l.epoch)

	hsLen := 4
	for i := range l.htlcs {
		h := &l.htlcs[i]
		hsLen += logHTLCFixedLen + len(h.failBack) + len(h.onion) + len(h.outcome.reason)
	}
	hs.buf = make([]byte, 0, hsLen)
	hs.be32(uint32(len(l.htlcs)))
	for i := range l.htlcs {
		h := &l.htlcs[i]
		hs.be64(h.id)
		hs.be64(uint64(h.amount))
		hs.fixed(h.paymentHash[:])
		hs.be32(h.cltvExpiry)
		hs.u8(byte(h.state))
		hs.flags(h.signed)
		hs.be32(h.epoch)
		if len(h.failBack) > maxFailBackLen {
			return nil, fmt.Errorf("channel: update log: fail-back rule of %d bytes", len(h.failBack))
		}
		hs.u8(byte(len(h.failBack)))
		hs.fixed([]byte(h.failBack))
		hs.script("onion", h.onion)
		hs.u8(byte(h.outcome.kind))
		hs.fixed(h.outcome.preimage[:])
		hs.script("failure reason", h.outcome.reason)
		hs.be16(h.outcome.failureCode)
		hs.fixed(h.outcome.onionHash[:])
	}
	fs.u8(byte(len(l.fees)))
	for _, f := range l.fees {
		fs.be32(uint32(f.rate))
		fs.u8(byte(f.state))
		fs.flags(f.signed)
	}
	xs := encodeLogExtras(l)
	for _, w := range []*fieldWriter{&hdr, &hs, &fs, &xs} {
		if w.err != nil {
			return nil, fmt.Errorf("channel: update log: %w", w.err)
		}
	}
	rs := wire.TLVRecords{
		{Type: logRecHeader, Value: hdr.buf}, {Type: logRecHTLCs, Value: hs.buf}, {Type: logRecFees, Value: fs.buf},
	}
	if xs.buf != nil {
		rs = append(rs, wire.TLVRecord{Type: logRecTimes, Value: xs.buf})
	}
	return updateLogFormat.Append(make([]byte, 0, recordLen(rs)), rs)
}

// encodeLogExtras is record 5 of l: for each HTLC in order its arrival
// time and its outcome's attribution data; empty (not written) when no
// HTLC has either.
func encodeLogExtras(l *updateLog) fieldWriter {
	var xs fieldWriter
	some, attrs := false, 0
	for i := range l.htlcs {
		h := &l.htlcs[i]
		some = some || h.receivedAt != 0 || h.outcome.attr != nil
		if h.outcome.attr != nil {
			attrs++
		}
	}
	if !some {
		return xs
	}
	xs.buf = make([]byte, 0, 4+len(l.htlcs)*logExtraMinLen+attrs*wire.AttributionDataSize)
	xs.be32(uint32(len(l.htlcs)))
	for i := range l.htlcs {
		h := &l.htlcs[i]
		xs.be64(h.receivedAt)
		xs.attribution(h.outcome.attr)
	}
	return xs
}

// logHTLCFixedLen is the encoded length of one HTLC of the update log
// without its variable fields (fail-back rule, onion, failure reason).
const logHTLCFixedLen = 8 + 8 + 32 + 4 + 1 + 1 + 4 + 1 + 2 + 1 + 32 + 2 + 2 + 32

// decodeUpdateLog reads what encodeUpdateLog wrote, for the channel of p.
// Every count is bounded before allocation, and the log is checked whole:
// states and outcomes agree, ids are unique and below the next ids, and
// balances and HTLCs add up to the capacity. A malformed log gives an
// error matching ErrCorruptRecord, a newer major version one matching
// persist.ErrNewerVersion. It never panics.
func decodeUpdateLog(b []byte, p updateLogParams) (*updateLog, error) {
	l := &updateLog{p: p}
	var seen [logRecFees/2 + 1]bool
	_, _, err := updateLogFormat.Decode(b, func(typ uint64, v []byte) (bool, error) {
		if typ == logRecTimes {
			r := &fieldReader{rest: v}
			readLogExtras(r, l)
			return true, r.done()
		}
		if typ > logRecFees || typ%2 != 0 {
			return false, nil
		}
		seen[typ/2] = true
		r := &fieldReader{rest: v}
		switch typ {
		case logRecHeader:
			readLogHeader(r, l)
		case logRecHTLCs:
			readLogHTLCs(r, l)
		case logRecFees:
			readLogFees(r, l)
		}
		return true, r.done()
	})
	if err != nil {
		if errors.Is(err, persist.ErrNewerVersion) {
			return nil, fmt.Errorf("channel: update log: %w", err)
		}
		return nil, fmt.Errorf("%w: update log: %w", ErrCorruptRecord, err)
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("%w: update log: record %d missing", ErrCorruptRecord, 2*i)
		}
	}
	if err := l.check(); err != nil {
		return nil, fmt.Errorf("%w: update log: %w", ErrCorruptRecord, err)
	}
	return l, nil
}

func readLogHeader(r *fieldReader, l *updateLog) {
	l.balance[commit.Local] = wire.MilliSatoshi(r.be64())
	l.balance[commit.Remote] = wire.MilliSatoshi(r.be64())
	l.feeRate = wire.FeeRate(r.be32())
	l.nextID[commit.Local] = r.be64()
	l.nextID[commit.Remote] = r.be64()
	l.localNumber = r.be64()
	l.remoteNumber = r.be64()
	r.flags(&l.awaitingRevoke, &l.owingRevoke)
	l.epoch = r.be32()
}

func readLogHTLCs(r *fieldReader, l *updateLog) {
	n := r.count(logHTLCMinLen)
	if n > maxLogHTLCs {
		r.fail(fmt.Errorf("%d htlcs", n))
		return
	}
	if n > 0 {
		l.htlcs = make([]htlcEntry, n)
	}
	for i := range l.htlcs {
		h := &l.htlcs[i]
		h.id = r.be64()
		h.amount = wire.MilliSatoshi(r.be64())
		r.fixed(h.paymentHash[:])
		h.cltvExpiry = r.be32()
		h.state = htlcState(r.u8())
		r.flags(&h.signed)
		h.epoch = r.be32()
		fb := int(r.u8())
		if fb > maxFailBackLen {
			r.fail(fmt.Errorf("fail-back rule of %d bytes", fb))
			return
		}
		h.failBack = Rule(r.next(fb))
		h.onion = r.script()
		if len(h.onion) == 0 {
			h.onion = nil
		}
		h.outcome.kind = htlcOutcomeKind(r.u8())
		r.fixed(h.outcome.preimage[:])
		h.outcome.reason = r.script()
		if len(h.outcome.reason) == 0 {
			h.outcome.reason = nil
		}
		h.outcome.failureCode = r.be16()
		r.fixed(h.outcome.onionHash[:])
		if r.err != nil {
			return
		}
	}
}

// readLogExtras reads record 5 (after the HTLCs: TLV types increase).
func readLogExtras(r *fieldReader, l *updateLog) {
	n := r.count(logExtraMinLen)
	if r.err == nil && n != len(l.htlcs) {
		r.fail(fmt.Errorf("arrival times of %d htlcs, %d in the log", n, len(l.htlcs)))
		return
	}
	for i := range l.htlcs {
		h := &l.htlcs[i]
		h.receivedAt = r.be64()
		h.outcome.attr = r.attribution()
		if r.err != nil {
			return
		}
	}
}

func readLogFees(r *fieldReader, l *updateLog) {
	n := int(r.u8())
	if n > maxFeeUpdates || n*logFeeLen > len(r.rest) {
		r.fail(fmt.Errorf("%d fee updates", n))
		return
	}
	for range n {
		f := htlcFeeUpdate{rate: wire.FeeRate(r.be32()), state: htlcState(r.u8())}
		r.flags(&f.signed)
		l.fees = append(l.fees, f)
	}
}

// check validates a log read from storage.
func (l *updateLog) check() error {
	if l.p.capacity == 0 || l.p.capacity > commit.MaxCapacity {
		return fmt.Errorf("capacity %d out of range", l.p.capacity)
	}
	if l.localNumber > commit.MaxCommitmentNumber || l.remoteNumber > commit.MaxCommitmentNumber {
		return errors.New("commitment number above 2^48-1")
	}
	capMsat := uint64(l.p.capacity) * 1000
	if uint64(l.balance[commit.Local]) > capMsat || uint64(l.balance[commit.Remote]) > capMsat {
		return errors.New("balance above the capacity")
	}
	total := uint64(l.balance[commit.Local]) + uint64(l.balance[commit.Remote])
	var perSide [2]int
	for i := range l.htlcs {
		h := &l.htlcs[i]
		if h.state == 0 || h.state >= htlcStateEnd {
			return fmt.Errorf("htlc %d: state %d", i, h.state)
		}
		if h.signed && h.state != htlcLocalAnnounced && h.state != htlcLocalRemoved {
			return fmt.Errorf("htlc %d: signed mark in state %s", i, h.state)
		}
		if h.state.removed() != (h.outcome.kind != 0) || h.outcome.kind > htlcFailedMalformed {
			return fmt.Errorf("htlc %d: outcome %d in state %s", i, h.outcome.kind, h.state)
		}
		if h.outcome.attr != nil && h.outcome.kind != htlcFulfilled && h.outcome.kind != htlcFailed {
			return fmt.Errorf("htlc %d: attribution data with outcome %d", i, h.outcome.kind)
		}
		s := h.offerer()
		if h.receivedAt != 0 && s == commit.Local {
			return fmt.Errorf("htlc %d: an arrival time on an htlc of ours", i)
		}
		if perSide[s]++; perSide[s] > commit.MaxHTLCsPerDirection {
			return fmt.Errorf("more than %d htlcs offered by %s", commit.MaxHTLCsPerDirection, s)
		}
		if h.id >= l.nextID[s] {
			return fmt.Errorf("htlc %d: id %d not below the next id %d", i, h.id, l.nextID[s])
		}
		for j := range i {
			if l.htlcs[j].id == h.id && l.htlcs[j].offerer() == s {
				return fmt.Errorf("htlc %d: id %d repeated", i, h.id)
			}
		}
		if uint64(h.amount) > math.MaxUint64-total {
			return errors.New("amounts overflow")
		}
		total += uint64(h.amount)
	}
	if total != capMsat {
		return fmt.Errorf("balances and htlcs add up to %d msat, capacity is %d msat", total, capMsat)
	}
	for _, f := range l.fees {
		switch f.state {
		case htlcLocalAnnounced:
		case htlcRemoteAnnounced, htlcAwaitingRemoteRevokeToAnnounce, htlcAwaitingAnnouncedRemoteRevoke:
			if f.signed {
				return errors.New("signed mark on a received fee update")
			}
		default:
			return fmt.Errorf("fee update in state %d", f.state)
		}
	}
	return nil
}
