package interop

import (
	"testing"
	"time"
)

// perChannelType runs test once per channel type, anchors and
// static_remotekey, as parallel subtests named for the type, each given
// the sample node's binary (built once). It is for the tests that start
// btcd and lnd: skipped with -short, parallel to the package's others.
func perChannelType(t *testing.T, test func(t *testing.T, bin string, anchors bool)) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	t.Parallel()
	bin := buildSampleNode(t)
	for _, anchors := range []bool{true, false} {
		name := "static_remotekey"
		if anchors {
			name = "anchors"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, bin, anchors)
		})
	}
}

// scenario is one step of a test that runs steps in turn on one rig R.
type scenario[R any] struct {
	name string
	run  func(R)
}

// runScenarios runs steps in turn as subtests of t, each on r with
// setT(subtest) called first (the rig's helpers fail that subtest) and
// setT(t) after; it logs each step's time with what (the rig), and stops
// at the first failure: later steps build on the balances of earlier ones.
func runScenarios[R any](t *testing.T, what string, r R, setT func(*testing.T), steps []scenario[R]) {
	t.Helper()
	start := time.Now()
	for _, st := range steps {
		stepStart := time.Now()
		ok := t.Run(st.name, func(t *testing.T) {
			setT(t)
			st.run(r)
		})
		setT(t)
		t.Logf("%s: %s took %s", what, st.name, time.Since(stepStart).Round(time.Millisecond))
		if !ok {
			t.FailNow()
		}
	}
	t.Logf("%s: all steps in %s", what, time.Since(start).Round(time.Millisecond))
}
