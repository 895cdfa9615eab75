package main

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/wire"
)

// heldPayments is the node's hold mode: while it is on, a payment that
// becomes claimable is recorded (listpayments shows it "claimable") but not
// claimed; its preimage is kept here until `claim` claims it. The mode and
// the held preimages live in memory only: a restarted node starts with the
// mode off and claims nothing it held (the manager fails such a payment
// back HTLCFailBackBuffer blocks before its expiry). Tests use it to hold
// an HTLC with the preimage known, as a merchant holds one until it ships.
type heldPayments struct {
	mu        sync.Mutex
	on        bool
	preimages map[wire.PaymentHash]wire.Preimage
}

// set turns the mode on or off. Payments already held stay held.
func (h *heldPayments) set(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.on = on
}

// hold keeps preimage when the mode is on and reports whether it did.
func (h *heldPayments) hold(preimage wire.Preimage) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.on {
		return false
	}
	if h.preimages == nil {
		h.preimages = make(map[wire.PaymentHash]wire.Preimage)
	}
	h.preimages[preimage.Hash()] = preimage
	return true
}

// take removes and returns the preimage held for hash.
func (h *heldPayments) take(hash wire.PaymentHash) (wire.Preimage, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.preimages[hash]
	delete(h.preimages, hash)
	return p, ok
}

// holdInvoices implements commander: holdinvoices on|off.
func (n *node) holdInvoices(on bool) holdResult {
	n.held.set(on)
	n.log.Info("sample-node: hold mode", "on", on)
	return holdResult{Hold: on}
}

// claimPayment implements commander: claim <payment_hash> claims a payment
// held by the hold mode with its preimage. The claim is irrevocable at
// once: the fulfill goes to the peer when it is connected, and the
// channel's monitor has the preimage to claim on chain if the peer does
// not take it in time.
func (n *node) claimPayment(hash wire.PaymentHash) (claimResult, error) {
	preimage, ok := n.held.take(hash)
	if !ok {
		return claimResult{}, fmt.Errorf("claim: no held payment %s (only payments that became claimable while holdinvoices was on are held; listpayments shows the inbound ones)", hash)
	}
	switch err := n.channels.ClaimFunds(preimage); {
	case errors.Is(err, channel.ErrUnknownPayment):
		// Its channel may have closed meanwhile: the manager forgets a
		// closed channel's HTLCs, so the preimage cannot reach the
		// channel's monitor any more (issue 18).
		return claimResult{}, fmt.Errorf("claim: payment %s is no longer claimable (failed back at its expiry, resolved, or its channel closed before the claim): %w", hash, err)
	case err != nil:
		// As in onPaymentClaimable: a channel the claim failed is
		// closed, and its monitor claims on chain with the preimage.
		n.log.Warn("sample-node: claiming a held payment", "payment_hash", hash, "err", err)
	}
	n.tcp.Notify()
	n.log.Info("sample-node: held payment claimed", "payment_hash", hash)
	return claimResult{PaymentHash: hash.String(), Status: "claiming"}, nil
}

// holdResult is the answer of holdinvoices.
type holdResult struct {
	Hold bool `json:"hold"`
}

func (r holdResult) writeText(w io.Writer) {
	if r.Hold {
		fmt.Fprintln(w, "SUCCESS: payments are held once claimable; claim <payment_hash> claims one")
		return
	}
	fmt.Fprintln(w, "SUCCESS: payments are claimed as soon as claimable")
}

// claimResult is the answer of claim: EVENT payment_claimed follows once
// the claim is irrevocable off chain.
type claimResult struct {
	PaymentHash string `json:"payment_hash"`
	Status      string `json:"status"`
}

func (r claimResult) writeText(w io.Writer) {
	fmt.Fprintf(w, "SUCCESS: payment %s is %s; EVENT payment_claimed follows once the peer takes the fulfill\n", r.PaymentHash, r.Status)
}
