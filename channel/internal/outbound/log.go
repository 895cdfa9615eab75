package outbound

import (
	"fmt"
	"log/slog"
)

// String describes the attempt without its session key.
func (a Attempt) String() string {
	return fmt.Sprintf("attempt(%s, %d hops, %d msat + %d fee, channel %s htlc %d, added %t)",
		a.Status, len(a.Route.Hops), uint64(a.Route.Amount()), uint64(a.Route.TotalFee), a.ChannelID, a.HTLCID, a.Added)
}

// LogValue implements slog.LogValuer without the session key.
func (a Attempt) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("status", a.Status.String()),
		slog.Int("hops", len(a.Route.Hops)),
		slog.Uint64("amount_msat", uint64(a.Route.Amount())),
		slog.Uint64("fee_msat", uint64(a.Route.TotalFee)),
		slog.String("channel_id", a.ChannelID.String()),
		slog.Uint64("htlc_id", a.HTLCID),
		slog.Bool("added", a.Added),
	)
}

// String describes the payment without its secret, preimage or session
// keys.
func (p Payment) String() string {
	return fmt.Sprintf("payment(%s, hash %s, %s, %d msat, fee %d msat, %d attempts, %d in flight, reason %s)",
		p.ID, p.Hash, p.Status, uint64(p.Amount), uint64(p.FeePaid), len(p.Attempts), p.InFlight(), p.FailureReason)
}

// LogValue implements slog.LogValuer without the secret, preimage or
// session keys.
func (p Payment) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", p.ID.String()),
		slog.String("hash", p.Hash.String()),
		slog.String("status", p.Status.String()),
		slog.Uint64("amount_msat", uint64(p.Amount)),
		slog.Uint64("fee_paid_msat", uint64(p.FeePaid)),
		slog.Bool("keysend", p.Keysend),
		slog.Int("attempts", len(p.Attempts)),
		slog.Int("in_flight", p.InFlight()),
		slog.String("failure_reason", p.FailureReason.String()),
	)
}
