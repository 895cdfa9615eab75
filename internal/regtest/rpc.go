package regtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// RPCError is an error answer from btcd's JSON-RPC server, for example a
// rejected sendrawtransaction. Use errors.As to inspect the code.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *RPCError) Error() string {
	return fmt.Sprintf("regtest: btcd rpc error %d: %s", e.Code, e.Message)
}

// rpcClient is a minimal JSON-RPC 1.0 client for btcd over HTTPS, trusting
// only btcd's self-signed certificate.
type rpcClient struct {
	url, user, pass string
	http            *http.Client
}

// newRPCClient reads the certificate at certPath and returns a client for
// https://addr/.
func newRPCClient(addr, user, pass, certPath string) (*rpcClient, error) {
	pem, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("regtest: read btcd certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("regtest: no certificate in %s", certPath)
	}
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true, // btcd closes idle connections eagerly
	}
	return &rpcClient{
		url:  "https://" + addr + "/",
		user: user,
		pass: pass,
		http: &http.Client{Transport: tr, Timeout: 5 * time.Minute},
	}, nil
}

// call sends one request and returns the raw result.
func (c *rpcClient) call(ctx context.Context, method string, params []any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(struct {
		JSONRPC string `json:"jsonrpc"`
		ID      int    `json:"id"`
		Method  string `json:"method"`
		Params  []any  `json:"params"`
	}{"1.0", 1, method, params})
	if err != nil {
		return nil, fmt.Errorf("regtest: encode %s request: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("regtest: %s request: %w", method, err)
	}
	req.SetBasicAuth(c.user, c.pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("regtest: btcd %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("regtest: btcd %s: read response: %w", method, err)
	}
	var out struct {
		Result json.RawMessage `json:"result"`
		Error  *RPCError       `json:"error"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("regtest: btcd %s: HTTP %s: %q", method, resp.Status, truncate(raw, 300))
	}
	if out.Error != nil {
		return nil, out.Error
	}
	return out.Result, nil
}

// truncate returns at most n bytes of b.
func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
