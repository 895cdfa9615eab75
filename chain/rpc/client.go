package rpc

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/lnkit/lnkit/internal/configerr"
)

// Client is a JSON-RPC client for one bitcoind or btcd. It is safe for
// concurrent use; calls share a pool of keep-alive connections.
type Client struct {
	cfg  Config
	url  string
	http *http.Client
	tr   *http.Transport
	id   atomic.Uint64

	authMu     sync.Mutex
	cookieUser string
	cookiePass string

	// blockVerboseBool is set once a daemon refused an integer getblock
	// verbosity: it wants the old boolean.
	blockVerboseBool atomic.Bool

	infoMu sync.Mutex
	daemon Daemon           // guarded by infoMu; DaemonUnknown until detected
	params *chaincfg.Params // guarded by infoMu; nil until known
}

// New returns a client for cfg without contacting the daemon. Use Dial to
// also check the daemon kind and network. It fails with an error matching
// [ErrInvalidConfig] that names the field when cfg is invalid (including a
// CACertFile that cannot be read or holds no certificate).
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.validate()
	if err != nil {
		return nil, err
	}

	scheme := "http"
	var tlsConfig *tls.Config
	if cfg.CACertFile != "" || cfg.TLS {
		scheme = "https"
		serverName := cfg.ServerName
		if serverName == "" {
			serverName, _, _ = net.SplitHostPort(cfg.Host) // checked by validate
		}
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
		if cfg.CACertFile != "" {
			pem, err := os.ReadFile(cfg.CACertFile)
			if err != nil {
				return nil, configerr.New("rpc", "CACertFile", err.Error())
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, configerr.New("rpc", "CACertFile", cfg.CACertFile+" holds no PEM certificate")
			}
			tlsConfig.RootCAs = pool
		}
	}

	dialer := &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               nil, // a node's RPC port is never reached through a proxy
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: cfg.DialTimeout,
		MaxIdleConns:        cfg.MaxIdleConns,
		MaxIdleConnsPerHost: cfg.MaxIdleConns,
		IdleConnTimeout:     cfg.IdleConnTimeout,
		DisableCompression:  true,
	}
	return &Client{
		cfg:  cfg,
		url:  scheme + "://" + cfg.Host + "/",
		http: &http.Client{Transport: tr},
		tr:   tr,
	}, nil
}

// Dial returns a client for cfg after detecting the daemon kind and checking
// that it is on cfg.Params' network (when set). It validates cfg as New
// does.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := c.Daemon(ctx); err != nil {
		c.Close()
		return nil, err
	}
	params, err := c.Params(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	if cfg.Params != nil && params.Net != cfg.Params.Net {
		c.Close()
		return nil, fmt.Errorf("%w: daemon is on %s, want %s", ErrWrongNetwork, params.Name, cfg.Params.Name)
	}
	return c, nil
}

// Close closes idle connections. Calls in flight finish.
func (c *Client) Close() {
	c.tr.CloseIdleConnections()
}

// Call sends one JSON-RPC request and returns the raw result (the literal
// null when the result is null). It is the escape hatch for methods the
// client does not wrap.
func (c *Client) Call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	id := c.id.Add(1)
	body, err := encodeRequest(id, method, params)
	if err != nil {
		return nil, fmt.Errorf("rpc: %s: encode request: %w", method, err)
	}

	reloadCookie := false
	retried := false
	for {
		status, data, err := c.post(ctx, body, reloadCookie)
		if err != nil {
			// All wrapped calls are idempotent, so a keep-alive
			// connection the daemon closed in the meantime is worth
			// one more try.
			if !retried && ctx.Err() == nil && isStaleConn(err) {
				retried = true
				continue
			}
			return nil, classify(ctx, method, err)
		}
		if status == http.StatusUnauthorized && c.cfg.CookieFile != "" && !reloadCookie {
			reloadCookie = true
			continue
		}
		return c.decode(method, status, data, id)
	}
}

// post sends body and reads the whole (bounded) answer.
func (c *Client) post(ctx context.Context, body []byte, reloadCookie bool) (int, []byte, error) {
	user, pass, err := c.credentials(reloadCookie)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(user, pass)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseSize+1))
	if err != nil {
		return 0, nil, err
	}
	if int64(len(data)) > c.cfg.MaxResponseSize {
		return 0, nil, ErrResponseTooLarge
	}
	return resp.StatusCode, data, nil
}

// decode turns an HTTP answer into a result or a typed error. bitcoind
// answers RPC errors with HTTP 500 (404 for unknown methods) and a JSON body,
// btcd with 200.
func (c *Client) decode(method string, status int, data []byte, id uint64) (json.RawMessage, error) {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		return nil, fmt.Errorf("%w: %w", ErrAuth, &HTTPStatusError{Method: method, StatusCode: status, Body: snippet(data)})
	}
	result, err := decodeResponse(method, data, id)
	if err != nil && status != http.StatusOK && errors.Is(err, ErrMalformedResponse) {
		return nil, &HTTPStatusError{Method: method, StatusCode: status, Body: snippet(data)}
	}
	return result, err
}

// snippet returns the start of a body for an error message.
func snippet(data []byte) string {
	const max = 200
	if len(data) > max {
		data = data[:max]
	}
	return string(bytes.TrimSpace(data))
}

// isStaleConn reports errors of a request that met a connection the server
// had closed: worth one retry.
func isStaleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// classify wraps a transport error of a call with ErrTimeout, ErrConnection,
// or the caller's context error.
func classify(ctx context.Context, method string, err error) error {
	if errors.Is(err, ErrResponseTooLarge) {
		return fmt.Errorf("rpc: %s: %w", method, err)
	}
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("rpc: %s: %w: %w", method, ErrTimeout, err)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return fmt.Errorf("rpc: %s: %w", method, err)
	default:
		return fmt.Errorf("rpc: %s: %w: %w", method, ErrConnection, err)
	}
}
