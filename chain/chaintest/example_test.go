package chaintest_test

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
)

// confirmations is the consumer under test, a chain.Listen of the user's
// own: it counts the confirmations of one transaction.
type confirmations struct {
	txid   chainhash.Hash
	block  chainhash.Hash // the block it confirmed in, zero if none
	height int32          // that block's height
	tip    int32
}

func (c *confirmations) BlockConnected(block *btcwire.MsgBlock, height int32) {
	c.tip = height
	for _, tx := range block.Transactions {
		if tx.TxHash() == c.txid {
			c.block, c.height = block.BlockHash(), height
		}
	}
}

func (c *confirmations) BlockDisconnected(header *btcwire.BlockHeader, height int32) {
	c.tip = height - 1
	if header.BlockHash() == c.block {
		c.block = chainhash.Hash{}
	}
}

func (c *confirmations) count() int32 {
	if c.block == (chainhash.Hash{}) {
		return 0
	}
	return c.tip - c.height + 1
}

// A Listen consumer driven by the real chain.Poller over a chaintest.Chain:
// a transaction confirms, gains confirmations, and loses them all when a
// reorganisation takes its block out of the main chain.
func Example() {
	ctx := context.Background()
	c := chaintest.NewChain()
	poller, err := chain.NewPoller(chain.PollerConfig{Source: c})
	if err != nil {
		panic(err)
	}
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(&btcwire.TxIn{PreviousOutPoint: btcwire.OutPoint{Hash: chainhash.Hash{1}}})
	tx.AddTxOut(btcwire.NewTxOut(1000, []byte{0x51}))
	conf := &confirmations{txid: tx.TxHash()}
	poller.AddListener(conf, c.Tip())

	c.Mine(2)
	c.MineTx(tx)
	c.Mine(2)
	if err := poller.PollOnce(ctx); err != nil {
		panic(err)
	}
	fmt.Println("confirmations:", conf.count())

	c.Reorg(3, 4) // a longer branch without the transaction's block
	if err := poller.PollOnce(ctx); err != nil {
		panic(err)
	}
	fmt.Println("after the reorg:", conf.count(), "at height", conf.tip)
	// Output:
	// confirmations: 3
	// after the reorg: 0 at height 6
}
