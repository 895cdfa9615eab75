package chain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/chaintest"
	"github.com/stretchr/testify/require"
)

// TestConstructorsValidate checks that each constructor refuses an invalid
// Config with an error naming the field, and accepts the zero value of
// every optional field.
func TestConstructorsValidate(t *testing.T) {
	src := chaintest.NewChain()
	newPoller := func(cfg chain.PollerConfig) error { _, err := chain.NewPoller(cfg); return err }
	newRebroadcaster := func(cfg chain.RebroadcasterConfig) error { _, err := chain.NewRebroadcaster(cfg); return err }
	newWatcher := func(cfg chain.WatcherConfig) error { _, err := chain.NewWatcher(cfg); return err }
	tests := []struct {
		name  string
		err   error
		field string // "" = valid
	}{
		{"poller: zero optional fields", newPoller(chain.PollerConfig{Source: src}), ""},
		{"poller: no source", newPoller(chain.PollerConfig{}), "Source"},
		{"poller: negative interval", newPoller(chain.PollerConfig{Source: src, Interval: -1}), "Interval"},
		{"poller: negative min backoff", newPoller(chain.PollerConfig{Source: src, MinBackoff: -1}), "MinBackoff"},
		{"poller: negative max backoff", newPoller(chain.PollerConfig{Source: src, MaxBackoff: -1}), "MaxBackoff"},
		{"poller: max below min", newPoller(chain.PollerConfig{Source: src, MinBackoff: time.Minute, MaxBackoff: time.Second}), "MaxBackoff"},
		{"poller: large min, default max", newPoller(chain.PollerConfig{Source: src, MinBackoff: time.Hour}), ""},
		{"poller: negative cache", newPoller(chain.PollerConfig{Source: src, HeaderCacheSize: -1}), "HeaderCacheSize"},
		{"poller: negative step", newPoller(chain.PollerConfig{Source: src, MaxBlocksPerStep: -1}), "MaxBlocksPerStep"},
		{"rebroadcaster: zero optional fields", newRebroadcaster(chain.RebroadcasterConfig{Broadcaster: &fakeBroadcaster{}}), ""},
		{"rebroadcaster: no broadcaster", newRebroadcaster(chain.RebroadcasterConfig{}), "Broadcaster"},
		{"rebroadcaster: negative timeout", newRebroadcaster(chain.RebroadcasterConfig{Broadcaster: &fakeBroadcaster{}, Timeout: -1}), "Timeout"},
		{"rebroadcaster: negative keep", newRebroadcaster(chain.RebroadcasterConfig{Broadcaster: &fakeBroadcaster{}, KeepConfirmed: -1}), "KeepConfirmed"},
		{"watcher: zero optional fields", newWatcher(chain.WatcherConfig{Confirm: &fakeConfirm{}}), ""},
		{"watcher: no confirm", newWatcher(chain.WatcherConfig{}), "Confirm"},
		{"watcher: negative recent headers", newWatcher(chain.WatcherConfig{Confirm: &fakeConfirm{}, RecentHeaders: -1}), "RecentHeaders"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.field == "" {
				require.NoError(t, tc.err)
				return
			}
			require.ErrorIs(t, tc.err, chain.ErrInvalidConfig)
			var ce *chain.ConfigError
			require.True(t, errors.As(tc.err, &ce))
			require.Equal(t, tc.field, ce.Field)
			require.Contains(t, tc.err.Error(), "chain: invalid config: "+tc.field)
		})
	}
}
