package outbound

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/router"
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// BuildOnion returns the onion of an HTLC along route: each hop's payload
// as router.Route.Payloads gives it from final, the keysend_preimage
// record (type 5482373484) in the final payload when keysend is non-nil,
// encrypted under sessionKey with the payment hash as associated data.
//
// A keysend payment with a zero final.PaymentSecret carries no
// payment_data (a spontaneous payment has no invoice secret); otherwise
// payment_data is always there. keysend must hash to hash
// (ErrWrongPreimage). A route of no hops or more than MaxHops, or with an
// invalid node key, fails with ErrInvalidRoute; an invalid session key or
// payloads too large for the packet with the onion package's error.
func BuildOnion(route *router.Route, final router.FinalPayload, keysend *wire.Preimage, sessionKey SessionKey, hash wire.PaymentHash) (*onion.Packet, error) {
	if route == nil || len(route.Hops) == 0 || len(route.Hops) > MaxHops {
		n := 0
		if route != nil {
			n = len(route.Hops)
		}
		return nil, fmt.Errorf("%w: %d hops for an onion", ErrInvalidRoute, n)
	}
	if keysend != nil && keysend.Hash() != hash {
		return nil, fmt.Errorf("outbound: keysend: %w", ErrWrongPreimage)
	}
	priv, err := sessionPrivKey(sessionKey)
	if err != nil {
		return nil, err
	}
	payloads := route.Payloads(final)
	last := &payloads[len(payloads)-1]
	if keysend != nil {
		last.KeysendPreimage = wire.Some(*keysend)
		if final.PaymentSecret == (wire.PaymentSecret{}) {
			last.PaymentData = wire.Option[onion.PaymentData]{}
		}
	}
	hops := make([]onion.Hop, len(route.Hops))
	for i := range route.Hops {
		pub, err := route.Hops[i].NodeID.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("%w: hop %d node id: %w", ErrInvalidRoute, i, err)
		}
		b, err := payloads[i].Encode(nil)
		if err != nil {
			return nil, fmt.Errorf("outbound: hop %d payload: %w", i, err)
		}
		hops[i] = onion.Hop{PubKey: pub, Payload: b}
	}
	pkt, _, err := onion.NewPacket(priv, hops, hash[:])
	if err != nil {
		return nil, fmt.Errorf("outbound: %w", err)
	}
	return pkt, nil
}

// Onion returns the onion of attempt i: BuildOnion with the payment's
// secret, metadata, total amount (Amount, for every part) and, for
// keysend, preimage.
func (p *Payment) Onion(i int) (*onion.Packet, error) {
	a, err := p.attempt("onion", i)
	if err != nil {
		return nil, err
	}
	final := router.FinalPayload{PaymentSecret: p.Secret.Value, TotalMsat: p.Amount, Metadata: p.Metadata}
	var keysend *wire.Preimage
	if p.Keysend {
		keysend = &p.Preimage.Value
	}
	return BuildOnion(&a.Route, final, keysend, a.SessionKey, p.Hash)
}

// SharedSecrets returns the shared secrets of a's onion with each hop,
// which decrypt a returned failure.
func (a *Attempt) SharedSecrets() ([]onion.SharedSecret, error) {
	if len(a.Route.Hops) == 0 || len(a.Route.Hops) > MaxHops {
		return nil, fmt.Errorf("%w: %d hops", ErrInvalidRoute, len(a.Route.Hops))
	}
	priv, err := sessionPrivKey(a.SessionKey)
	if err != nil {
		return nil, err
	}
	pubs := make([]*btcec.PublicKey, len(a.Route.Hops))
	for i := range a.Route.Hops {
		if pubs[i], err = a.Route.Hops[i].NodeID.PublicKey(); err != nil {
			return nil, fmt.Errorf("%w: hop %d node id: %w", ErrInvalidRoute, i, err)
		}
	}
	ss, err := onion.SharedSecrets(priv, pubs)
	if err != nil {
		return nil, fmt.Errorf("outbound: %w", err)
	}
	return ss, nil
}

// validSessionKey reports whether k is a usable session key.
func validSessionKey(k SessionKey) bool {
	var s btcec.ModNScalar
	return !s.SetByteSlice(k[:]) && !s.IsZero()
}

// sessionPrivKey returns k as a private key: it must be a non-zero scalar
// below the curve order.
func sessionPrivKey(k SessionKey) (*btcec.PrivateKey, error) {
	if !validSessionKey(k) {
		return nil, fmt.Errorf("outbound: session key: %w", onion.ErrInvalidSessionKey)
	}
	var s btcec.ModNScalar
	s.SetByteSlice(k[:])
	return btcec.PrivKeyFromScalar(&s), nil
}
