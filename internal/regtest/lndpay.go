package regtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// Payment statuses of lnd (PaymentResult.Status).
const (
	PaymentSucceeded = "SUCCEEDED"
	PaymentFailed    = "FAILED"
	PaymentInFlight  = "IN_FLIGHT"
	PaymentInitiated = "INITIATED"
)

// Defaults of the payment helpers.
const (
	// DefaultPaymentTimeout is the payment timeout of PayConcurrently,
	// and of PayInvoice and SendKeysend when given 0 (lncli's own
	// default is one minute).
	DefaultPaymentTimeout = 60 * time.Second
	// paymentGrace is how long lncli may run past the payment timeout:
	// lnd stops trying new routes at the timeout but waits for HTLCs in
	// flight, and lncli waits for lnd.
	paymentGrace = 30 * time.Second
)

// PaymentResult is one payment of lnd as `lncli payinvoice --json`,
// `lncli sendpayment --json` and `lncli listpayments` report it, amounts in
// millisatoshis.
type PaymentResult struct {
	Hash     [32]byte
	Preimage [32]byte // zero unless Status is PaymentSucceeded
	// AmountMsat is what the payee receives (value_msat), fees excluded.
	AmountMsat uint64
	// FeeMsat is what the routing nodes kept; 0 over a direct channel.
	FeeMsat uint64
	// Status is PaymentSucceeded, PaymentFailed, PaymentInFlight or
	// PaymentInitiated.
	Status string
	// FailureReason is lnd's PaymentFailureReason: "FAILURE_REASON_NONE"
	// unless the payment failed, then for example
	// "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS" (the payee rejected the
	// hash, amount or final CLTV), "FAILURE_REASON_NO_ROUTE",
	// "FAILURE_REASON_TIMEOUT", "FAILURE_REASON_INSUFFICIENT_BALANCE",
	// "FAILURE_REASON_ERROR".
	FailureReason string
	// Attempts is how many HTLC attempts (shards included) lnd made.
	Attempts int
	// PaymentIndex is lnd's sequence number of the payment.
	PaymentIndex uint64
	// Created is when lnd started the payment.
	Created time.Time
	// Shards are the payment's HTLC attempts (one per part and try), in
	// order.
	Shards []PaymentShard
}

// PaymentShard is one HTLC attempt of a payment: its route and outcome.
type PaymentShard struct {
	// Status is "SUCCEEDED", "FAILED" or "IN_FLIGHT".
	Status string
	// AmountMsat is what the attempt took from the payer, fees included.
	AmountMsat uint64
	// FeeMsat is the route's total fee.
	FeeMsat uint64
	// ChanIDs are the route's channels (lnd's decimal short channel ids)
	// and Nodes the hops' node ids (hex), in order, the payee last.
	ChanIDs []uint64
	Nodes   []string
}

// PaymentFailedError is the error of PayInvoice and SendKeysend when lnd
// reports the payment FAILED (the PaymentResult is returned as well).
type PaymentFailedError struct {
	Node   string   // the paying lnd's alias
	Hash   [32]byte // the payment hash
	Reason string   // PaymentResult.FailureReason
}

// Error implements error.
func (e *PaymentFailedError) Error() string {
	return fmt.Sprintf("regtest: %s payment %x failed: %s", e.Node, e.Hash, e.Reason)
}

// lndPayment is lnrpc.Payment as lncli v0.20 prints it.
type lndPayment struct {
	PaymentHash     string `json:"payment_hash"`
	PaymentPreimage string `json:"payment_preimage"`
	ValueMsat       uint64 `json:"value_msat,string"`
	FeeMsat         uint64 `json:"fee_msat,string"`
	Status          string `json:"status"`
	FailureReason   string `json:"failure_reason"`
	PaymentIndex    uint64 `json:"payment_index,string"`
	CreationTimeNs  int64  `json:"creation_time_ns,string"`
	HTLCs           []struct {
		Status string `json:"status"`
		Route  struct {
			TotalFeesMsat uint64 `json:"total_fees_msat,string"`
			TotalAmtMsat  uint64 `json:"total_amt_msat,string"`
			Hops          []struct {
				ChanID  uint64 `json:"chan_id,string"`
				PubKey  string `json:"pub_key"`
				FeeMsat uint64 `json:"fee_msat,string"`
			} `json:"hops"`
		} `json:"route"`
	} `json:"htlcs"`
}

