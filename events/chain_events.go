package events

import (
	"fmt"
	"log/slog"

	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/wire"
)

// SpendableOutputs: outputs the node can spend alone are deep enough on
// chain (the monitor waits 6 blocks) and should be swept to the wallet
// (chain/wallet's Sweep). Keep the descriptors until the sweep confirms:
// the event is not raised again once handled.
type SpendableOutputs struct {
	Meta
	// Outputs are the descriptors, each with what its signer needs.
	Outputs []spendable.Output
	// ChannelID is the channel they come from (zero when none).
	ChannelID wire.ChannelID
}

// Kind returns KindSpendableOutputs.
func (*SpendableOutputs) Kind() Kind { return KindSpendableOutputs }

// String describes e.
func (e *SpendableOutputs) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *SpendableOutputs) LogValue() slog.Value { return logValue(e) }

func (e *SpendableOutputs) check() error {
	if len(e.Outputs) == 0 {
		return fmt.Errorf("%w: no outputs", errFieldValue)
	}
	for i := range e.Outputs {
		if k := e.Outputs[i].Kind; k < spendable.StaticRemote || k > spendable.Anchor {
			return fmt.Errorf("%w: output %d of kind %d", errFieldValue, i, uint8(k))
		}
	}
	return nil
}

func (e *SpendableOutputs) fields() []field {
	return []field{
		outputsField(2, "outputs", &e.Outputs),
		hash32Field(4, "channel_id", (*[32]byte)(&e.ChannelID), true),
	}
}

// BumpTransaction: a commitment transaction with anchors was broadcast
// (a force close) and its own fee may not get it confirmed in time: the
// application should spend Anchor together with wallet coins in a child
// whose fee brings the package to TargetFeeRate (chain/wallet's BumpFee,
// whose BumpRequest takes these fields). It may be raised again for the
// same ClaimID with a higher rate while the commitment stays unconfirmed.
type BumpTransaction struct {
	Meta
	// ChannelID is the channel force-closed.
	ChannelID wire.ChannelID
	// CounterpartyNodeID is its peer.
	CounterpartyNodeID wire.NodeID
	// ClaimID names the claim across repeated requests (the commitment's
	// txid): a new request with the same ClaimID replaces the previous one.
	ClaimID [32]byte
	// CommitmentTx is the commitment to get confirmed, fully signed.
	CommitmentTx *btcwire.MsgTx
	// CommitmentTxFee is the fee CommitmentTx pays on its own.
	CommitmentTxFee wire.Satoshi
	// Anchor is our anchor output of CommitmentTx (kind spendable.Anchor).
	Anchor spendable.Output
	// TargetFeeRate is the fee rate commitment and child together must
	// reach.
	TargetFeeRate wire.FeeRate
}

// Kind returns KindBumpTransaction.
func (*BumpTransaction) Kind() Kind { return KindBumpTransaction }

// String describes e.
func (e *BumpTransaction) String() string { return describe(e) }

// LogValue describes e for log/slog.
func (e *BumpTransaction) LogValue() slog.Value { return logValue(e) }

func (e *BumpTransaction) check() error {
	if e.CommitmentTx == nil {
		return fmt.Errorf("%w: no commitment transaction", errFieldValue)
	}
	if e.Anchor.Kind != spendable.Anchor {
		return fmt.Errorf("%w: anchor output of kind %s", errFieldValue, e.Anchor.Kind)
	}
	return nil
}

func (e *BumpTransaction) fields() []field {
	return []field{
		hash32Field(2, "channel_id", (*[32]byte)(&e.ChannelID), true),
		nodeIDField(4, "counterparty", &e.CounterpartyNodeID),
		hash32Field(6, "claim_id", &e.ClaimID, true),
		txField(8, "commitment_txid", &e.CommitmentTx),
		uintField(10, "commitment_fee_sat", &e.CommitmentTxFee),
		outputField(12, "anchor", &e.Anchor),
		uintField(14, "target_feerate_per_kw", &e.TargetFeeRate),
	}
}
