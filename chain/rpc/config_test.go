package rpc

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireConfigError checks that err is a config error naming field.
func requireConfigError(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, ErrInvalidConfig)
	var ce *ConfigError
	require.True(t, errors.As(err, &ce), "%v", err)
	require.Equal(t, field, ce.Field)
	require.Contains(t, err.Error(), "rpc: invalid config: "+field+": ")
}

// TestConfigValidate checks that New and Dial refuse an invalid Config with
// an error naming the field, before any connection, and fill in defaults.
func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"no host", Config{}, "Host"},
		{"host without port", Config{Host: "localhost"}, "Host"},
		{"negative timeout", Config{Host: "127.0.0.1:1", Timeout: -1}, "Timeout"},
		{"negative dial timeout", Config{Host: "127.0.0.1:1", DialTimeout: -1}, "DialTimeout"},
		{"negative idle conns", Config{Host: "127.0.0.1:1", MaxIdleConns: -1}, "MaxIdleConns"},
		{"negative idle timeout", Config{Host: "127.0.0.1:1", IdleConnTimeout: -1}, "IdleConnTimeout"},
		{"negative response size", Config{Host: "127.0.0.1:1", MaxResponseSize: -1}, "MaxResponseSize"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			requireConfigError(t, err, tc.field)
			_, err = Dial(context.Background(), tc.cfg)
			requireConfigError(t, err, tc.field)
		})
	}

	c, err := New(Config{Host: "127.0.0.1:1"})
	require.NoError(t, err)
	require.Equal(t, DefaultTimeout, c.cfg.Timeout)
	require.Equal(t, DefaultDialTimeout, c.cfg.DialTimeout)
	require.Equal(t, DefaultMaxIdleConns, c.cfg.MaxIdleConns)
	require.Equal(t, DefaultIdleConnTimeout, c.cfg.IdleConnTimeout)
	require.Equal(t, DefaultMaxResponseSize, c.cfg.MaxResponseSize)
	require.NotNil(t, c.cfg.Logger)
}
