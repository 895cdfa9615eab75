package events_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/wire"
)

func TestString(t *testing.T) {
	var node wire.NodeID
	node[0] = 2
	e := &events.ChannelClosed{
		Meta:               events.Meta{ID: 7},
		ChannelID:          wire.ChannelID{0xab},
		UserChannelID:      42,
		Reason:             events.CounterpartyError([]byte("bye")),
		CounterpartyNodeID: node,
	}
	require.Equal(t, `channel-closed{id=7 channel_id=ab00000000000000000000000000000000000000000000000000000000000000 user_channel_id=42 reason=counterparty-error message=bye counterparty=`+node.String()+` capacity_sat=0 last_local_balance_msat=0}`, e.String())
	require.Equal(t, "channel-ready{id=0 user_channel_id=0}", (&events.ChannelReady{}).String())
}

// No event prints a channel key id, a script, a transaction, a point, a
// preimage, a payment secret or peer-chosen bytes: neither through fmt nor
// through slog.
func TestLogsHoldNoKeyMaterialOrBulk(t *testing.T) {
	g := newGen(5)
	for _, k := range allKinds {
		for range 20 {
			e := g.event(k)
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("event", "event", e)
			text := buf.String() + fmt.Sprint(e) + fmt.Sprintf("%v %s", e, e)
			for _, secret := range hiddenBytes(e) {
				require.NotContains(t, text, hex.EncodeToString(secret), "%s", k)
			}
			require.Contains(t, buf.String(), `"kind":"`+k.String()+`"`)
		}
	}
}

// hiddenBytes returns what an event must not print.
func hiddenBytes(e events.Event) [][]byte {
	var out [][]byte
	addOutput := func(o spendable.Output) {
		if o.ChannelKeyID != [32]byte{} {
			out = append(out, o.ChannelKeyID[:])
		}
		if len(o.PkScript) >= 8 {
			out = append(out, o.PkScript)
		}
		if o.PerCommitmentPoint != nil {
			out = append(out, o.PerCommitmentPoint.SerializeCompressed())
		}
		if o.RevocationPubKey != nil {
			out = append(out, o.RevocationPubKey.SerializeCompressed())
		}
	}
	switch e := e.(type) {
	case *events.SpendableOutputs:
		for _, o := range e.Outputs {
			addOutput(o)
		}
	case *events.BumpTransaction:
		addOutput(e.Anchor)
	case *events.FundingGenerationReady:
		if len(e.OutputScript) >= 8 {
			out = append(out, e.OutputScript)
		}
	default:
		out = append(out, paymentHiddenBytes(e)...)
	}
	return out
}
