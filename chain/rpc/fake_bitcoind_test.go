package rpc

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// fixture loads a recorded bitcoind response from testdata/bitcoind.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "bitcoind", name+".json"))
	require.NoError(t, err, "fixture %s", name)
	return b
}

// rpcReq is a request as the fake server sees it.
type rpcReq struct {
	JSONRPC string            `json:"jsonrpc"`
	ID      json.RawMessage   `json:"id"`
	Method  string            `json:"method"`
	Params  []json.RawMessage `json:"params"`
}

// reply is what a fake handler answers: a recorded response (its id is
// replaced by the request's) and the HTTP status bitcoind would use.
type reply struct {
	fixture []byte
	status  int    // 0: 200 for results, 500 for errors, 404 for method not found
	raw     []byte // sent verbatim instead of fixture (malformed answers)
}

// fakeBitcoind is an httptest server answering like bitcoind from fixtures.
type fakeBitcoind struct {
	t       testing.TB
	srv     *httptest.Server
	mu      sync.Mutex
	user    string
	pass    string
	handler map[string]func(r rpcReq) reply
	calls   []rpcReq
	conns   atomic.Int32
}

// newFakeBitcoind starts a server accepting user:pass. Handlers default to
// the fixture named after the method.
func newFakeBitcoind(t testing.TB, user, pass string) *fakeBitcoind {
	t.Helper()
	f := &fakeBitcoind{t: t, user: user, pass: pass, handler: make(map[string]func(rpcReq) reply)}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// on sets the handler of a method.
func (f *fakeBitcoind) on(method string, h func(rpcReq) reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handler[method] = h
}

// onFixture answers method with a fixture.
func (f *fakeBitcoind) onFixture(method, name string) {
	f.on(method, func(rpcReq) reply { return reply{fixture: fixture(f.t, name)} })
}

// setAuth changes the accepted credentials.
func (f *fakeBitcoind) setAuth(user, pass string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.user, f.pass = user, pass
}

// requests returns the requests received so far.
func (f *fakeBitcoind) requests() []rpcReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]rpcReq(nil), f.calls...)
}

// host returns the server's host:port.
func (f *fakeBitcoind) host() string { return f.srv.Listener.Addr().String() }

// serve answers one request the way bitcoind does: 401 with an empty body
// for bad credentials, JSON-RPC errors with HTTP 500 (404 for unknown
// methods).
func (f *fakeBitcoind) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	user, pass := f.user, f.pass
	f.mu.Unlock()
	u, p, ok := r.BasicAuth()
	if !ok || u != user || p != pass {
		w.Header().Set("WWW-Authenticate", `Basic realm="jsonrpc"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var req rpcReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, req)
	h, ok := f.handler[req.Method]
	f.mu.Unlock()
	var rep reply
	if ok {
		rep = h(req)
	} else {
		rep = reply{fixture: fixture(f.t, "error_method_not_found")}
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.raw != nil {
		w.WriteHeader(max(rep.status, 200))
		w.Write(rep.raw)
		return
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(rep.fixture, &resp); err != nil {
		// Errorf, not require: this runs on the server's goroutine.
		f.t.Errorf("fixture for %s: %v", req.Method, err)
		return
	}
	resp["id"] = req.ID
	body, _ := json.Marshal(resp)
	status := rep.status
	if status == 0 {
		status = http.StatusOK
		if string(resp["error"]) != "null" {
			status = http.StatusInternalServerError
			var e rpcErrorObject
			if json.Unmarshal(resp["error"], &e) == nil && e.Code == CodeMethodNotFound {
				status = http.StatusNotFound
			}
		}
	}
	w.WriteHeader(status)
	w.Write(body)
}
