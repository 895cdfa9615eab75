package wallet_test

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/rpc"
	"github.com/lnkit/lnkit/chain/wallet"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist"
)

// Example shows how a node composes the wallet: the chain client is its
// fee estimator, broadcaster and block source; a poller drives it from its
// own best block.
func Example() {
	ctx := context.Background()
	var (
		seed   keys.Seed       // from keys.ReadSeedFile
		store  persist.KVStore // e.g. persist/fsstore
		client *rpc.Client     // rpc.Dial(ctx, rpc.Config{...})
	)
	mgr := keys.NewManager(seed, keys.Config{})
	w, err := wallet.Open(ctx, wallet.Config{
		Seed:        seed,
		Params:      &chaincfg.MainNetParams,
		Store:       store,
		Fees:        client,
		Broadcaster: client,
		Signers: func(id [32]byte) (spendable.Signer, error) {
			return mgr.ChannelKeys(id), nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	poller, err := chain.NewPoller(chain.PollerConfig{Source: client})
	if err != nil {
		fmt.Println(err)
		return
	}
	poller.AddListener(w, w.BestBlock())
	go poller.Run(ctx) //nolint:errcheck // runs until ctx ends

	addr, _ := w.NewAddress(ctx, wallet.P2TR) // newaddress
	fmt.Println(addr, w.Balance().Confirmed)  // getbalance
	_, _ = w.SendToAddress(ctx, addr, 100_000, chain.TargetOutputSpending)
	for _, tx := range w.Transactions() { // listtransactions
		fmt.Println(tx.TxID, tx.Amount, tx.Confirmations)
	}
}
