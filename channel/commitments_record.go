package channel

import (
	"fmt"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/wire"
)

// commitmentChainVersion is the first byte of an encoded commitment chain.
// A changed layout takes a new version; decodeCommitmentChain refuses
// versions it does not know.
const commitmentChainVersion = 1

// maxCommitmentHTLCSigs bounds the HTLC signatures of a commitment: one per
// HTLC, 483 in each direction.
const maxCommitmentHTLCSigs = 2 * commit.MaxHTLCsPerDirection

// encodeCommitmentChain returns the persisted form of c, to embed in the
// channel record: the version byte, then our commitment and its
// signatures, the counterparty's commitment, a flag byte (pending,
// next point known, revoke_and_ack last), the pending commitment and next
// point when present, and the counterparty's secrets
// (keys.SecretStore.MarshalBinary). The configuration is not in it.
func encodeCommitmentChain(c *commitmentChain) ([]byte, error) {
	secrets, err := c.secrets.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("channel: encode commitment chain: %w", err)
	}
	n := 1 + recordStateLen(&c.holder) + 64 + 2 + 64*len(c.holderSigs.HTLCs) + recordStateLen(&c.theirs) + 1 + 33 + 4 + len(secrets)
	if c.theirPending != nil {
		n += recordStateLen(c.theirPending)
	}
	w := fieldWriter{buf: make([]byte, 0, n)}
	w.u8(commitmentChainVersion)
	w.state("holder", &c.holder)
	w.fixed(c.holderSigs.Commitment[:])
	if len(c.holderSigs.HTLCs) > maxCommitmentHTLCSigs {
		return nil, commitmentChainErr("%d htlc signatures", len(c.holderSigs.HTLCs))
	}
	w.be16(uint16(len(c.holderSigs.HTLCs)))
	for _, sig := range c.holderSigs.HTLCs {
		w.fixed(sig[:])
	}
	w.state("counterparty", &c.theirs)
	w.flags(c.theirPending != nil, c.theirNextPoint != nil, c.revokeAndAckLast)
	if c.theirPending != nil {
		w.state("pending", c.theirPending)
	}
	if c.theirNextPoint != nil {
		w.key("next point", c.theirNextPoint)
	}
	w.blob(secrets)
	if w.err != nil {
		return nil, commitmentChainErr("encode: %v", w.err)
	}
	return w.buf, nil
}

// recordStateLen is the encoded length of st (fieldWriter.state).
func recordStateLen(st *commit.State) int {
	return 8 + 33 + 8 + 8 + 4 + 2 + len(st.HTLCs)*recordHTLCLen
}

// decodeCommitmentChain reads what encodeCommitmentChain wrote and attaches
// cfg. Beyond the layout it checks that the chain is one a channel can be
// in: our point is the signer's, the numbers follow one another, the
// secrets are those of every revoked counterparty commitment, every
// commitment builds and the HTLC signatures match our commitment's HTLC
// outputs (the signatures themselves were verified when received). Every
// failure matches ErrCorruptRecord, never a panic.
func decodeCommitmentChain(b []byte, cfg commitmentChainConfig) (*commitmentChain, error) {
	c, err := readCommitmentChain(b, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: commitment chain: %w", ErrCorruptRecord, err)
	}
	return c, nil
}

func readCommitmentChain(b []byte, cfg commitmentChainConfig) (*commitmentChain, error) {
	if cfg.ch == nil || cfg.signer == nil {
		return nil, commitmentChainErr("no channel or signer")
	}
	if len(b) == 0 {
		return nil, errTruncated
	}
	if b[0] != commitmentChainVersion {
		return nil, fmt.Errorf("unknown version %d", b[0])
	}
	r := fieldReader{rest: b[1:]}
	c := &commitmentChain{cfg: cfg}
	c.holder = r.state()
	r.fixed(c.holderSigs.Commitment[:])
	n := int(r.be16())
	if n > maxCommitmentHTLCSigs || n*len(wire.Signature{}) > len(r.rest) {
		return nil, fmt.Errorf("%d htlc signatures, %d bytes left", n, len(r.rest))
	}
	if n > 0 {
		c.holderSigs.HTLCs = make([]wire.Signature, n)
	}
	for i := range c.holderSigs.HTLCs {
		r.fixed(c.holderSigs.HTLCs[i][:])
	}
	c.theirs = r.state()
	var pending, havePoint bool
	r.flags(&pending, &havePoint, &c.revokeAndAckLast)
	if pending {
		st := r.state()
		c.theirPending = &st
	}
	if havePoint {
		c.theirNextPoint = r.key()
	}
	secrets := r.blob()
	if err := r.done(); err != nil {
		return nil, err
	}
	if err := c.secrets.UnmarshalBinary(secrets); err != nil {
		return nil, err
	}
	if err := c.checkDecoded(pending, havePoint); err != nil {
		return nil, err
	}
	return c, nil
}

// checkDecoded checks a decoded chain's consistency.
func (c *commitmentChain) checkDecoded(pending, havePoint bool) error {
	if pending && havePoint {
		return fmt.Errorf("both a pending commitment and a next point")
	}
	if _, err := c.ownState(&c.holder, c.holder.Number); err != nil {
		return err
	}
	r := c.theirs.Number
	if r > commit.MaxCommitmentNumber-1 {
		return fmt.Errorf("counterparty commitment %d above 2^48-2", r)
	}
	if c.theirPending != nil && c.theirPending.Number != r+1 {
		return fmt.Errorf("pending commitment %d after %d", c.theirPending.Number, r)
	}
	if c.secrets.Len() != r {
		return fmt.Errorf("%d secrets for counterparty commitment %d", c.secrets.Len(), r)
	}
	cm, err := c.cfg.ch.Build(commit.Local, &c.holder)
	if err != nil {
		return fmt.Errorf("holder commitment: %w", err)
	}
	if len(c.holderSigs.HTLCs) != len(cm.HTLCOutputs) {
		return fmt.Errorf("%d htlc signatures for %d htlc outputs", len(c.holderSigs.HTLCs), len(cm.HTLCOutputs))
	}
	for _, st := range []*commit.State{&c.theirs, c.theirPending} {
		if st == nil {
			continue
		}
		if _, err := c.cfg.ch.Build(commit.Remote, st); err != nil {
			return fmt.Errorf("counterparty commitment %d: %w", st.Number, err)
		}
	}
	return nil
}
