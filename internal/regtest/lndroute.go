package regtest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// PayOptions constrain the payments of PayInvoiceWith. The zero value is
// PayInvoice's.
type PayOptions struct {
	// OutgoingChanID is --outgoing_chan_id: the first hop's channel
	// (lnd's decimal short channel id); 0 leaves the choice to lnd.
	OutgoingChanID uint64
	// MaxParts is --max_parts: the most HTLCs the payment is split into;
	// 0 means lnd's default (16).
	MaxParts int
	// Timeout is the payment timeout (0: DefaultPaymentTimeout).
	Timeout time.Duration
}

// PayInvoiceWith is PayInvoice with the route constrained by opts.
func (l *Lnd) PayInvoiceWith(ctx context.Context, bolt11 string, opts PayOptions) (PaymentResult, error) {
	args := []string{"payinvoice", "--force", "--pay_req=" + bolt11}
	if opts.OutgoingChanID != 0 {
		args = append(args, "--outgoing_chan_id="+strconv.FormatUint(opts.OutgoingChanID, 10))
	}
	if opts.MaxParts != 0 {
		args = append(args, "--max_parts="+strconv.Itoa(opts.MaxParts))
	}
	return l.pay(ctx, opts.Timeout, args...)
}

// AddHoldInvoice creates a hold invoice (`lncli addholdinvoice`) of
// amtMsat for hash, with a min_final_cltv_expiry_delta of cltvDelta
// blocks, and returns its BOLT 11 encoding. lnd accepts its HTLCs and
// holds them until SettleInvoice (or CancelInvoice).
func (l *Lnd) AddHoldInvoice(ctx context.Context, hash [32]byte, amtMsat uint64, cltvDelta int, memo string) (string, error) {
	var res struct {
		PaymentRequest string `json:"payment_request"`
	}
	if err := l.cliJSONContext(ctx, &res, "addholdinvoice", "--amt_msat="+strconv.FormatUint(amtMsat, 10),
		"--cltv_expiry_delta="+strconv.Itoa(cltvDelta), "--memo="+memo, hex.EncodeToString(hash[:])); err != nil {
		return "", err
	}
	if res.PaymentRequest == "" {
		return "", fmt.Errorf("regtest: %s addholdinvoice printed no payment_request", l.Alias)
	}
	return res.PaymentRequest, nil
}

// SettleInvoice settles a hold invoice with its preimage (`lncli
// settleinvoice`).
func (l *Lnd) SettleInvoice(ctx context.Context, preimage [32]byte) error {
	_, err := l.cliContext(ctx, "settleinvoice", hex.EncodeToString(preimage[:]))
	return err
}

// LndEdge is one channel of lnd's graph (`lncli describegraph`): its
// short channel id, its nodes, and whether lnd has each node's policy
// (its channel_update).
type LndEdge struct {
	ChanID           uint64
	Node1, Node2     string // hex node ids
	Policy1, Policy2 bool
}

// GraphEdges returns the channels of lnd's graph.
func (l *Lnd) GraphEdges(ctx context.Context) ([]LndEdge, error) {
	var g struct {
		Edges []struct {
			ChannelID uint64           `json:"channel_id,string"`
			Node1     string           `json:"node1_pub"`
			Node2     string           `json:"node2_pub"`
			Policy1   *json.RawMessage `json:"node1_policy"`
			Policy2   *json.RawMessage `json:"node2_policy"`
		} `json:"edges"`
	}
	if err := l.cliJSONContext(ctx, &g, "describegraph"); err != nil {
		return nil, err
	}
	out := make([]LndEdge, len(g.Edges))
	for i, e := range g.Edges {
		out[i] = LndEdge{ChanID: e.ChannelID, Node1: e.Node1, Node2: e.Node2,
			Policy1: e.Policy1 != nil && string(*e.Policy1) != "null", Policy2: e.Policy2 != nil && string(*e.Policy2) != "null"}
	}
	return out, nil
}
