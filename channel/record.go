package channel

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// ChannelFormat is the record format of a funded channel, stored under
// channels/<channel id hex> (type 0x43, "C"). Its body is a TLV stream of
// fixed-layout values (big-endian integers, length-prefixed byte
// strings). A field added later that an older reader may ignore takes an
// odd type (a minor version); a field it must not ignore, or a changed
// layout, takes a new major version, and this reader keeps reading 1.x.
//
// 1.1 replaced the first commitments (records 18 and 20, still read) by
// the commitment chain (32) and the update log (34), each with its own
// version byte.
var ChannelFormat = persist.RecordFormat{Type: 0x43, Major: 1, Minor: 1}

// TLV types of a channel record. All even: a reader must know them. The
// optional ones (funding transaction, next point, announcement signatures,
// closing transaction) are written only when set; the others always.
const (
	chanRecIDs          = 0  // id, temporary id, counterparty, user channel id, key id
	chanRecType         = 2  // channel_type: commitment format, variation flags
	chanRecParams       = 4  // commit.Params
	chanRecOpen         = 6  // announce flag, minimum depth, created height
	chanRecOurLimits    = 8  // sideLimits we set
	chanRecTheirLimits  = 10 // sideLimits the counterparty set
	chanRecUpfront      = 12 // upfront shutdown scripts, ours and theirs
	chanRecConfig       = 14 // ChannelConfig
	chanRecFundingTx    = 16 // the funding transaction (opener only)
	chanRecCommitments  = 18 // 1.0 only: holder state, its signature, counterparty state
	chanRecNextPoint    = 20 // 1.0 only: the counterparty's next per_commitment_point
	chanRecFunding      = 22 // the funding on chain, aliases, channel_ready and announcement flags
	chanRecAnnouncement = 24 // the counterparty's announcement_signatures
	chanRecUpdates      = 26 // latest monitor update id, pending updates
	chanRecShutdown     = 28 // shutdown scripts, initiator
	chanRecClosingTx    = 30 // the agreed closing transaction
	chanRecChain        = 32 // the commitment chain (encodeCommitmentChain)
	chanRecLog          = 34 // the update log (encodeUpdateLog)
	chanRecLast         = chanRecLog
)

// minUpdateLen is the smallest encoded pending update: its length prefix
// and a record header.
const minUpdateLen = 4 + persist.RecordHeaderLen

// encodeChanData returns the record (ChannelFormat) of a funded channel:
// everything in d except what is rebuilt on load (the validated channel
// parameters and the signer) and what is not known after a restart (which
// monitor updates completed, the failed flag).
func encodeChanData(d *chanData) ([]byte, error) {
	var v [chanRecLast/2 + 1]fieldWriter
	w := func(t uint64) *fieldWriter { return &v[t/2] }

	ids := w(chanRecIDs)
	ids.fixed(d.id[:])
	ids.fixed(d.tempID[:])
	ids.fixed(d.counterparty[:])
	ids.be64(d.userChannelID)
	ids.fixed(d.keyID[:])

	ct := w(chanRecType)
	ct.u8(byte(d.chanType.Commitment))
	ct.flags(d.chanType.ScidAlias, d.chanType.ZeroConf)

	writeParams(w(chanRecParams), &d.params)

	op := w(chanRecOpen)
	op.flags(d.announce)
	op.be32(d.minimumDepth)
	op.be32(uint32(d.createdHeight))

	writeLimits(w(chanRecOurLimits), &d.ours)
	writeLimits(w(chanRecTheirLimits), &d.theirs)

	up := w(chanRecUpfront)
	up.optScript("our upfront_shutdown_script", d.ourUpfrontScript)
	up.optScript("their upfront_shutdown_script", d.theirUpfrontScript)

	cfg := w(chanRecConfig)
	cfg.be32(d.config.ForwardingFeeBaseMsat)
	cfg.be32(d.config.ForwardingFeeProportionalMillionths)
	cfg.be16(d.config.CLTVExpiryDelta)
	cfg.be64(uint64(d.config.MaxDustHTLCExposure))
	cfg.be64(uint64(d.config.ForceCloseAvoidanceMaxFee))

	if d.fundingTx != nil {
		w(chanRecFundingTx).tx(d.fundingTx)
	}

	cc, err := encodeCommitmentChain(d.cc)
	if err != nil {
		return nil, fmt.Errorf("channel: encode channel record: %w", err)
	}
	w(chanRecChain).buf = cc
	lg, err := encodeUpdateLog(d.log)
	if err != nil {
		return nil, fmt.Errorf("channel: encode channel record: %w", err)
	}
	w(chanRecLog).buf = lg

	writeFunding(w(chanRecFunding), &d.fund)

	if a := d.fund.theirAnnouncement; a != nil {
		b, err := a.Encode(nil)
		if err != nil {
			return nil, fmt.Errorf("channel: encode channel record: announcement_signatures: %w", err)
		}
		w(chanRecAnnouncement).fixed(b)
	}

	upd := w(chanRecUpdates)
	upd.be64(d.mon.latest)
	upd.be32(uint32(len(d.mon.pending)))
	for _, u := range d.mon.pending {
		b, err := u.Encode()
		if err != nil {
			return nil, fmt.Errorf("channel: encode channel record: monitor update: %w", err)
		}
		upd.blob(b)
	}

	sh := w(chanRecShutdown)
	sh.flags(d.shut.initiator)
	sh.optScript("our shutdown script", d.shut.ourScript)
	sh.optScript("their shutdown script", d.shut.theirScript)

	if d.shut.closingTx != nil {
		w(chanRecClosingTx).tx(d.shut.closingTx)
	}

	rs := make(wire.TLVRecords, 0, len(v))
	for i := range v {
		typ := uint64(2 * i)
		if v[i].err != nil {
			return nil, fmt.Errorf("channel: encode channel record: record %d: %w", typ, v[i].err)
		}
		if v[i].buf != nil || isRequired(typ) {
			rs = append(rs, wire.TLVRecord{Type: typ, Value: v[i].buf})
		}
	}
	return ChannelFormat.Append(make([]byte, 0, recordLen(rs)), rs)
}

