package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet"
)

// newAddress implements commander: a new P2WPKH address of the wallet.
func (n *node) newAddress(ctx context.Context) (newAddressResult, error) {
	addr, err := n.wallet.NewAddress(ctx, wallet.P2WPKH)
	if err != nil {
		return newAddressResult{}, fmt.Errorf("newaddress: %w", err)
	}
	return newAddressResult{Address: addr.EncodeAddress()}, nil
}

// getBalance implements commander.
func (n *node) getBalance() balanceResult {
	b := n.wallet.Balance()
	return balanceResult{
		ConfirmedSat:   int64(b.Confirmed),
		UnconfirmedSat: int64(b.Unconfirmed),
		ImmatureSat:    int64(b.Immature),
		LockedSat:      int64(b.Locked),
		TotalSat:       int64(b.Total()),
	}
}

// sendToAddress implements commander.
func (n *node) sendToAddress(ctx context.Context, address string, sats int64) (sendResult, error) {
	addr, err := btcutil.DecodeAddress(address, n.cfg.Params)
	if err != nil || !addr.IsForNet(n.cfg.Params) {
		return sendResult{}, fmt.Errorf("sendtoaddress: %q is not a %s address", address, n.cfg.Network)
	}
	tx, err := n.wallet.SendToAddress(ctx, addr, btcutil.Amount(sats), chain.TargetOutputSpending)
	var short *wallet.InsufficientFundsError
	switch {
	case errors.As(err, &short):
		return sendResult{}, fmt.Errorf("sendtoaddress: the wallet has %d sat spendable, %d sat needed with the fee: "+
			"send less, or fund the wallet (newaddress) and wait for a confirmation", int64(short.Available), int64(short.Needed))
	case errors.Is(err, wallet.ErrDust):
		return sendResult{}, fmt.Errorf("sendtoaddress: %w: send more", err)
	case err != nil && tx != nil:
		// Recorded but refused by the chain daemon: forget it so its
		// coins are spendable again.
		n.abandon(ctx, tx.TxHash())
		return sendResult{}, fmt.Errorf("sendtoaddress: %w (the transaction was dropped; the coins are spendable again)", err)
	case err != nil:
		return sendResult{}, fmt.Errorf("sendtoaddress: %w", err)
	}
	return sendResult{Txid: tx.TxHash().String()}, nil
}

// listTransactions implements commander.
func (n *node) listTransactions() listTransactionsResult {
	txs := n.wallet.Transactions()
	r := listTransactionsResult{Transactions: make([]transactionResult, 0, len(txs))}
	for _, t := range txs {
		r.Transactions = append(r.Transactions, transactionResult{
			Txid:          t.TxID.String(),
			AmountSat:     int64(t.Amount),
			FeeSat:        int64(t.Fee),
			Confirmations: t.Confirmations,
			Height:        t.Height,
		})
	}
	return r
}
