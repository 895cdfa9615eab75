package lnkittest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/lnkittest"
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/persist"
)

// fatal is the panic value of recordingTB.Fatalf.
type fatal string

// recordingTB turns Fatalf into a panic the test recovers, to check the
// harness fails a test, and how.
type recordingTB struct{ testing.TB }

func (recordingTB) Fatalf(format string, args ...any) { panic(fatal(fmt.Sprintf(format, args...))) }

// failure runs f and returns the message it failed the test with ("" if
// it did not).
func failure(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = string(r.(fatal))
		}
	}()
	f()
	return ""
}

func TestHarnessFailures(t *testing.T) {
	tb := recordingTB{t}
	tests := []struct {
		name string
		run  func()
		want string
	}{
		{"bad options", func() { lnkittest.NewNetwork(tb, lnkittest.Options{Nodes: -1}) }, "lnkittest: invalid config: Nodes"},
		{"no such node", func() { lnkittest.NewNetwork(tb, lnkittest.Options{}).Node(2) }, "no node 2"},
		{"livelock", func() {
			net, hs := withCustom(tb, lnkittest.Options{MaxDeliverRounds: 50}, 0, 1) // both echo forever
			net.Connect(net.Node(0), net.Node(1))
			hs[0].Send(net.Node(1).ID(), msg("ping-pong"))
			net.DeliverAll()
		}, "livelock"},
		{"untracked bytes", func() {
			net := lnkittest.NewNetwork(tb, lnkittest.Options{})
			net.Connect(net.Node(0), net.Node(1))
			for range peer.DefaultPingIntervalTicks {
				net.Tick() // the Managers' own pings are in flight
			}
			net.DeliverOne(net.Node(0), net.Node(1))
		}, "use DeliverAll"},
		{"crash twice", func() {
			net := lnkittest.NewNetwork(tb, lnkittest.Options{})
			net.Crash(net.Node(0))
			net.Crash(net.Node(0))
		}, "node 0 is crashed"},
		{"restart running", func() {
			net := lnkittest.NewNetwork(tb, lnkittest.Options{})
			net.Restart(net.Node(1))
		}, "node 1 is running"},
		{"corrupt checkpoint", func() {
			net := lnkittest.NewNetwork(tb, lnkittest.Options{})
			a := net.Node(0)
			ns := persist.Namespace{Primary: "lnkittest", Secondary: "best_block"}
			require.NoError(t, a.Store.Write(context.Background(), ns, "chain_monitor", []byte("not a block")))
			net.Crash(a)
			net.Restart(a)
		}, "corrupt chain checkpoint"},
		{"reorg past genesis", func() {
			lnkittest.NewNetwork(tb, lnkittest.Options{}).Reorg(1, 2)
		}, "lnkittest: Reorg"},
		{"complete an update not held", func() {
			net := lnkittest.NewNetwork(tb, lnkittest.Options{})
			net.CompleteMonitorUpdate(net.Node(0), lnkittest.MonitorUpdate{UpdateID: 7})
		}, "monitor update 7"},
		{"pay from a crashed node", func() {
			net := lnkittest.NewNetwork(tb, lnkittest.Options{})
			net.Crash(net.Node(0))
			_, _ = net.Pay(net.Node(0), net.Node(1), 1000)
		}, "Pay: node 0 is crashed"},
		{"connect twice", func() {
			net := lnkittest.NewNetwork(tb, lnkittest.Options{})
			net.Connect(net.Node(0), net.Node(1))
			net.Connect(net.Node(1), net.Node(0))
		}, "already connected"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, failure(tc.run), tc.want)
		})
	}
}
