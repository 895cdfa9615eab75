package regtest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/internal/regtest"
)

// feeAnswer is what lnd decodes from a fee URL (chainfee.WebAPIResponse).
type feeAnswer struct {
	FeeByBlockTarget map[uint32]uint32 `json:"fee_by_block_target"`
	MinRelayFeerate  uint32            `json:"min_relay_feerate"`
}

// tryGetFees queries the server as lnd does.
func tryGetFees(url string) (feeAnswer, error) {
	var a feeAnswer
	resp, err := http.Get(url)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return a, fmt.Errorf("status %s", resp.Status)
	}
	err = json.NewDecoder(resp.Body).Decode(&a)
	return a, err
}

// getFees is tryGetFees failing the test on error.
func getFees(t *testing.T, url string) feeAnswer {
	t.Helper()
	a, err := tryGetFees(url)
	require.NoError(t, err)
	return a
}

// TestFeeServer checks the answer's format and units (sat/kvB, lnd's
// sparse conf format), that SetRate shows in the next answer, concurrent
// use, and the rates SetRate refuses.
func TestFeeServer(t *testing.T) {
	f := regtest.StartFeeServer(t, 1250)
	require.True(t, strings.HasPrefix(f.URL, "http://127.0.0.1:"), f.URL)
	a := getFees(t, f.URL)
	require.EqualValues(t, 253*4, a.MinRelayFeerate, "lnd's floor, sat/kvB")
	require.Contains(t, a.FeeByBlockTarget, uint32(1))
	require.Contains(t, a.FeeByBlockTarget, uint32(3), "lnd's links ask for 3 blocks")
	for target, rate := range a.FeeByBlockTarget {
		require.EqualValues(t, 5000, rate, "target %d: 1250 sat/kw is 5000 sat/kvB", target)
	}

	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range 8 {
		wg.Go(func() {
			errs[2*i] = f.SetRate(uint32(1000 + i))
			_ = f.Rate()
		})
		wg.Go(func() { _, errs[2*i+1] = tryGetFees(f.URL) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.NoError(t, f.SetRate(2500))
	require.EqualValues(t, 2500, f.Rate())
	require.EqualValues(t, 10_000, getFees(t, f.URL).FeeByBlockTarget[3])
	require.EqualValues(t, 10, f.Requests())

	require.Error(t, f.SetRate(0))
	require.Error(t, f.SetRate(1<<30+1))
	require.EqualValues(t, 2500, f.Rate(), "a refused rate changes nothing")
}

// TestLndFastFee runs lnd-fastfee with its estimate from a FeeServer: a
// channel it opens starts at the server's rate, and once the rate moves
// lnd sends update_fee within seconds (the release lnd waits 10 to 60
// minutes), which its peer (a release lnd) accepts.
func TestLndFastFee(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: starts btcd/lnd; run without -short")
	}
	btcd := regtest.StartBtcd(t, regtest.BtcdOptions{})
	btcd.ActivateSegwit(t)
	fees := regtest.StartFeeServer(t, 1250)
	alice := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "alice", FastFee: true, FeeURL: fees.URL})
	bob := regtest.StartLnd(t, btcd, regtest.LndOptions{Alias: "bob"})
	out, err := exec.Command(regtest.Binaries(t).LndFastFee, "--version").CombinedOutput()
	require.NoError(t, err)
	require.Contains(t, string(out), "fastfee", "lnd-fastfee's build.Commit names the variant")
	t.Logf("%s", strings.TrimSpace(string(out)))

	alice.Fund(t, 1_000_000)
	chanPoint := alice.OpenChannel(t, bob, 500_000, "--channel_type=tweakless")
	txid, _, _ := strings.Cut(chanPoint, ":")
	c, ok := alice.FindChannel(t, txid)
	require.True(t, ok)
	require.EqualValues(t, 1250, c.FeePerKw, "opened at the server's rate")
	asked := fees.Requests()
	require.Positive(t, asked, "lnd queried the fee server")

	require.NoError(t, fees.SetRate(2000))
	start := time.Now()
	regtest.WaitFor(t, "alice's update_fee to 2000 sat/kw, on both sides", func() (bool, string) {
		a, _ := alice.FindChannel(t, txid)
		b, _ := bob.FindChannel(t, txid)
		return a.FeePerKw == 2000 && b.FeePerKw == 2000, "alice " + itoa(a.FeePerKw) + ", bob " + itoa(b.FeePerKw) + " sat/kw"
	})
	t.Logf("update_fee 1250 -> 2000 sat/kw after %s; %d fee queries", time.Since(start).Round(time.Millisecond), fees.Requests()-asked)
}
