package lnkittest

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"slices"

	"github.com/lnkit/lnkit/channel"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

// ClaimPolicy is what ProcessEvents does with a node's PaymentClaimable
// (Node.Claims).
type ClaimPolicy uint8

// The claim policies.
const (
	// ClaimPayments claims every payment whose preimage the event carries
	// (ClaimFunds); one without (an invoice made for a hash the
	// application holds) is held as with HoldPayments. The default.
	ClaimPayments ClaimPolicy = iota
	// FailPayments fails every payment back (FailHTLCBackwards).
	FailPayments
	// HoldPayments holds every payment for the test to claim or fail
	// itself (Node.Claimable, Network.Claim, Network.FailBack).
	HoldPayments
)

// Pay has to create an invoice for amount and from pay it over their
// channel (channel.Manager.SendPayment), and returns the payment's id (a
// fresh one, derived from Options.Seed). Nothing is delivered: DeliverAll
// or Settle moves the payment. The error is CreateInvoice's or
// SendPayment's (channel.ErrNoRoute when no usable channel carries it).
func (n *Network) Pay(from, to *Node, amount wire.MilliSatoshi) (channel.PaymentID, error) {
	n.t.Helper()
	from.mustRun("Pay")
	to.mustRun("Pay")
	inv, err := to.Channels.CreateInvoice(channel.InvoiceRequest{Amount: amount, Description: "lnkittest"})
	if err != nil {
		return channel.PaymentID{}, err
	}
	id := n.paymentID()
	return id, from.Channels.SendPayment(id, inv.Invoice, 0)
}

// Keysend pays amount from from to to without an invoice
// (channel.Manager.SendSpontaneousPayment) with a fresh preimage, and
// returns the payment's id and hash. Nothing is delivered.
func (n *Network) Keysend(from, to *Node, amount wire.MilliSatoshi) (channel.PaymentID, wire.PaymentHash, error) {
	n.t.Helper()
	from.mustRun("Keysend")
	id := n.paymentID()
	pre := wire.Preimage(sha256.Sum256(append([]byte("lnkittest keysend preimage"), id[:]...)))
	hash, err := from.Channels.SendSpontaneousPayment(id, to.ID(), amount, pre)
	return id, hash, err
}

// paymentID returns a fresh payment id: the hash of the Network's seed
// and a counter.
func (n *Network) paymentID() channel.PaymentID {
	n.payments++
	b := binary.BigEndian.AppendUint64([]byte("lnkittest payment id"), n.opts.Seed)
	return channel.PaymentID(sha256.Sum256(binary.BigEndian.AppendUint64(b, n.payments)))
}

// claimable does the application's part for a PaymentClaimable, as
// node.Claims says. A payment the Manager no longer holds
// (channel.ErrUnknownPayment: failed back at its deadline, or claimed
// before a restart) is done with.
func (n *Node) claimable(e *events.PaymentClaimable) error {
	pre, known := e.Purpose.Preimage.Get()
	var err error
	switch {
	case n.Claims == FailPayments:
		err = n.Channels.FailHTLCBackwards(e.PaymentHash)
	case n.Claims == ClaimPayments && known:
		err = n.Channels.ClaimFunds(pre)
	default:
		if !slices.ContainsFunc(n.held, func(h *events.PaymentClaimable) bool { return h.PaymentHash == e.PaymentHash }) {
			n.held = append(n.held, e)
		}
		return nil
	}
	if errors.Is(err, channel.ErrUnknownPayment) {
		return nil
	}
	return err
}

// Claimable returns the payments ProcessEvents held for the test (Claims
// HoldPayments, or a preimage it does not know), oldest first, that the
// test has not claimed or failed yet with Claim or FailBack. They are the
// application's memory: they survive a Crash.
func (n *Node) Claimable() []*events.PaymentClaimable {
	return append([]*events.PaymentClaimable(nil), n.held...)
}

// Claim claims node's held payment paying preimage's hash (ClaimFunds)
// and forgets it; the error is ClaimFunds'.
func (n *Network) Claim(node *Node, preimage wire.Preimage) error {
	n.t.Helper()
	node.mustRun("Claim")
	node.unhold(preimage.Hash())
	return node.Channels.ClaimFunds(preimage)
}

// FailBack fails node's held payment of hash back (FailHTLCBackwards) and
// forgets it; the error is FailHTLCBackwards'.
func (n *Network) FailBack(node *Node, hash wire.PaymentHash) error {
	n.t.Helper()
	node.mustRun("FailBack")
	node.unhold(hash)
	return node.Channels.FailHTLCBackwards(hash)
}

// unhold forgets the held payment of hash.
func (n *Node) unhold(hash wire.PaymentHash) {
	n.held = slices.DeleteFunc(n.held, func(h *events.PaymentClaimable) bool { return h.PaymentHash == hash })
}

// Logged returns the events of type T in node's EventLog (what
// ProcessEvents handled), oldest first: e.g.
// Logged[*events.PaymentSent](b).
func Logged[T events.Event](node *Node) []T {
	var out []T
	for _, e := range node.EventLog {
		if t, ok := e.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// Settle lets the network come to rest: it delivers every message
// (DeliverAll) and has every running node's application handle its events
// (ProcessEvents), again and again until no event comes. It fails the
// test when an application's duty fails.
func (n *Network) Settle() {
	n.t.Helper()
	for range n.opts.MaxDeliverRounds {
		n.DeliverAll()
		handled := 0
		for _, node := range n.nodes {
			if !node.Running() {
				continue
			}
			got, err := n.ProcessEvents(node)
			if err != nil {
				n.t.Fatalf("lnkittest: Settle: node %d: events: %v", node.Index, err)
			}
			handled += len(got)
		}
		if handled == 0 {
			return
		}
	}
	n.t.Fatalf("lnkittest: Settle: events still coming after %d rounds", n.opts.MaxDeliverRounds)
}
