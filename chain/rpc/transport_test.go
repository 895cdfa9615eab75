package rpc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestTransportErrors covers every failure class a caller must tell apart.
func TestTransportErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
		maxSize int64
		want    error   // errors.Is target
		notWant []error // must not match
	}{{
		name:    "malformed JSON",
		handler: func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"result":"00`)) },
		want:    ErrMalformedResponse,
		notWant: []error{ErrConnection, ErrTimeout, ErrAuth},
	}, {
		name:    "not JSON at all",
		handler: func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`<html>hello</html>`)) },
		want:    ErrMalformedResponse,
	}, {
		name:    "wrong id",
		handler: func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"result":"x","error":null,"id":999}`)) },
		want:    ErrMalformedResponse,
	}, {
		name:    "missing result",
		handler: func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"error":null,"id":1}`)) },
		want:    ErrMalformedResponse,
	}, {
		name:    "result of the wrong type",
		handler: func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"result":42,"error":null,"id":1}`)) },
		want:    ErrMalformedResponse,
	}, {
		name: "work queue full (HTTP 503, text)",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "Work queue depth exceeded", http.StatusServiceUnavailable)
		},
		want:    &HTTPStatusError{},
		notWant: []error{ErrAuth},
	}, {
		name:    "forbidden",
		handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) },
		want:    ErrAuth,
	}, {
		name: "hangs",
		handler: func(w http.ResponseWriter, r *http.Request) {
			// Read the body so the server notices the client leaving.
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		},
		timeout: 200 * time.Millisecond,
		want:    ErrTimeout,
		notWant: []error{ErrConnection, ErrMalformedResponse},
	}, {
		name: "too large",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Write([]byte(`{"result":"` + string(make([]byte, 4096)) + `"}`))
		},
		maxSize: 1024,
		want:    ErrResponseTooLarge,
	}, {
		name: "connection dropped",
		handler: func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		},
		want: ErrConnection,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			t.Cleanup(srv.Close)
			c, err := New(Config{Host: srv.Listener.Addr().String(), Timeout: tc.timeout, MaxResponseSize: tc.maxSize})
			require.NoError(t, err)
			t.Cleanup(c.Close)
			_, err = c.BestBlockHash(ctx)
			require.Error(t, err)
			if st, ok := tc.want.(*HTTPStatusError); ok {
				require.ErrorAs(t, err, &st)
				require.Equal(t, http.StatusServiceUnavailable, st.StatusCode)
				require.Contains(t, st.Body, "Work queue")
			} else {
				require.ErrorIs(t, err, tc.want)
			}
			for _, nw := range tc.notWant {
				require.NotErrorIs(t, err, nw)
			}
		})
	}
}

// TestDaemonDown checks a closed port gives ErrConnection (and the
// underlying ECONNREFUSED).
func TestDaemonDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	c, err := New(Config{Host: addr})
	require.NoError(t, err)
	_, err = c.BestBlockHash(context.Background())
	require.ErrorIs(t, err, ErrConnection)
	require.NotErrorIs(t, err, ErrTimeout)
	_, err = Dial(context.Background(), Config{Host: addr})
	require.ErrorIs(t, err, ErrConnection)
}

// TestContextCanceled checks the caller's cancellation is reported as such,
// not as a timeout.
func TestContextCanceled(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		close(started)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{Host: srv.Listener.Addr().String()})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err = c.BestBlockHash(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, ErrTimeout)
}

// TestTLS checks TLS with a CA certificate file, and that an untrusted
// server certificate is refused.
func TestTLS(t *testing.T) {
	f := &fakeBitcoind{t: t, user: "u", pass: "p", handler: map[string]func(rpcReq) reply{}}
	f.onFixture("getbestblockhash", "getbestblockhash")
	srv := httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	certFile := filepath.Join(dir, "rpc.cert")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))

	c, err := New(Config{Host: srv.Listener.Addr().String(), User: "u", Password: "p", CACertFile: certFile})
	require.NoError(t, err)
	got, err := c.BestBlockHash(context.Background())
	require.NoError(t, err)
	require.Equal(t, genesisHash, got)

	// A CA file holding another certificate does not trust the server.
	otherFile := filepath.Join(dir, "other.cert")
	require.NoError(t, os.WriteFile(otherFile, selfSignedPEM(t), 0o600))
	c2, err := New(Config{Host: srv.Listener.Addr().String(), User: "u", Password: "p", CACertFile: otherFile})
	require.NoError(t, err)
	_, err = c2.BestBlockHash(context.Background())
	require.ErrorIs(t, err, ErrConnection)
	var unknownAuthority x509.UnknownAuthorityError
	require.ErrorAs(t, err, &unknownAuthority)

	// Plain HTTP client against the TLS server fails too.
	c3, err := New(Config{Host: srv.Listener.Addr().String(), User: "u", Password: "p"})
	require.NoError(t, err)
	_, err = c3.BestBlockHash(context.Background())
	require.Error(t, err)

	// Unusable CA files are refused up front.
	bad := filepath.Join(dir, "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not a cert"), 0o600))
	_, err = New(Config{Host: "127.0.0.1:1", CACertFile: bad})
	requireConfigError(t, err, "CACertFile")
	_, err = New(Config{Host: "127.0.0.1:1", CACertFile: filepath.Join(dir, "missing")})
	requireConfigError(t, err, "CACertFile")
	require.False(t, errors.Is(err, ErrConnection))
}

// selfSignedPEM returns a fresh self-signed certificate for 127.0.0.1.
func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "other"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
