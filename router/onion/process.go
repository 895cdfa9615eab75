package onion

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
	"golang.org/x/crypto/chacha20"
)

// ProcessorConfig configures a Processor. Only ECDH is required.
type ProcessorConfig struct {
	// ECDH does the node key's ECDH. Required.
	ECDH ECDH
	// ReplayLog is checked with the shared secret of every packet whose
	// HMAC verifies. Default (nil): a new MemoryReplayLog of
	// DefaultReplayLogMaxEntries entries, which does not survive a
	// restart; a node should give a PersistentReplayLog.
	ReplayLog ReplayLog
	// KnownCustomTypes are the even custom record types (MinCustomType
	// and above) the application understands. A hop payload carrying an
	// even custom record not listed here is failed with
	// invalid_onion_payload, as BOLT 1 and 4 require; odd custom records
	// are always accepted and handed over in HopPayload.Custom. Listing
	// an odd type is allowed and changes nothing. The keysend record is
	// decoded by HopPayload and always known. Default (nil): none.
	KnownCustomTypes []uint64
}

// Processor peels the layer of incoming onion packets addressed to one node
// (BOLT 4 "Onion Decryption"). It is safe for concurrent use when its ECDH
// and ReplayLog are.
type Processor struct {
	ecdh   ECDH
	replay ReplayLog
	known  map[uint64]struct{}
}

// NewProcessor returns a Processor for cfg. An invalid field is reported
// as a *ConfigError matching ErrInvalidConfig.
func NewProcessor(cfg ProcessorConfig) (*Processor, error) {
	if cfg.ECDH == nil {
		return nil, configError("ECDH", "required")
	}
	known := make(map[uint64]struct{}, len(cfg.KnownCustomTypes))
	for _, t := range cfg.KnownCustomTypes {
		if t < MinCustomType {
			return nil, configError("KnownCustomTypes", fmt.Sprintf("type %d is below MinCustomType (%d)", t, MinCustomType))
		}
		known[t] = struct{}{}
	}
	if cfg.ReplayLog == nil {
		log, err := NewMemoryReplayLog(MemoryReplayLogConfig{})
		if err != nil {
			return nil, err
		}
		cfg.ReplayLog = log
	}
	return &Processor{ecdh: cfg.ECDH, replay: cfg.ReplayLog, known: known}, nil
}

// ProcessedPacket is the result of peeling one layer.
type ProcessedPacket struct {
	// Payload is the decoded and validated hop payload.
	Payload HopPayload
	// RawPayload is the payload's TLV bytes; Payload's slices alias it.
	RawPayload []byte
	// SharedSecret is the secret shared with the origin. The node keeps it
	// to encrypt a failure of this HTLC (NewFailure, ForwardFailure).
	SharedSecret SharedSecret
	// Final is true when this node is the final hop (the next HMAC is all
	// zero); Next is then unset.
	Final bool
	// Next is the packet to forward to the next hop.
	Next Packet
}

// Process peels the layer of pkt meant for this node. assocData is the
// associated data the origin used: the HTLC's payment hash. cltvExpiry is
// the HTLC's cltv_expiry: the replay log keeps the packet's secret until
// the chain reaches it. cltvExpiry comes from the peer: the caller must
// first refuse an HTLC whose cltv_expiry is too far above the current
// height (BOLT 4's expiry_too_far), or one peer could fill the replay log
// with entries that Prune never reaches. Every failure is a *ProcessError
// naming the failure code to send back.
func (p *Processor) Process(pkt *Packet, assocData []byte, cltvExpiry uint32) (*ProcessedPacket, error) {
	return p.process(pkt, assocData, cltvExpiry, nil)
}

// ProcessBlinded is Process for an HTLC that carried a path_key in
// update_add_htlc (a hop inside a blinded route after the introduction
// node): the node key is tweaked by HMAC256("blinded_node_id",
// ECDH(path_key)) before the ECDH. Every failure carries the
// invalid_onion_blinding code, as BOLT 4 requires of such hops.
func (p *Processor) ProcessBlinded(pkt *Packet, assocData []byte, cltvExpiry uint32, pathKey *btcec.PublicKey) (*ProcessedPacket, error) {
	if pkt == nil {
		return nil, &ProcessError{Code: CodeInvalidOnionBlinding, Err: fmt.Errorf("nil packet: %w", ErrInvalidVersion)}
	}
	if pathKey == nil {
		return nil, &ProcessError{Code: CodeInvalidOnionBlinding, OnionHash: pkt.Hash(), Err: fmt.Errorf("nil path key: %w", ErrInvalidKey)}
	}
	out, err := p.process(pkt, assocData, cltvExpiry, pathKey)
	if err != nil {
		var pe *ProcessError
		if errors.As(err, &pe) {
			pe.Code = CodeInvalidOnionBlinding
			pe.OnionHash = pkt.Hash()
		}
		return nil, err
	}
	return out, nil
}

// badOnion returns a BADONION ProcessError for pkt.
func badOnion(pkt *Packet, code FailureCode, err error) *ProcessError {
	return &ProcessError{Code: code, OnionHash: pkt.Hash(), Err: err}
}

// payloadFailure returns the invalid_onion_payload ProcessError of a
// payload error.
func payloadFailure(err error) *ProcessError {
	pe := &ProcessError{Code: CodeInvalidOnionPayload, Err: err}
	var de *PayloadError
	if errors.As(err, &de) {
		pe.PayloadType = de.Type
		if de.Offset >= 0 && de.Offset <= 0xffff {
			pe.PayloadOffset = uint16(de.Offset)
		}
	}
	return pe
}

