package onion

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/internal/secp"
	"github.com/lnkit/lnkit/wire"
)

// maxHops bounds the hop count: every hop takes at least 1 + 2 + 32 bytes
// of hop_payloads.
const maxHops = HopPayloadsSize / (1 + MinPayloadLen + HMACSize)

// Hop is one hop of a route given to NewPacket.
type Hop struct {
	// PubKey is the hop's node key (its blinded node id inside a blinded
	// route).
	PubKey *btcec.PublicKey
	// Payload is the hop's encoded TLV payload (see HopPayload.Encode),
	// without the BigSize length that frames it; at least 2 bytes.
	Payload []byte
}

// shiftSize is the room a payload of length l takes in hop_payloads: its
// BigSize length, the payload and the next HMAC.
func shiftSize(l int) int {
	return wire.BigSizeLen(uint64(l)) + l + HMACSize
}

// NewPacket builds the onion packet of a route (BOLT 4 "Packet
// Construction"): the first hop receives it. sessionKey is the random
// ephemeral key of this payment attempt, chosen by the caller (this package
// draws no randomness); it must never be reused. assocData is the
// associated data the HMACs commit to: the payment hash for HTLCs.
//
// It also returns the hops' shared secrets, which the origin keeps to
// decrypt a returned failure (DecryptFailure); SharedSecrets recomputes
// them from the session key if they were not kept.
func NewPacket(sessionKey *btcec.PrivateKey, route []Hop, assocData []byte) (*Packet, []SharedSecret, error) {
	n := len(route)
	if n == 0 {
		return nil, nil, ErrEmptyRoute
	}
	if sessionKey == nil || sessionKey.Key.IsZero() {
		return nil, nil, ErrInvalidSessionKey
	}
	var shifts [maxHops]int
	total := 0
	for i, h := range route {
		if len(h.Payload) < MinPayloadLen {
			return nil, nil, fmt.Errorf("onion: hop %d payload is %d bytes: %w", i, len(h.Payload), ErrPayloadTooShort)
		}
		if h.PubKey == nil {
			return nil, nil, fmt.Errorf("onion: hop %d: %w", i, ErrInvalidHopKey)
		}
		if len(h.Payload) > HopPayloadsSize {
			return nil, nil, ErrRouteTooLarge
		}
		total += shiftSize(len(h.Payload))
		if total > HopPayloadsSize {
			return nil, nil, fmt.Errorf("onion: %d hops need more than %d bytes: %w", n, HopPayloadsSize, ErrRouteTooLarge)
		}
		shifts[i] = shiftSize(len(h.Payload))
	}

	pkt := new(Packet)
	secrets := make([]SharedSecret, n)
	first, err := deriveSecrets(&sessionKey.Key, n, func(i int) *btcec.PublicKey { return route[i].PubKey }, secrets)
	if err != nil {
		return nil, nil, err
	}

	var rho [maxHops][32]byte
	for i := range secrets {
		rho[i] = generateKey(keyRho, (*[32]byte)(&secrets[i]))
	}

	// The filler: the bytes hops 0 … n-2 append (zeros XORed with the end
	// of their streams) that end up at the tail of the last hop's packet.
	var filler [HopPayloadsSize]byte
	fillerLen := 0
	for i := 0; i < n-1; i++ {
		xorStream(&rho[i], filler[:fillerLen+shifts[i]], HopPayloadsSize-fillerLen)
		fillerLen += shifts[i]
	}

	// The last hop's layer. Its initial content is the pad stream; only
	// the part that neither the shifts push out nor the filler covers
	// survives, so only that part is generated.
	mix := pkt.HopPayloads[:]
	last := n - 1
	keep := HopPayloadsSize - fillerLen
	var seed [32]byte
	sessionKey.Key.PutBytes(&seed)
	padKey := generateKey(keyPad, &seed)
	xorStream(&padKey, mix[shifts[last]:keep], 0)
	var nextHMAC [HMACSize]byte
	writeHop(mix, route[last].Payload, &nextHMAC)
	xorStream(&rho[last], mix[:keep], 0)
	copy(mix[keep:], filler[:fillerLen])
	mu := generateKey(keyMu, (*[32]byte)(&secrets[last]))
	nextHMAC = hmac256(&mu, mix, assocData)

	for i := n - 2; i >= 0; i-- {
		copy(mix[shifts[i]:], mix[:HopPayloadsSize-shifts[i]])
		writeHop(mix, route[i].Payload, &nextHMAC)
		xorStream(&rho[i], mix, 0)
		mu = generateKey(keyMu, (*[32]byte)(&secrets[i]))
		nextHMAC = hmac256(&mu, mix, assocData)
	}

	pkt.Version = Version
	pkt.EphemeralKey = first
	pkt.HMAC = nextHMAC
	return pkt, secrets, nil
}

