package regtest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// FeeServerMinRelay is the minimum relay fee rate a FeeServer reports,
// sat/kw: lnd's floor (chainfee.FeePerKwFloor, 253 sat/kw), so that lnd's
// view of the relay fee does not change when it uses the server.
const FeeServerMinRelay = 253

// FeeServer is a fee estimation service for lnd's --fee.url (LndOptions
// FeeURL) that answers with a fee rate the test sets, for every
// confirmation target. On regtest lnd does not cache web estimates: every
// estimate lnd makes (the commitment fee rate of a channel it opens, its
// links' fee update checks, closing fees, sweeps) queries the server, so a
// SetRate shows in lnd's next estimate. It is safe for concurrent use.
type FeeServer struct {
	// URL is the address to give lnd, "http://127.0.0.1:port/".
	URL string

	srv      *httptest.Server
	rate     atomic.Uint32 // sat/kw
	requests atomic.Int64
}

// StartFeeServer starts a FeeServer on 127.0.0.1 answering satPerKw (see
// SetRate) and stops it in the test's cleanup. Start it before the lnd
// that uses it, so that it outlives lnd.
func StartFeeServer(t testing.TB, satPerKw uint32) *FeeServer {
	t.Helper()
	f := &FeeServer{}
	if err := f.SetRate(satPerKw); err != nil {
		t.Fatalf("%v", err)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = f.srv.URL + "/"
	t.Cleanup(f.srv.Close)
	return f
}

// SetRate sets the rate the server answers from now on, in sat/kw (lnd's
// unit for commitment fee rates). It must be positive and at most
// math.MaxUint32/4 (the answer is in sat/kvB, a 32-bit field for lnd).
func (f *FeeServer) SetRate(satPerKw uint32) error {
	if satPerKw == 0 || satPerKw > math.MaxUint32/4 {
		return fmt.Errorf("regtest: fee server rate %d sat/kw out of range (1 to %d)", satPerKw, math.MaxUint32/4)
	}
	f.rate.Store(satPerKw)
	return nil
}

// Rate returns the rate the server answers, sat/kw.
func (f *FeeServer) Rate() uint32 {
	return f.rate.Load()
}

// Requests returns how many estimates the server has answered.
func (f *FeeServer) Requests() int64 {
	return f.requests.Load()
}

// feeServerResponse is lnd's "sparse conf" fee source format
// (chainfee.SparseConfFeeSource): fee rates by confirmation target and the
// minimum relay fee rate, all in sat/kvB.
type feeServerResponse struct {
	FeeByBlockTarget map[string]uint32 `json:"fee_by_block_target"`
	MinRelayFeerate  uint32            `json:"min_relay_feerate"`
}

// serve answers one estimate request.
func (f *FeeServer) serve(w http.ResponseWriter, _ *http.Request) {
	f.requests.Add(1)
	// sat/kw to sat/kvB: a vbyte is 4 weight units.
	perKvB := f.rate.Load() * 4
	resp := feeServerResponse{
		FeeByBlockTarget: make(map[string]uint32),
		MinRelayFeerate:  FeeServerMinRelay * 4,
	}
	// Every target at the one rate; lnd answers a target that is not
	// listed from the next lower one.
	for _, target := range []int{1, 2, 3, 6, 12, 25, 144, 1008} {
		resp.FeeByBlockTarget[strconv.Itoa(target)] = perKvB
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}