func (p *Processor) process(pkt *Packet, assocData []byte, cltvExpiry uint32, pathKey *btcec.PublicKey) (*ProcessedPacket, error) {
	if pkt == nil {
		return nil, &ProcessError{Code: CodeInvalidOnionVersion, Err: fmt.Errorf("nil packet: %w", ErrInvalidVersion)}
	}
	if pkt.Version != Version {
		return nil, badOnion(pkt, CodeInvalidOnionVersion, fmt.Errorf("version %d: %w", pkt.Version, ErrInvalidVersion))
	}
	var eph secp.Affine
	if !eph.Decompress((*[33]byte)(&pkt.EphemeralKey)) {
		return nil, badOnion(pkt, CodeInvalidOnionKey, ErrInvalidKey)
	}

	// The key the ECDH runs on: the ephemeral key, tweaked inside a
	// blinded route.
	ecdhKey := eph.PubKey()
	if pathKey != nil {
		bss, err := p.ecdh.ECDH(pathKey)
		if err != nil {
			return nil, &ProcessError{Code: CodeTemporaryNodeFailure, Err: fmt.Errorf("%w: path key: %w", ErrECDH, err)}
		}
		tweak := generateKey(keyBlinded, &bss)
		var t btcec.ModNScalar
		t.SetBytes(&tweak)
		var tweaked secp.Point
		secp.ScalarMult(&t, &eph, &tweaked)
		if tweaked.IsInfinity() {
			return nil, badOnion(pkt, CodeInvalidOnionKey, ErrInvalidKey)
		}
		ta := tweaked.Affine()
		ecdhKey = ta.PubKey()
	}
	raw, err := p.ecdh.ECDH(ecdhKey)
	if err != nil {
		return nil, &ProcessError{Code: CodeTemporaryNodeFailure, Err: fmt.Errorf("%w: %w", ErrECDH, err)}
	}
	ss := SharedSecret(raw)

	mu := generateKey(keyMu, &raw)
	mac := hmac256(&mu, pkt.HopPayloads[:], assocData)
	if subtle.ConstantTimeCompare(mac[:], pkt.HMAC[:]) != 1 {
		return nil, badOnion(pkt, CodeInvalidOnionHMAC, ErrInvalidHMAC)
	}
	seen, err := p.replay.CheckAndAdd(ss, cltvExpiry)
	if err != nil {
		return nil, &ProcessError{Code: CodeTemporaryNodeFailure, Err: fmt.Errorf("onion: replay log: %w", err)}
	}
	if seen {
		return nil, &ProcessError{Code: CodeTemporaryNodeFailure, Err: ErrReplayed}
	}

	// Decrypt hop_payloads padded with 1300 zero bytes; only the first
	// 1300 + shift bytes are needed, and shift is known after the first
	// block.
	rho := generateKey(keyRho, &raw)
	var nonce [chacha20.NonceSize]byte
	c, err := chacha20.NewUnauthenticatedCipher(rho[:], nonce[:])
	if err != nil {
		return nil, &ProcessError{Code: CodeTemporaryNodeFailure, Err: err}
	}
	var work [2 * HopPayloadsSize]byte
	copy(work[:HopPayloadsSize], pkt.HopPayloads[:])
	c.XORKeyStream(work[:64], work[:64])
	length, n, err := wire.ReadBigSize(work[:64])
	if err != nil {
		return nil, payloadFailure(&PayloadError{Err: fmt.Errorf("payload length: %w: %w", ErrInvalidPayload, err)})
	}
	if length < MinPayloadLen {
		return nil, payloadFailure(&PayloadError{Err: fmt.Errorf("payload length %d: %w", length, ErrInvalidPayload)})
	}
	if length > uint64(HopPayloadsSize-n-HMACSize) {
		return nil, payloadFailure(&PayloadError{Err: fmt.Errorf("payload length %d exceeds the packet: %w", length, ErrInvalidPayload)})
	}
	plen := int(length)
	shift := n + plen + HMACSize
	c.XORKeyStream(work[64:HopPayloadsSize+shift], work[64:HopPayloadsSize+shift])

	out := &ProcessedPacket{SharedSecret: ss}
	out.RawPayload = make([]byte, plen)
	copy(out.RawPayload, work[n:n+plen])
	nextHMAC := work[n+plen : shift]
	out.Final = allZero(nextHMAC)
	if err := out.Payload.Decode(out.RawPayload); err != nil {
		return nil, payloadFailure(err)
	}
	if err := out.Payload.Validate(out.Final, pathKey != nil); err != nil {
		fail := payloadFailure(err)
		if out.Payload.CurrentPathKey.Present && !out.Final {
			fail.Code = CodeInvalidOnionBlinding
			fail.OnionHash = pkt.Hash()
		}
		return nil, fail
	}
	if err := p.checkCustomRecords(&out.Payload, out.RawPayload); err != nil {
		return nil, payloadFailure(err)
	}
	if out.Final {
		return out, nil
	}

	// The next hop's ephemeral key: ours times SHA256(ours || secret).
	var buf [33 + 32]byte
	copy(buf[:33], pkt.EphemeralKey[:])
	copy(buf[33:], raw[:])
	bf := sha256.Sum256(buf[:])
	var b btcec.ModNScalar
	b.SetBytes(&bf)
	var next secp.Point
	secp.ScalarMult(&b, &eph, &next)
	if next.IsInfinity() {
		return nil, badOnion(pkt, CodeInvalidOnionKey, ErrInvalidKey)
	}
	na := next.Affine()
	out.Next.Version = Version
	na.Compress((*[33]byte)(&out.Next.EphemeralKey))
	copy(out.Next.HopPayloads[:], work[shift:shift+HopPayloadsSize])
	copy(out.Next.HMAC[:], nextHMAC)
	return out, nil
}

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	var acc byte
	for _, c := range b {
		acc |= c
	}
	return acc == 0
}
