package commit

import (
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// ChannelType is the commitment format negotiated for a channel.
type ChannelType uint8

const (
	// StaticRemoteKey is option_static_remotekey: to_remote pays a P2WPKH
	// of the peer's payment_basepoint and HTLC transactions carry their own
	// fee.
	StaticRemoteKey ChannelType = iota + 1
	// AnchorsZeroFeeHTLC is option_anchors_zero_fee_htlc_tx: two 330-sat
	// anchor outputs, a to_remote delayed by one block, HTLC outputs with a
	// one-block CSV, and zero-fee HTLC transactions signed by the peer with
	// SIGHASH_SINGLE|SIGHASH_ANYONECANPAY.
	AnchorsZeroFeeHTLC
)

// HasAnchors reports whether the format has anchor outputs.
func (t ChannelType) HasAnchors() bool { return t == AnchorsZeroFeeHTLC }

func (t ChannelType) valid() bool { return t == StaticRemoteKey || t == AnchorsZeroFeeHTLC }

// String names the format as the BOLTs do.
func (t ChannelType) String() string {
	switch t {
	case StaticRemoteKey:
		return "option_static_remotekey"
	case AnchorsZeroFeeHTLC:
		return "option_anchors_zero_fee_htlc_tx"
	default:
		return fmt.Sprintf("channel_type(%d)", uint8(t))
	}
}

// Side names one party of a channel from this node's point of view.
type Side uint8

const (
	// Local is this node.
	Local Side = iota
	// Remote is the peer.
	Remote
)

// Other returns the opposite side.
func (s Side) Other() Side { return s ^ 1 }

// String returns "local" or "remote".
func (s Side) String() string {
	if s == Local {
		return "local"
	}
	return "remote"
}

// Basepoints are the public keys a party announces in open_channel or
// accept_channel.
type Basepoints struct {
	// Funding is funding_pubkey.
	Funding *btcec.PublicKey
	// Revocation is revocation_basepoint.
	Revocation *btcec.PublicKey
	// Payment is payment_basepoint; with static remote keys it is also the
	// key the peer's commitments pay this party to.
	Payment *btcec.PublicKey
	// DelayedPayment is delayed_payment_basepoint.
	DelayedPayment *btcec.PublicKey
	// HTLC is htlc_basepoint.
	HTLC *btcec.PublicKey
}

// Party is what a channel fixes about one of its two parties.
type Party struct {
	Basepoints
	// DustLimit is the dust_limit_satoshis this party announced. It trims
	// the outputs of this party's own commitment transactions.
	DustLimit wire.Satoshi
	// CSVDelay is how many blocks this party waits to claim its own funds
	// from its own commitment (to_local and second-stage HTLC outputs). It
	// is the to_self_delay the OTHER party sent in open_channel or
	// accept_channel.
	CSVDelay uint16
}

// Params describe a channel: everything its commitment transactions share.
type Params struct {
	// Type is the commitment format.
	Type ChannelType
	// FundingOutpoint is the funding transaction output.
	FundingOutpoint btcwire.OutPoint
	// Capacity is the funding output's amount.
	Capacity wire.Satoshi
	// Opener is the side that sent open_channel; it pays the commitment
	// fees and the anchors.
	Opener Side
	// Local and Remote are this node and the peer.
	Local, Remote Party
}

// MinDustLimit is the smallest dust_limit_satoshis BOLT 2 lets a node
// accept: the dust threshold of unknown segwit versions.
const MinDustLimit wire.Satoshi = 354

// MaxCapacity bounds Params.Capacity: 21 million bitcoin.
const MaxCapacity wire.Satoshi = 21_000_000 * 100_000_000

// Channel is a validated, immutable set of channel parameters with what its
// commitments share precomputed (the revocation basepoints' tables, about
// 8 KB each, on first use). It is safe for concurrent use.
type Channel struct {
	p Params

	fundingScript   []byte
	fundingPkScript []byte
	// localFundingFirst is true when the local funding key sorts first in
	// the 2-of-2, so its signature comes first in the witness.
	localFundingFirst bool
	obscurer          uint64
	// funding keys serialized, for the anchor scripts.
	localFunding33, remoteFunding33 [33]byte
	// revocation are the tables of the local and remote
	// revocation_basepoint (indexed by Side), made on first use.
	revocation [2]revocationTable
}

// revocationTable is a revocation_basepoint's table, made once.
type revocationTable struct {
	once sync.Once
	base *keys.FixedBase
}

// revocationBase returns the table of side s's revocation_basepoint: the
// one the revocation keys of the other side's commitments derive from.
func (c *Channel) revocationBase(s Side) *keys.FixedBase {
	t := &c.revocation[s]
	t.once.Do(func() { t.base = keys.NewFixedBase(c.party(s).Revocation) })
	return t.base
}

// New validates p and returns the channel it describes.
func New(p Params) (*Channel, error) {
	if !p.Type.valid() {
		return nil, fmt.Errorf("%w: unknown channel type %d", ErrInvalidParams, p.Type)
	}
	if p.Capacity == 0 || p.Capacity > MaxCapacity {
		return nil, fmt.Errorf("%w: capacity %d out of range", ErrInvalidParams, p.Capacity)
	}
	if p.Opener != Local && p.Opener != Remote {
		return nil, fmt.Errorf("%w: opener %d is neither local nor remote", ErrInvalidParams, p.Opener)
	}
	for _, party := range []struct {
		name string
		b    Basepoints
	}{{"local", p.Local.Basepoints}, {"remote", p.Remote.Basepoints}} {
		if party.b.Funding == nil || party.b.Revocation == nil || party.b.Payment == nil ||
			party.b.DelayedPayment == nil || party.b.HTLC == nil {
			return nil, fmt.Errorf("%w: %s basepoint missing", ErrInvalidParams, party.name)
		}
	}
	if p.Local.DustLimit < MinDustLimit || p.Remote.DustLimit < MinDustLimit {
		return nil, fmt.Errorf("%w: dust limit below %d", ErrInvalidParams, MinDustLimit)
	}
	if p.Local.DustLimit > p.Capacity || p.Remote.DustLimit > p.Capacity {
		return nil, fmt.Errorf("%w: dust limit above the capacity", ErrInvalidParams)
	}
	c := &Channel{p: p}
	c.localFunding33 = serialize33(p.Local.Funding)
	c.remoteFunding33 = serialize33(p.Remote.Funding)
	if c.localFunding33 == c.remoteFunding33 {
		return nil, fmt.Errorf("%w: both parties use the same funding key", ErrInvalidParams)
	}
	c.fundingScript, c.localFundingFirst = fundingScript(&c.localFunding33, &c.remoteFunding33)
	c.fundingPkScript = P2WSH(c.fundingScript)

	opener, accepter := p.Local.Payment, p.Remote.Payment
	if p.Opener == Remote {
		opener, accepter = accepter, opener
	}
	c.obscurer = ObscuringFactor(opener, accepter)
	return c, nil
}

// Params returns the parameters the channel was created with.
func (c *Channel) Params() Params { return c.p }

// Type returns the commitment format.
func (c *Channel) Type() ChannelType { return c.p.Type }

// FundingScript returns the 2-of-2 witness script of the funding output.
// The slice is shared; do not modify it.
func (c *Channel) FundingScript() []byte { return c.fundingScript }

// FundingPkScript returns the P2WSH script of the funding output.
// The slice is shared; do not modify it.
func (c *Channel) FundingPkScript() []byte { return c.fundingPkScript }

// FundingTxOut returns the funding output, for sighash and script engine
// use.
func (c *Channel) FundingTxOut() *btcwire.TxOut {
	return btcwire.NewTxOut(int64(c.p.Capacity), c.fundingPkScript)
}

// party returns the parameters of side s.
func (c *Channel) party(s Side) *Party {
	if s == Local {
		return &c.p.Local
	}
	return &c.p.Remote
}

// ObscuringFactor returns the lower 48 bits of SHA256(opener's
// payment_basepoint || accepter's payment_basepoint), which BOLT 3 XORs into
// the commitment number.
func ObscuringFactor(openerPayment, accepterPayment *btcec.PublicKey) uint64 {
	var buf [66]byte
	copy(buf[:33], openerPayment.SerializeCompressed())
	copy(buf[33:], accepterPayment.SerializeCompressed())
	h := sha256.Sum256(buf[:])
	var v uint64
	for _, b := range h[26:] {
		v = v<<8 | uint64(b)
	}
	return v
}

// ObscuredCommitmentNumber returns the commitment number XORed with the
// channel's obscuring factor.
func (c *Channel) ObscuredCommitmentNumber(number uint64) uint64 {
	return (number ^ c.obscurer) & MaxCommitmentNumber
}

// CommitmentNumber recovers the commitment number from a commitment
// transaction's locktime and input sequence, for finding which commitment
// was broadcast. ok is false when the upper bytes are not 0x20 and 0x80.
func (c *Channel) CommitmentNumber(lockTime, sequence uint32) (number uint64, ok bool) {
	if lockTime>>24 != 0x20 || sequence>>24 != 0x80 {
		return 0, false
	}
	obscured := uint64(sequence&0xFFFFFF)<<24 | uint64(lockTime&0xFFFFFF)
	return obscured ^ c.obscurer, true
}

func serialize33(k *btcec.PublicKey) [33]byte {
	var out [33]byte
	copy(out[:], k.SerializeCompressed())
	return out
}
