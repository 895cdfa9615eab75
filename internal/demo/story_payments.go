package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The payments of the story, in satoshis: each goes back the other way, so
// the channels' balances (and the closing accounts below) are those of the
// openings again.
const (
	alicePays = 20_000 // alice → bob (bob's invoice), then bob → alice (keysend)
	carolPays = 15_000 // carol → bob (bob's invoice), then bob → carol (carol's invoice)
)

// The sample node's answers to the payment commands.
type (
	invoiceAnswer struct {
		Invoice     string `json:"invoice"`
		PaymentHash string `json:"payment_hash"`
		AmountMsat  uint64 `json:"amount_msat"`
	}
	sendAnswer struct {
		PaymentID   string `json:"payment_id"`
		PaymentHash string `json:"payment_hash"`
		Status      string `json:"status"`
	}
	paymentList struct {
		Payments []struct {
			PaymentHash string `json:"payment_hash"`
			AmountMsat  uint64 `json:"amount_msat"`
			FeeMsat     uint64 `json:"fee_msat"`
			Status      string `json:"status"`
			Direction   string `json:"direction"`
			Keysend     bool   `json:"keysend"`
		} `json:"payments"`
	}
)

// payments sends payments both ways over both channels.
func (c *channelStory) payments(ctx context.Context) error {
	s := c.s
	s.stepf("Payments: bob invoices alice for %s and she pays it; bob sends it back with keysend", sat(alicePays))
	if err := c.payInvoice(ctx, c.bob, c.alice, alicePays*1000, "coffee"); err != nil {
		return err
	}
	line := fmt.Sprintf("keysend %s %d", c.ids["alice"].NodeID, alicePays*1000)
	s.command("bob", fmt.Sprintf("keysend %s %d", short(c.ids["alice"].NodeID), alicePays*1000))
	var k sendAnswer
	if err := c.bob.run(line, &k); err != nil {
		return err
	}
	if err := c.settled(ctx, c.bob, c.alice, k.PaymentHash); err != nil {
		return err
	}
	if c.carol != nil {
		if err := c.payCarol(ctx); err != nil {
			return err
		}
	}
	for _, n := range []*sampleNode{c.alice, c.bob} {
		s.command(n.name, "listpayments")
		var l paymentList
		if err := n.run("listpayments", &l); err != nil {
			return err
		}
		for _, p := range l.Payments {
			kind := "invoice"
			if p.Keysend {
				kind = "keysend"
			}
			s.say("%-8s %s %s, fee %s, %s (%s)", p.Direction, short(p.PaymentHash), msat(p.AmountMsat), msat(p.FeeMsat), p.Status, kind)
		}
	}
	s.say("every payment went over a direct channel (no routing fee); the balances are the openings' again")
	return nil
}

// payInvoice has payee create an invoice of amt msat and payer pay it.
func (c *channelStory) payInvoice(ctx context.Context, payee, payer *sampleNode, amt uint64, memo string) error {
	s := c.s
	line := fmt.Sprintf("getinvoice %d 3600 %s", amt, memo)
	s.command(payee.name, line)
	var inv invoiceAnswer
	if err := payee.run(line, &inv); err != nil {
		return err
	}
	s.say("invoice %s…, payment_hash %s", inv.Invoice[:24], short(inv.PaymentHash))
	s.command(payer.name, "sendpayment "+inv.Invoice[:24]+"…")
	var sent sendAnswer
	if err := payer.run("sendpayment "+inv.Invoice, &sent); err != nil {
		return err
	}
	s.say("status %q: update_add_htlc, commitment_signed, revoke_and_ack both ways", sent.Status)
	return c.settled(ctx, payer, payee, inv.PaymentHash)
}

// settled waits for payer's payment_sent and payee's payment_claimed of
// hash.
func (c *channelStory) settled(ctx context.Context, payer, payee *sampleNode, hash string) error {
	if _, err := payer.waitEvent(ctx, 1, "payment_sent", hash); err != nil {
		return err
	}
	if payee != nil {
		if _, err := payee.waitEvent(ctx, 1, "payment_claimed", hash); err != nil {
			return err
		}
		c.events(payer, payee)
		return nil
	}
	c.events(payer)
	return nil
}

// payCarol sends a keysend from carol (lnd) to bob and pays carol's
// invoice from bob. lnd lists a new channel active before its link may
// carry an HTLC (FAILURE_REASON_INSUFFICIENT_BALANCE with no attempt):
// the keysend is tried again until the link takes it.
func (c *channelStory) payCarol(ctx context.Context) error {
	s := c.s
	s.stepf("carol (lnd) keysends bob %s; bob pays carol's invoice of the same", sat(carolPays))
	bob := c.ids["bob"].NodeID
	s.lncli(fmt.Sprintf("sendpayment --keysend --dest %s --amt %d", short(bob), carolPays))
	var paid struct {
		Status      string `json:"status"`
		PaymentHash string `json:"payment_hash"`
	}
	err := waitFor(ctx, "carol's keysend to bob", func() (bool, string, error) {
		err := c.carol.cliJSON(ctx, &paid, "sendpayment", "--keysend", "--dest", bob, "--amt", strconv.Itoa(carolPays), "--json")
		if err != nil && strings.Contains(err.Error(), "FAILURE_REASON_INSUFFICIENT_BALANCE") {
			return false, "lnd's link not ready", nil
		}
		return err == nil, "", err
	})
	if err != nil {
		return err
	}
	s.say("status %s", paid.Status)
	if _, err := c.bob.waitEvent(ctx, 1, "payment_claimed", paid.PaymentHash); err != nil {
		return err
	}
	c.events(c.bob)
	s.lncli("addinvoice --amt " + strconv.Itoa(carolPays))
	var add struct {
		PaymentRequest string `json:"payment_request"`
	}
	if err := c.carol.cliJSON(ctx, &add, "addinvoice", "--amt", strconv.Itoa(carolPays)); err != nil {
		return err
	}
	s.command("bob", "sendpayment "+add.PaymentRequest[:24]+"…")
	var sent sendAnswer
	if err := c.bob.run("sendpayment "+add.PaymentRequest, &sent); err != nil {
		return err
	}
	return c.settled(ctx, c.bob, nil, sent.PaymentHash)
}