// recordLen bounds the length of a record (persist.RecordFormat) of rs:
// the header, then each record's type and length (BigSizes of at most 9
// bytes) and value. The record is encoded at every monitor update: one
// allocation of the right size instead of a doubling buffer.
func recordLen(rs wire.TLVRecords) int {
	n := persist.RecordHeaderLen
	for _, r := range rs {
		n += 9 + 9 + len(r.Value)
	}
	return n
}

// isRequired reports whether every channel record has record typ.
func isRequired(typ uint64) bool {
	switch typ {
	case chanRecFundingTx, chanRecCommitments, chanRecNextPoint, chanRecAnnouncement, chanRecClosingTx:
		return false
	}
	return typ <= chanRecLast && typ%2 == 0
}

func writeParams(w *fieldWriter, p *commit.Params) {
	w.u8(byte(p.Type))
	w.fixed(p.FundingOutpoint.Hash[:])
	w.be32(p.FundingOutpoint.Index)
	w.be64(uint64(p.Capacity))
	w.u8(byte(p.Opener))
	for _, side := range []*commit.Party{&p.Local, &p.Remote} {
		w.key("funding_pubkey", side.Funding)
		w.key("revocation_basepoint", side.Revocation)
		w.key("payment_basepoint", side.Payment)
		w.key("delayed_payment_basepoint", side.DelayedPayment)
		w.key("htlc_basepoint", side.HTLC)
		w.be64(uint64(side.DustLimit))
		w.be16(side.CSVDelay)
	}
}

func readParams(r *fieldReader) commit.Params {
	p := commit.Params{Type: commit.ChannelType(r.u8())}
	r.fixed(p.FundingOutpoint.Hash[:])
	p.FundingOutpoint.Index = r.be32()
	p.Capacity = wire.Satoshi(r.be64())
	p.Opener = commit.Side(r.u8())
	for _, side := range []*commit.Party{&p.Local, &p.Remote} {
		side.Funding = r.key()
		side.Revocation = r.key()
		side.Payment = r.key()
		side.DelayedPayment = r.key()
		side.HTLC = r.key()
		side.DustLimit = wire.Satoshi(r.be64())
		side.CSVDelay = r.be16()
	}
	return p
}

func writeLimits(w *fieldWriter, l *sideLimits) {
	w.be64(uint64(l.dustLimit))
	w.be64(uint64(l.reserve))
	w.be64(uint64(l.htlcMinimum))
	w.be64(uint64(l.maxInFlight))
	w.be16(l.maxAcceptedHTLCs)
	w.be16(l.toSelfDelay)
}

func readLimits(r *fieldReader) sideLimits {
	return sideLimits{
		dustLimit:        wire.Satoshi(r.be64()),
		reserve:          wire.Satoshi(r.be64()),
		htlcMinimum:      wire.MilliSatoshi(r.be64()),
		maxInFlight:      wire.MilliSatoshi(r.be64()),
		maxAcceptedHTLCs: r.be16(),
		toSelfDelay:      r.be16(),
	}
}

