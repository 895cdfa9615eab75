package graph_test

import (
	"context"
	"errors"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/router/graph"
	"github.com/lnkit/lnkit/router/graph/graphtest"
	"github.com/lnkit/lnkit/wire"
)

func signWith(k *btcec.PrivateKey, h chainhash.Hash) wire.Signature {
	return wire.NewSignatureFromECDSA(ecdsa.Sign(k, h[:]))
}

// resignAnn signs m with the keys of its nodes (found in n) and, for the
// bitcoin key 2, with btc2 when given.
func resignAnn(n *graphtest.Network, m *wire.ChannelAnnouncement, btc2 *btcec.PrivateKey) {
	find := func(id wire.NodeID) int {
		for i, x := range n.NodeIDs {
			if x == id {
				return i
			}
		}
		panic("unknown node")
	}
	a, b := find(m.NodeID1), find(m.NodeID2)
	if btc2 == nil {
		btc2 = n.Funding[b]
	}
	h, _ := m.SignedDataHash()
	m.NodeSignature1 = signWith(n.Keys[a], h)
	m.NodeSignature2 = signWith(n.Keys[b], h)
	m.BitcoinSignature1 = signWith(n.Funding[a], h)
	m.BitcoinSignature2 = signWith(btc2, h)
}

type countingSource struct {
	inner graph.UTXOSource
	calls int
}

func (c *countingSource) FundingOutput(ctx context.Context, scid wire.ShortChannelID) (graph.FundingOutput, error) {
	c.calls++
	return c.inner.FundingOutput(ctx, scid)
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
