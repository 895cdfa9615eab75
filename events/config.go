package events

import (
	"fmt"
	"log/slog"

	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/persist"
)

// ErrInvalidConfig is matched by every configuration error of Open.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the invalid Config field.
type ConfigError = configerr.Error

// Defaults of Config.
const (
	// DefaultNamespace is the primary namespace of the queue's keys.
	DefaultNamespace = "events"
	// DefaultMaxPending is the most events queued at once: far more than
	// a node raises between two Process calls, small enough that a stalled
	// handler is noticed.
	DefaultMaxPending = 10_000
)

// MaxMaxPending is the largest MaxPending accepted: one Append's batch must
// fit a store's Apply.
const MaxMaxPending = 1_000_000

// Config configures a Queue.
type Config struct {
	// Store keeps the pending events. Required: there is no non-durable
	// queue (see the package documentation).
	Store persist.KVStore
	// Namespace is the primary namespace of the queue's keys; the events
	// are under the secondary namespace "pending", the next ID under
	// "meta". Default DefaultNamespace. Two queues must not share one.
	Namespace string
	// MaxPending is the most events queued at once; Append beyond fails
	// with ErrQueueFull. Default DefaultMaxPending; at most MaxMaxPending.
	MaxPending int
	// Logger receives the queue's log lines (events appended, delivered,
	// handler failures). Default: slog.Default().
	Logger *slog.Logger
}

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Store == nil {
		return c, configerr.New("events", "Store", "is required: the queue is durable")
	}
	if c.Namespace == "" {
		c.Namespace = DefaultNamespace
	}
	if err := persist.ValidateNamespace(persist.Namespace{Primary: c.Namespace}); err != nil {
		return c, configerr.New("events", "Namespace", err.Error())
	}
	switch {
	case c.MaxPending == 0:
		c.MaxPending = DefaultMaxPending
	case c.MaxPending < 0 || c.MaxPending > MaxMaxPending:
		return c, configerr.New("events", "MaxPending", fmt.Sprintf("%d is outside 1..%d", c.MaxPending, MaxMaxPending))
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}