// result converts p, checking the hex fields.
func (p lndPayment) result() (PaymentResult, error) {
	r := PaymentResult{
		AmountMsat:    p.ValueMsat,
		FeeMsat:       p.FeeMsat,
		Status:        p.Status,
		FailureReason: p.FailureReason,
		Attempts:      len(p.HTLCs),
		PaymentIndex:  p.PaymentIndex,
		Created:       time.Unix(0, p.CreationTimeNs),
	}
	for _, h := range p.HTLCs {
		sh := PaymentShard{Status: h.Status, AmountMsat: h.Route.TotalAmtMsat, FeeMsat: h.Route.TotalFeesMsat}
		for _, hop := range h.Route.Hops {
			sh.ChanIDs = append(sh.ChanIDs, hop.ChanID)
			sh.Nodes = append(sh.Nodes, hop.PubKey)
		}
		r.Shards = append(r.Shards, sh)
	}
	var err error
	if r.Hash, err = parseHash32(p.PaymentHash); err == nil && p.PaymentPreimage != "" {
		r.Preimage, err = parseHash32(p.PaymentPreimage)
	}
	return r, err
}

// PayInvoice pays the BOLT 11 invoice bolt11 (`lncli payinvoice --force
// --json --timeout`) and waits for the payment's final state. timeout is
// the payment timeout lnd gets (0 means DefaultPaymentTimeout); lncli is
// killed if it runs 30 s past it or when ctx ends, and lnd then goes on
// with the payment (see ListPayments).
//
// When lnd reports the payment FAILED, PayInvoice returns the result and
// a *PaymentFailedError. Other errors (lnd refusing to start the payment:
// an expired or already-paid invoice, a malformed one) come with a zero
// PaymentResult.
func (l *Lnd) PayInvoice(ctx context.Context, bolt11 string, timeout time.Duration) (PaymentResult, error) {
	return l.pay(ctx, timeout, "payinvoice", "--force", "--pay_req="+bolt11)
}

// PayInvoiceAmount pays amtMsat to an amountless BOLT 11 invoice (`lncli
// payinvoice --amt`). lncli takes the amount in whole satoshis only, so
// amtMsat must be a multiple of 1000; lnd refuses an amount for an invoice
// that has one. The result and errors are PayInvoice's.
func (l *Lnd) PayInvoiceAmount(ctx context.Context, bolt11 string, amtMsat uint64, timeout time.Duration) (PaymentResult, error) {
	amt, err := wholeSats(amtMsat, "payinvoice --amt")
	if err != nil {
		return PaymentResult{}, err
	}
	return l.pay(ctx, timeout, "payinvoice", "--force", "--pay_req="+bolt11, "--amt="+amt)
}

// SendKeysend pays amtMsat to the node dest (hex node ID) without an
// invoice (`lncli sendpayment --keysend`): lnd picks the preimage and puts
// it in the onion (TLV record 5482373484); the payee needs keysend
// support. lncli takes keysend amounts in whole satoshis only, so amtMsat
// must be a multiple of 1000. The result and errors are PayInvoice's.
func (l *Lnd) SendKeysend(ctx context.Context, dest string, amtMsat uint64, timeout time.Duration) (PaymentResult, error) {
	amt, err := wholeSats(amtMsat, "sendpayment --keysend --amt")
	if err != nil {
		return PaymentResult{}, err
	}
	return l.pay(ctx, timeout, "sendpayment", "--keysend", "--dest="+dest, "--amt="+amt)
}

// wholeSats formats amtMsat in satoshis for lncli's flag, which takes
// whole satoshis only.
func wholeSats(amtMsat uint64, flag string) (string, error) {
	if amtMsat == 0 || amtMsat%1000 != 0 {
		return "", fmt.Errorf("regtest: %d msat: lncli %s takes a positive whole number of satoshis", amtMsat, flag)
	}
	return strconv.FormatUint(amtMsat/1000, 10), nil
}