// writeHop writes a hop's length, payload and next HMAC at the front of mix.
func writeHop(mix []byte, payload []byte, hmac *[HMACSize]byte) {
	b := wire.AppendBigSize(mix[:0], uint64(len(payload)))
	b = append(b, payload...)
	_ = append(b, hmac[:]...)
}

// SharedSecrets returns the shared secrets of the hops of a packet built
// with sessionKey, as NewPacket returned them.
func SharedSecrets(sessionKey *btcec.PrivateKey, route []*btcec.PublicKey) ([]SharedSecret, error) {
	if len(route) == 0 {
		return nil, ErrEmptyRoute
	}
	if sessionKey == nil || sessionKey.Key.IsZero() {
		return nil, ErrInvalidSessionKey
	}
	for i, pub := range route {
		if pub == nil {
			return nil, fmt.Errorf("onion: hop %d: %w", i, ErrInvalidHopKey)
		}
	}
	secrets := make([]SharedSecret, len(route))
	if _, err := deriveSecrets(&sessionKey.Key, len(route), func(i int) *btcec.PublicKey { return route[i] }, secrets); err != nil {
		return nil, err
	}
	return secrets, nil
}

// deriveSecrets computes the shared secret of each hop into out and returns
// the first hop's ephemeral key (the packet's). Hop i uses the ephemeral
// private key e_i = session·b_0·…·b_{i-1}: its shared secret is
// SHA256(e_i·P_i), its public ephemeral key is e_i·G, and the next blinding
// factor is b_i = SHA256(e_i·G || secret_i) (BOLT 4 "Packet Construction").
// The scalar product is kept instead of blinding points, so each hop costs
// one variable-base and one fixed-base multiplication, and the two points
// share one field inversion.
func deriveSecrets(session *btcec.ModNScalar, n int, pubAt func(int) *btcec.PublicKey, out []SharedSecret) (wire.Point, error) {
	var first wire.Point
	e := *session
	for i := 0; i < n; i++ {
		hop := secp.AffineFromPubKey(pubAt(i))
		var shared secp.Point
		secp.ScalarMult(&e, &hop, &shared)
		if shared.IsInfinity() {
			return first, fmt.Errorf("onion: hop %d: %w", i, ErrInvalidHopKey)
		}
		needEphemeral := i == 0 || i < n-1
		var ephAff, sharedAff secp.Affine
		if needEphemeral {
			var ephB btcec.JacobianPoint
			btcec.ScalarBaseMultNonConst(&e, &ephB)
			eph := secp.PointFromBtcec(&ephB)
			ephAff, sharedAff = secp.ToAffinePair(&eph, &shared)
		} else {
			sharedAff = shared.Affine()
		}
		var c [33]byte
		sharedAff.Compress(&c)
		out[i] = sha256.Sum256(c[:])
		if !needEphemeral {
			break
		}
		var ec [33]byte
		ephAff.Compress(&ec)
		if i == 0 {
			first = ec
		}
		if i == n-1 {
			break
		}
		var buf [33 + 32]byte
		copy(buf[:33], ec[:])
		copy(buf[33:], out[i][:])
		bf := sha256.Sum256(buf[:])
		var b btcec.ModNScalar
		b.SetBytes(&bf)
		e.Mul(&b)
		if e.IsZero() {
			return first, ErrInvalidSessionKey
		}
	}
	return first, nil
}
