package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/lnkit/lnkit/wire"
)

// Usage lines of the payment commands.
const (
	getInvoiceUsage  = "getinvoice <amount_msats> <expiry_secs> [description...]"
	sendPaymentUsage = "sendpayment <invoice> [amount_msats]"
	keysendUsage     = "keysend <pubkey> <amount_msats>"
)

// maxMsat is 21 million bitcoin, in millisatoshis.
const maxMsat = maxSats * 1000

// paymentCommand parses and runs getinvoice, sendpayment, keysend and
// listpayments; rest is the line after the command's name.
func paymentCommand(ctx context.Context, node commander, name, rest string) (result, error) {
	args := strings.Fields(rest)
	switch name {
	case "getinvoice":
		if len(args) < 2 {
			return nil, errors.New("usage: " + getInvoiceUsage)
		}
		amount, err := parseMsat(args[0], true)
		if err != nil {
			return nil, fmt.Errorf("getinvoice: %w", err)
		}
		expiry, err := strconv.ParseUint(args[1], 10, 32)
		if err != nil || expiry == 0 {
			return nil, fmt.Errorf("getinvoice: expiry %q: want a whole number of seconds, from 1 to %d", args[1], uint32(math.MaxUint32))
		}
		return node.getInvoice(amount, uint32(expiry), afterFields(rest, 2))
	case "sendpayment":
		if len(args) < 1 || len(args) > 2 {
			return nil, errors.New("usage: " + sendPaymentUsage)
		}
		var amount wire.MilliSatoshi
		if len(args) == 2 {
			var err error
			if amount, err = parseMsat(args[1], false); err != nil {
				return nil, fmt.Errorf("sendpayment: %w", err)
			}
		}
		return node.sendPayment(ctx, args[0], amount)
	case "keysend":
		if len(args) != 2 {
			return nil, errors.New("usage: " + keysendUsage)
		}
		payee, err := wire.ParseNodeID(args[0])
		if err != nil {
			return nil, fmt.Errorf("keysend: %w", err)
		}
		amount, err := parseMsat(args[1], false)
		if err != nil {
			return nil, fmt.Errorf("keysend: %w", err)
		}
		return node.keysend(ctx, payee, amount)
	default: // listpayments
		if len(args) != 0 {
			return nil, errors.New("usage: listpayments")
		}
		return node.listPayments(ctx)
	}
}

// parseMsat parses an amount of millisatoshis: a whole number up to 21
// million bitcoin, zero only when zeroOK.
func parseMsat(s string, zeroOK bool) (wire.MilliSatoshi, error) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > maxMsat || (v == 0 && !zeroOK) {
		low := 1
		if zeroOK {
			low = 0
		}
		return 0, fmt.Errorf("amount %q: want a whole number of millisatoshis, from %d to %d", s, low, uint64(maxMsat))
	}
	return wire.MilliSatoshi(v), nil
}

// afterFields returns s without its first n fields (as strings.Fields
// splits them) and the spaces around them: getinvoice's description
// keeps its inner spacing.
func afterFields(s string, n int) string {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	for range n {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			return ""
		}
		s = strings.TrimLeftFunc(s[i:], unicode.IsSpace)
	}
	return strings.TrimSpace(s)
}
