package regtest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Invoice states of lnd (InvoiceState.State).
const (
	InvoiceOpen     = "OPEN"
	InvoiceSettled  = "SETTLED"
	InvoiceCanceled = "CANCELED"
	// InvoiceAccepted is a hold invoice whose HTLCs are locked in but
	// not yet settled; the harness never creates hold invoices.
	InvoiceAccepted = "ACCEPTED"
)

// ErrInvoiceNotFound is returned (wrapped) by LookupInvoice when lnd has no
// invoice for the hash.
var ErrInvoiceNotFound = errors.New("regtest: invoice not found")

// ErrInvoiceCanceled is returned (wrapped) by WaitInvoiceSettled when the
// invoice was canceled instead of settled.
var ErrInvoiceCanceled = errors.New("regtest: invoice canceled")

// InvoiceState is one invoice of lnd (`lncli lookupinvoice`), amounts in
// millisatoshis.
type InvoiceState struct {
	Hash     [32]byte // r_hash
	Preimage [32]byte // r_preimage (lnd knows it for its own invoices)
	// State is InvoiceOpen, InvoiceSettled, InvoiceCanceled or
	// InvoiceAccepted.
	State       string
	Memo        string
	ValueMsat   uint64 // the invoice's amount; 0 for an amountless invoice
	AmtPaidMsat uint64 // what the settled HTLCs paid (can exceed ValueMsat)
	IsKeysend   bool   // created by lnd on receiving a keysend payment
	// HTLCs is how many HTLCs paid (or tried to pay) the invoice.
	HTLCs      int
	SettleDate time.Time // zero unless settled
}

// lndInvoice is `lncli lookupinvoice` as lnd v0.20 prints it: bytes as
// hex, 64-bit integers as strings.
type lndInvoice struct {
	Memo        string            `json:"memo"`
	RPreimage   string            `json:"r_preimage"`
	RHash       string            `json:"r_hash"`
	ValueMsat   uint64            `json:"value_msat,string"`
	AmtPaidMsat uint64            `json:"amt_paid_msat,string"`
	State       string            `json:"state"`
	IsKeysend   bool              `json:"is_keysend"`
	SettleDate  int64             `json:"settle_date,string"`
	HTLCs       []json.RawMessage `json:"htlcs"`
}

// AddInvoice creates an invoice of amtMsat millisatoshis (0 for an
// amountless invoice) with memo, expiring after expirySecs seconds (0 for
// lnd's default of 86,400), and returns its BOLT 11 encoding and payment
// hash.
func (l *Lnd) AddInvoice(ctx context.Context, amtMsat uint64, memo string, expirySecs int64) (string, [32]byte, error) {
	args := []string{"addinvoice", "--memo=" + memo}
	if amtMsat != 0 {
		args = append(args, "--amt_msat="+strconv.FormatUint(amtMsat, 10))
	}
	if expirySecs != 0 {
		args = append(args, "--expiry="+strconv.FormatInt(expirySecs, 10))
	}
	var res struct {
		RHash          string `json:"r_hash"`
		PaymentRequest string `json:"payment_request"`
	}
	if err := l.cliJSONContext(ctx, &res, args...); err != nil {
		return "", [32]byte{}, err
	}
	hash, err := parseHash32(res.RHash)
	if err != nil || res.PaymentRequest == "" {
		return "", [32]byte{}, fmt.Errorf("regtest: lncli addinvoice (%s): r_hash %q, payment_request %q: %v", l.Alias, res.RHash, res.PaymentRequest, err)
	}
	return res.PaymentRequest, hash, nil
}

// LookupInvoice returns lnd's invoice of payment hash; the error wraps
// ErrInvoiceNotFound when lnd has none.
func (l *Lnd) LookupInvoice(ctx context.Context, hash [32]byte) (InvoiceState, error) {
	var inv lndInvoice
	if err := l.cliJSONContext(ctx, &inv, "lookupinvoice", "--rhash="+hex.EncodeToString(hash[:])); err != nil {
		// lnd v0.20: "rpc error: code = NotFound desc = unable to locate invoice"
		if strings.Contains(err.Error(), "unable to locate invoice") {
			return InvoiceState{}, fmt.Errorf("%w: %x on %s", ErrInvoiceNotFound, hash, l.Alias)
		}
		return InvoiceState{}, err
	}
	st := InvoiceState{
		State:       inv.State,
		Memo:        inv.Memo,
		ValueMsat:   inv.ValueMsat,
		AmtPaidMsat: inv.AmtPaidMsat,
		IsKeysend:   inv.IsKeysend,
		HTLCs:       len(inv.HTLCs),
	}
	if inv.SettleDate != 0 {
		st.SettleDate = time.Unix(inv.SettleDate, 0)
	}
	var err error
	if st.Hash, err = parseHash32(inv.RHash); err == nil && inv.RPreimage != "" {
		st.Preimage, err = parseHash32(inv.RPreimage)
	}
	if err != nil {
		return InvoiceState{}, fmt.Errorf("regtest: lncli lookupinvoice (%s): %w", l.Alias, err)
	}
	return st, nil
}

// CancelInvoice cancels lnd's open invoice of payment hash (`lncli
// cancelinvoice`): lnd then fails every HTLC paying it, and the payer sees
// FAILURE_REASON_INCORRECT_PAYMENT_DETAILS.
func (l *Lnd) CancelInvoice(ctx context.Context, hash [32]byte) error {
	_, err := l.cliContext(ctx, "cancelinvoice", "--paymenthash="+hex.EncodeToString(hash[:]))
	return err
}

// WaitInvoiceSettled polls LookupInvoice until the invoice of hash is
// SETTLED and returns it. It fails with an error wrapping
// ErrInvoiceCanceled if the invoice is canceled, and with the last state
// seen after timeout (or when ctx ends).
func (l *Lnd) WaitInvoiceSettled(ctx context.Context, hash [32]byte, timeout time.Duration) (InvoiceState, error) {
	var st InvoiceState
	err := pollContext(ctx, timeout, func(ctx context.Context) (bool, string, error) {
		var err error
		st, err = l.LookupInvoice(ctx, hash)
		switch {
		case err != nil:
			return false, err.Error(), nil
		case st.State == InvoiceCanceled:
			return false, "", fmt.Errorf("%w: %x on %s", ErrInvoiceCanceled, hash, l.Alias)
		}
		return st.State == InvoiceSettled, "state " + st.State, nil
	})
	if err != nil {
		return st, fmt.Errorf("regtest: %s invoice %x settled: %w", l.Alias, hash, err)
	}
	return st, nil
}

// cliJSONContext runs lncli bounded by ctx and decodes its JSON output into
// out.
func (l *Lnd) cliJSONContext(ctx context.Context, out any, args ...string) error {
	raw, err := l.cliContext(ctx, args...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("regtest: lncli %s (%s): decode %q: %w", strings.Join(args, " "), l.Alias, truncate(raw, 500), err)
	}
	return nil
}

// parseHash32 decodes a 32-byte value lncli prints as 64 hex digits.
func parseHash32(s string) ([32]byte, error) {
	var h [32]byte
	b, err := hex.DecodeString(s)
	if err != nil {
		return h, fmt.Errorf("regtest: %q is not hex: %w", s, err)
	}
	if len(b) != len(h) {
		return h, fmt.Errorf("regtest: %q is %d bytes, want 32", s, len(b))
	}
	copy(h[:], b)
	return h, nil
}
