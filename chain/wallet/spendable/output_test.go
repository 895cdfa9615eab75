package spendable_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/keys"
)

// The channel signer of package keys signs sweeps.
var _ spendable.Signer = (*keys.InMemorySigner)(nil)

func TestKindString(t *testing.T) {
	for k, want := range map[spendable.Kind]string{
		spendable.StaticRemote:   "static-remote",
		spendable.AnchorToRemote: "anchor-to-remote",
		spendable.ToLocalDelayed: "to-local-delayed",
		spendable.Anchor:         "anchor",
		0:                        "kind(0)",
	} {
		require.Equal(t, want, k.String())
	}
}
