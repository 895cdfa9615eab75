package regtest

import "context"

// ListPaymentsPaged is ListPayments asking lnd for pageSize payments at a
// time, so tests can check the paging without making 100 payments.
func (l *Lnd) ListPaymentsPaged(ctx context.Context, pageSize int) ([]PaymentResult, error) {
	return l.listPayments(ctx, pageSize)
}
