package chain_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// errFake is the error the tests inject into a chaintest.Chain.
var errFake = errors.New("fake source failure")

// headersOnly hides a chaintest.Chain's BlockHash, so that a Poller walks
// headers back from the tip instead of stepping by height.
type headersOnly struct{ chain.BlockSource }

// source returns c as a plain BlockSource, or with its BlockHashSource
// capability when withHeights.
func source(c *chaintest.Chain, withHeights bool) chain.BlockSource {
	if withHeights {
		return c
	}
	return headersOnly{c}
}

// reversed returns hs newest first.
func reversed(hs []chainhash.Hash) []chainhash.Hash {
	out := slices.Clone(hs)
	slices.Reverse(out)
	return out
}

// newWatcher returns a Watcher reporting to c.
func newWatcher(tb testing.TB, c chain.Confirm) *chain.Watcher {
	tb.Helper()
	w, err := chain.NewWatcher(chain.WatcherConfig{Confirm: c})
	require.NoError(tb, err)
	return w
}
