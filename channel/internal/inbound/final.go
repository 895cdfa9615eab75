package inbound

import (
	"github.com/lnkit/lnkit/router/onion"
	"github.com/lnkit/lnkit/wire"
)

// HTLC is what CheckFinal needs of an incoming update_add_htlc.
type HTLC struct {
	// Amount is amount_msat.
	Amount wire.MilliSatoshi
	// CLTVExpiry is cltv_expiry.
	CLTVExpiry uint32
	// PaymentHash is payment_hash.
	PaymentHash wire.PaymentHash
}

// Receive is an HTLC that passed the final node's checks: a payment (or
// one part of a multi-part payment) this node accepts.
type Receive struct {
	// PaymentHash is the HTLC's payment hash.
	PaymentHash wire.PaymentHash
	// Amount is this HTLC's amount (amount_msat, at least amt_to_forward).
	Amount wire.MilliSatoshi
	// Total is the amount of the whole payment: total_msat of payment_data,
	// or amt_to_forward without it (keysend). It is never below
	// amt_to_forward; above it, the HTLC is one part of a multi-part
	// payment and the caller collects the parts (or fails the HTLC if it
	// does not support basic_mpp).
	Total wire.MilliSatoshi
	// Secret is the payment_secret of payment_data (zero for a keysend
	// without payment_data).
	Secret wire.PaymentSecret
	// Preimage is the preimage when the node knows it: derived from the
	// payment secret, or the keysend record. Nil when the application
	// holds it (Keys.CreateForHash).
	Preimage *wire.Preimage
	// Keysend reports a spontaneous payment: the onion carried the
	// preimage.
	Keysend bool
	// Metadata is payment_metadata, if any (a copy).
	Metadata []byte
	// Custom holds the onion's custom records (a copy). The onion
	// processor has already refused unknown even ones.
	Custom wire.TLVRecords
	// Params are the invoice's parameters recovered from the payment
	// secret (zero for keysend).
	Params Params
}

// CheckFinal applies BOLT 4's requirements of the final node to an HTLC h
// that arrived with the decoded onion payload p, at block height height and
// unix time now (seconds). minFinalCLTVForKeysend is the
// min_final_cltv_expiry_delta required of keysend payments, which have no
// invoice. It returns the Receive, or the failure message to fail the HTLC
// with:
//
//   - invalid_onion_payload naming the type: amt_to_forward or
//     outgoing_cltv_value missing, or route blinding records (lnkit does not
//     receive over blinded routes);
//   - final_incorrect_htlc_amount: amount_msat below amt_to_forward;
//   - final_incorrect_cltv_expiry: cltv_expiry below outgoing_cltv_value;
//   - incorrect_or_unknown_payment_details, with the HTLC's amount and
//     height, for everything about the payment itself: no payment_data
//     (unless keysend), a keysend preimage that does not hash to the
//     payment hash, a payment secret this node did not create for the
//     hash, a total_msat of zero or below amt_to_forward, a total_msat
//     below the invoice amount or above twice it (BOLT 4 allows that
//     margin for privacy), an expired invoice (now after Params.Expiry), or
//     cltv_expiry below height + min_final_cltv_expiry_delta.
//
// The final_incorrect_* checks come first: they say the previous hop, not
// the payer, got the HTLC wrong. CheckFinal does not check whether the
// payment hash was already paid, nor the even custom records (the onion
// processor does).
func (k *Keys) CheckFinal(h HTLC, p *onion.HopPayload, height uint32, now uint64, minFinalCLTVForKeysend uint16) (*Receive, onion.FailureMessage) {
	if p == nil {
		return nil, &onion.InvalidOnionPayload{}
	}
	if f := checkPayloadShape(p); f != nil {
		return nil, f
	}
	amt := p.AmountToForward.Value
	if h.Amount < amt {
		return nil, &onion.FinalIncorrectHTLCAmount{IncomingHTLCAmount: h.Amount}
	}
	if h.CLTVExpiry < p.OutgoingCLTV.Value {
		return nil, &onion.FinalIncorrectCLTVExpiry{CLTVExpiry: h.CLTVExpiry}
	}
	r := &Receive{
		PaymentHash: h.PaymentHash,
		Amount:      h.Amount,
		Total:       amt,
		Metadata:    cloneBytes(p.PaymentMetadata),
		Custom:      cloneRecords(p.Custom),
	}
	pd, hasPD := p.PaymentData.Get()
	if hasPD {
		r.Total, r.Secret = pd.TotalMsat, pd.PaymentSecret
	}
	if r.Total == 0 || r.Total < amt {
		return nil, unknownDetails(&h, height)
	}

	delta := minFinalCLTVForKeysend
	if preimage, ok := p.KeysendPreimage.Get(); ok {
		if preimage.Hash() != h.PaymentHash {
			return nil, unknownDetails(&h, height)
		}
		r.Keysend, r.Preimage = true, &preimage
	} else {
		if !hasPD {
			return nil, unknownDetails(&h, height)
		}
		params, preimage, err := k.Verify(h.PaymentHash, pd.PaymentSecret)
		if err != nil {
			return nil, unknownDetails(&h, height)
		}
		if want, ok := params.Amount.Get(); ok && (r.Total < want || uint64(r.Total) > 2*uint64(want)) {
			return nil, unknownDetails(&h, height)
		}
		if now > params.Expiry {
			return nil, unknownDetails(&h, height)
		}
		r.Params, r.Preimage = params, preimage
		delta = params.MinFinalCLTVExpiryDelta
	}
	if uint64(h.CLTVExpiry) < uint64(height)+uint64(delta) {
		return nil, unknownDetails(&h, height)
	}
	return r, nil
}

// checkPayloadShape returns invalid_onion_payload for a payload that is not
// a non-blinded final payload.
func checkPayloadShape(p *onion.HopPayload) onion.FailureMessage {
	switch {
	case p.EncryptedRecipientData.Present:
		return &onion.InvalidOnionPayload{Type: onion.TypeEncryptedRecipientData}
	case p.CurrentPathKey.Present:
		return &onion.InvalidOnionPayload{Type: onion.TypeCurrentPathKey}
	case !p.AmountToForward.Present:
		return &onion.InvalidOnionPayload{Type: onion.TypeAmountToForward}
	case !p.OutgoingCLTV.Present:
		return &onion.InvalidOnionPayload{Type: onion.TypeOutgoingCLTV}
	}
	return nil
}

// cloneBytes copies a present byte record (nil if absent).
func cloneBytes(o wire.Option[[]byte]) []byte {
	if !o.Present {
		return nil
	}
	return append([]byte{}, o.Value...)
}

// cloneRecords deep-copies records (nil if empty).
func cloneRecords(rs wire.TLVRecords) wire.TLVRecords {
	if len(rs) == 0 {
		return nil
	}
	out := make(wire.TLVRecords, len(rs))
	for i, r := range rs {
		out[i] = wire.TLVRecord{Type: r.Type, Value: append([]byte{}, r.Value...)}
	}
	return out
}

// unknownDetails returns incorrect_or_unknown_payment_details for h.
func unknownDetails(h *HTLC, height uint32) onion.FailureMessage {
	return &onion.IncorrectOrUnknownPaymentDetails{HTLCMsat: h.Amount, Height: height}
}