// pay runs a paying lncli command with --json and --timeout and decodes
// the final payment it prints. With --json (and without
// --inflight_updates) lncli v0.20 prints only the final state, as one
// JSON object, then exits 1 with "[lncli] FAILED" on standard error if
// the payment failed; it prints nothing when lnd refuses the payment.
func (l *Lnd) pay(ctx context.Context, timeout time.Duration, args ...string) (PaymentResult, error) {
	if timeout <= 0 {
		timeout = DefaultPaymentTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+paymentGrace)
	defer cancel()
	args = append(args, "--json", "--timeout="+timeout.String())
	out, runErr := l.cliContext(ctx, args...)
	p, ok, err := lastPayment(out)
	switch {
	case err != nil:
		return PaymentResult{}, errors.Join(fmt.Errorf("regtest: lncli %s (%s): decode %q: %w", args[0], l.Alias, truncate(out, 500), err), runErr)
	case !ok && runErr != nil:
		return PaymentResult{}, runErr
	case !ok:
		return PaymentResult{}, fmt.Errorf("regtest: lncli %s (%s) printed no payment", args[0], l.Alias)
	}
	res, err := p.result()
	if err != nil {
		return PaymentResult{}, fmt.Errorf("regtest: lncli %s (%s): %w", args[0], l.Alias, err)
	}
	switch res.Status {
	case PaymentSucceeded:
		return res, nil
	case PaymentFailed:
		return res, &PaymentFailedError{Node: l.Alias, Hash: res.Hash, Reason: res.FailureReason}
	}
	// lncli was killed (ctx) after printing an in-flight update.
	return res, fmt.Errorf("regtest: lncli %s (%s): payment %x still %s: %w", args[0], l.Alias, res.Hash, res.Status, runErr)
}

// lastPayment decodes the payment objects lncli printed (one per update,
// separated by blank lines) and returns the last one; ok is false when
// there is none.
func lastPayment(out []byte) (lndPayment, bool, error) {
	dec := json.NewDecoder(bytes.NewReader(out))
	var last lndPayment
	ok := false
	for {
		var p lndPayment
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return last, ok, nil
		}
		if err != nil {
			return lndPayment{}, false, err
		}
		last, ok = p, true
	}
}

// ListPayments returns every payment lnd has made or tried, failed and
// in-flight ones included (`lncli listpayments --include_incomplete`),
// oldest first. lnd returns at most 100 payments per call (whatever
// lncli's help says), so ListPayments pages through them.
func (l *Lnd) ListPayments(ctx context.Context) ([]PaymentResult, error) {
	return l.listPayments(ctx, listPaymentsPage)
}

// listPayments is ListPayments asking for pageSize payments at a time.
func (l *Lnd) listPayments(ctx context.Context, pageSize int) ([]PaymentResult, error) {
	var out []PaymentResult
	var offset uint64
	for {
		var page struct {
			Payments        []lndPayment `json:"payments"`
			LastIndexOffset uint64       `json:"last_index_offset,string"`
		}
		if err := l.cliJSONContext(ctx, &page, "listpayments", "--include_incomplete", "--paginate_forwards",
			"--index_offset="+strconv.FormatUint(offset, 10), "--max_payments="+strconv.Itoa(pageSize)); err != nil {
			return nil, err
		}
		for _, p := range page.Payments {
			r, err := p.result()
			if err != nil {
				return nil, fmt.Errorf("regtest: lncli listpayments (%s): %w", l.Alias, err)
			}
			out = append(out, r)
		}
		if len(page.Payments) < pageSize || page.LastIndexOffset <= offset {
			return out, nil
		}
		offset = page.LastIndexOffset
	}
}

// listPaymentsPage is how many payments ListPayments asks for at a time
// (lnd's own limit per call).
const listPaymentsPage = 100

// PayOutcome is what PayConcurrently reports for one invoice.
type PayOutcome struct {
	Invoice string
	Result  PaymentResult
	Err     error // PayInvoice's error
	// Elapsed is how long lncli took, start of the process to its end.
	Elapsed time.Duration
}

// PayConcurrently pays invoices with PayInvoice (timeout
// DefaultPaymentTimeout each), at most concurrency (at least 1) at a time,
// and returns one outcome per invoice, in the order of invoices. It always
// pays or tries every invoice: check each outcome's Err. Each payment is
// one lncli process.
func (l *Lnd) PayConcurrently(ctx context.Context, invoices []string, concurrency int) []PayOutcome {
	concurrency = max(concurrency, 1)
	outcomes := make([]PayOutcome, len(invoices))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(concurrency, len(invoices)) {
		wg.Go(func() {
			for i := range next {
				start := time.Now()
				res, err := l.PayInvoice(ctx, invoices[i], DefaultPaymentTimeout)
				outcomes[i] = PayOutcome{Invoice: invoices[i], Result: res, Err: err, Elapsed: time.Since(start)}
			}
		})
	}
	for i := range invoices {
		next <- i
	}
	close(next)
	wg.Wait()
	return outcomes
}