func writeFunding(w *fieldWriter, f *funding) {
	w.be32(uint32(f.confirmedHeight))
	w.be32(f.confirmedIndex)
	w.fixed(f.confirmedHash[:])
	w.be64(f.scid.ToUint64())
	w.be64(f.ourAlias.ToUint64())
	w.be64(f.theirAlias.ToUint64())
	w.flags(f.readySent, f.readyReceived, f.announcementSent)
}

func readFunding(r *fieldReader, f *funding) {
	f.confirmedHeight = int32(r.be32())
	f.confirmedIndex = r.be32()
	r.fixed(f.confirmedHash[:])
	f.scid = wire.NewShortChannelID(r.be64())
	f.ourAlias = wire.NewShortChannelID(r.be64())
	f.theirAlias = wire.NewShortChannelID(r.be64())
	r.flags(&f.readySent, &f.readyReceived, &f.announcementSent)
}

// decodeChanData reads a record written by encodeChanData. The channel
// parameters are validated again (commit.New), the signer comes from
// signers, the commitment chain and update log are checked against both;
// no monitor update is known completed. A 1.0 record (no HTLC ever
// existed: both first commitments, the same) gets its chain and log
// rebuilt from them. A malformed record gives an error matching
// ErrCorruptRecord (and persist.ErrCorrupt when the TLV stream
// itself is bad); a record of a newer major version one matching
// persist.ErrNewerVersion. It never panics.
func decodeChanData(b []byte, signers SignerProvider) (*chanData, error) {
	d := &chanData{core: &core{}}
	var x chanRecNormal
	var seen [chanRecLast/2 + 1]bool
	_, _, err := ChannelFormat.Decode(b, func(typ uint64, v []byte) (bool, error) {
		if typ > chanRecLast || typ%2 != 0 {
			return false, nil
		}
		seen[typ/2] = true
		r := &fieldReader{rest: v}
		switch typ {
		case chanRecChain:
			x.chain = r.next(len(r.rest))
		case chanRecLog:
			x.log = r.next(len(r.rest))
		case chanRecCommitments:
			x.legacy = true
			x.holder = r.state()
			r.fixed(x.holderSig[:])
			x.theirs = r.state()
		case chanRecNextPoint:
			x.nextPoint = r.key()
		default:
			decodeChanRecord(d, typ, r)
		}
		return true, r.done()
	})
	if err != nil {
		if errors.Is(err, persist.ErrNewerVersion) {
			return nil, fmt.Errorf("channel: channel record: %w", err)
		}
		return nil, fmt.Errorf("%w: %w", ErrCorruptRecord, err)
	}
	legacy := x.legacy && !seen[chanRecChain/2] && !seen[chanRecLog/2]
	for t := uint64(0); t <= chanRecLast; t += 2 {
		if isRequired(t) && !seen[t/2] && !(legacy && (t == chanRecChain || t == chanRecLog)) {
			return nil, fmt.Errorf("%w: record %d missing", ErrCorruptRecord, t)
		}
	}
	if err := checkChanData(d); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptRecord, err)
	}
	d.signer = signers.ChannelSigner(d.keyID)
	if d.signer == nil {
		return nil, fmt.Errorf("%w: no signer for the channel's key id", ErrCorruptRecord)
	}
	if err := x.restore(d, legacy); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorruptRecord, err)
	}
	return d, nil
}

// chanRecNormal is what a record holds of normal operation while it is
// decoded: the chain and log (1.1), or the first commitments (1.0).
type chanRecNormal struct {
	chain, log     []byte
	legacy         bool
	holder, theirs commit.State
	holderSig      wire.Signature
	nextPoint      *btcec.PublicKey
}

// restore sets d's commitment chain and update log (d's parameters and
// signer set).
func (x *chanRecNormal) restore(d *chanData, legacy bool) error {
	var err error
	if legacy {
		// 1.0 never moved past the first commitments: both the same, no
		// HTLC. Anything else would rebuild a log that is not theirs.
		h, t := &x.holder, &x.theirs
		if len(h.HTLCs) > 0 || len(t.HTLCs) > 0 || h.LocalBalance != t.LocalBalance ||
			h.RemoteBalance != t.RemoteBalance || h.FeeRate != t.FeeRate {
			return errors.New("1.0 first commitments with htlcs or that differ")
		}
		d.cc, err = newCommitmentChain(d.chainConfig(), x.holder, commit.Signatures{Commitment: x.holderSig}, x.theirs, x.nextPoint)
		if err != nil {
			return err
		}
		d.log = newUpdateLog(d.logParams(), x.holder.LocalBalance, x.holder.RemoteBalance, x.holder.FeeRate, 0, 0)
		return nil
	}
	if d.cc, err = decodeCommitmentChain(x.chain, d.chainConfig()); err != nil {
		return err
	}
	if d.log, err = decodeUpdateLog(x.log, d.logParams()); err != nil {
		return err
	}
	return checkNormal(d)
}

