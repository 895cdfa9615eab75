package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/lnkit/lnkit/internal/regtest"
)

// lndREST is a client of lnd's REST API (the gRPC gateway: the same
// handlers lncli reaches over gRPC), over one pool of TLS connections, so
// that a payment costs lnd's work and an HTTP round trip, not lncli's
// process start.
type lndREST struct {
	base     string
	macaroon string // hex
	http     *http.Client
}

// newLndREST returns a client of l, started with LndOptions.REST.
func newLndREST(l *regtest.Lnd, conns int) (*lndREST, error) {
	if l.RESTAddr == "" {
		return nil, fmt.Errorf("benchpay: %s has no REST listener", l.Alias)
	}
	pem, err := os.ReadFile(l.TLSCertPath())
	if err != nil {
		return nil, fmt.Errorf("benchpay: %s tls cert: %w", l.Alias, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("benchpay: %s tls cert: no certificate in %s", l.Alias, l.TLSCertPath())
	}
	mac, err := os.ReadFile(l.AdminMacaroonPath())
	if err != nil {
		return nil, fmt.Errorf("benchpay: %s macaroon: %w", l.Alias, err)
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		ForceAttemptHTTP2:   true,
	}
	return &lndREST{base: "https://" + l.RESTAddr, macaroon: hex.EncodeToString(mac), http: &http.Client{Transport: tr}}, nil
}

// close drops the idle connections.
func (c *lndREST) close() { c.http.CloseIdleConnections() }

// post sends body as JSON to path and returns the response, which the
// caller closes.
func (c *lndREST) post(ctx context.Context, path string, body any) (*http.Response, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Grpc-Metadata-macaroon", c.macaroon)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("benchpay: lnd REST %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		resp.Body.Close()
		return nil, fmt.Errorf("benchpay: lnd REST %s: %s: %s", path, resp.Status, msg)
	}
	return resp, nil
}

// addInvoice creates an invoice of amtMsat (POST /v1/invoices) and
// returns its BOLT 11 string.
func (c *lndREST) addInvoice(ctx context.Context, amtMsat uint64, memo string) (string, error) {
	resp, err := c.post(ctx, "/v1/invoices", map[string]string{
		"value_msat": strconv.FormatUint(amtMsat, 10), "memo": memo,
	})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		PaymentRequest string `json:"payment_request"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.PaymentRequest == "" {
		return "", fmt.Errorf("benchpay: lnd REST addinvoice: no payment_request (%v)", err)
	}
	return out.PaymentRequest, nil
}

// payInvoice pays bolt11 (POST /v2/router/send, SendPaymentV2 without
// in-flight updates) and returns when lnd reports it final: nil for
// SUCCEEDED, an error for FAILED or anything else.
func (c *lndREST) payInvoice(ctx context.Context, bolt11 string, timeout time.Duration) error {
	resp, err := c.post(ctx, "/v2/router/send", map[string]any{
		"payment_request":     bolt11,
		"timeout_seconds":     int(timeout / time.Second),
		"fee_limit_sat":       "100",
		"no_inflight_updates": true,
	})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var msg struct {
			Result *struct {
				Status        string `json:"status"`
				FailureReason string `json:"failure_reason"`
			} `json:"result"`
			Error *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
			return fmt.Errorf("benchpay: lnd REST send: %q: %w", sc.Bytes(), err)
		}
		switch {
		case msg.Error != nil:
			return fmt.Errorf("benchpay: lnd REST send: %s", msg.Error.Message)
		case msg.Result == nil:
		case msg.Result.Status == "SUCCEEDED":
			return nil
		case msg.Result.Status == "FAILED":
			return fmt.Errorf("benchpay: lnd payment failed: %s", msg.Result.FailureReason)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("benchpay: lnd REST send: %w", err)
	}
	return fmt.Errorf("benchpay: lnd REST send: stream ended without a final status")
}