// decodeChanRecord reads TLV record typ of a channel record into d.
func decodeChanRecord(d *chanData, typ uint64, r *fieldReader) {
	switch typ {
	case chanRecIDs:
		r.fixed(d.id[:])
		r.fixed(d.tempID[:])
		r.fixed(d.counterparty[:])
		d.userChannelID = r.be64()
		r.fixed(d.keyID[:])
	case chanRecType:
		d.chanType.Commitment = commit.ChannelType(r.u8())
		r.flags(&d.chanType.ScidAlias, &d.chanType.ZeroConf)
	case chanRecParams:
		d.params = readParams(r)
	case chanRecOpen:
		r.flags(&d.announce)
		d.minimumDepth = r.be32()
		d.createdHeight = int32(r.be32())
	case chanRecOurLimits:
		d.ours = readLimits(r)
	case chanRecTheirLimits:
		d.theirs = readLimits(r)
	case chanRecUpfront:
		d.ourUpfrontScript = r.optScript()
		d.theirUpfrontScript = r.optScript()
	case chanRecConfig:
		d.config.ForwardingFeeBaseMsat = r.be32()
		d.config.ForwardingFeeProportionalMillionths = r.be32()
		d.config.CLTVExpiryDelta = r.be16()
		d.config.MaxDustHTLCExposure = wire.MilliSatoshi(r.be64())
		d.config.ForceCloseAvoidanceMaxFee = wire.Satoshi(r.be64())
	case chanRecFundingTx:
		d.fundingTx = r.tx()
	case chanRecFunding:
		readFunding(r, &d.fund)
	case chanRecAnnouncement:
		a := new(wire.AnnouncementSignatures)
		if err := a.Decode(r.next(len(r.rest))); err != nil {
			r.fail(fmt.Errorf("announcement_signatures: %w", err))
			return
		}
		d.fund.theirAnnouncement = a
	case chanRecUpdates:
		readUpdates(r, &d.mon)
	case chanRecShutdown:
		r.flags(&d.shut.initiator)
		d.shut.ourScript = r.optScript()
		d.shut.theirScript = r.optScript()
	case chanRecClosingTx:
		d.shut.closingTx = r.tx()
	}
}

func readUpdates(r *fieldReader, u *updates) {
	u.latest = r.be64()
	n := r.count(minUpdateLen)
	for i := 0; i < n && r.err == nil; i++ {
		raw := r.blob()
		if r.err != nil {
			return
		}
		up, err := monitor.DecodeUpdate(raw)
		if err != nil {
			r.fail(fmt.Errorf("pending update %d: %w", i, err))
			return
		}
		u.pending = append(u.pending, up)
	}
}

// checkChanData checks a decoded channel as the Manager built it: valid
// parameters of the negotiated type, ids derived from the funding, states
// that fit the capacity, pending updates in order, transactions of this
// channel. It sets the rebuilt commit.Channel.
func checkChanData(d *chanData) error {
	ch, err := commit.New(d.params)
	if err != nil {
		return err
	}
	d.ch = ch
	if d.chanType.Commitment != d.params.Type {
		return fmt.Errorf("channel_type %s with commitment format %s", d.chanType, d.params.Type)
	}
	if d.id != wire.NewChannelID(d.params.FundingOutpoint) {
		return errors.New("channel id is not the funding outpoint's")
	}
	if _, err := btcec.ParsePubKey(d.counterparty[:]); err != nil {
		return fmt.Errorf("counterparty node id: %w", err)
	}
	prev := uint64(0)
	for i, u := range d.mon.pending {
		if u.ID <= prev && i > 0 || u.ID > d.mon.latest {
			return fmt.Errorf("pending update %d has id %d (latest %d)", i, u.ID, d.mon.latest)
		}
		prev = u.ID
	}
	if d.fundingTx != nil && d.fundingTx.TxHash() != d.params.FundingOutpoint.Hash {
		return errors.New("funding transaction is not the funding outpoint's")
	}
	if a := d.fund.theirAnnouncement; a != nil && a.ChannelID != d.id {
		return errors.New("announcement_signatures of another channel")
	}
	if tx := d.shut.closingTx; tx != nil && !spendsFunding(tx, d) {
		return errors.New("closing transaction does not spend the funding output")
	}
	return nil
}

// spendsFunding reports whether tx spends the channel's funding output.
func spendsFunding(tx *btcwire.MsgTx, d *chanData) bool {
	for _, in := range tx.TxIn {
		if in.PreviousOutPoint == d.params.FundingOutpoint {
			return true
		}
	}
	return false
}
