package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/router"
)

// scorerSaveInterval is how often the tick loop writes the scorer's
// learned state to the store; the node writes it again at shutdown.
const scorerSaveInterval = 10 * time.Minute

// scorerKeeper is the router's ProbabilisticScorer with its persistence:
// loaded from the node's store at start, given the time and written back
// every scorerSaveInterval by the tick loop, and written at shutdown, so
// what payments taught it about the network's liquidity outlives a
// restart (decayed by its half-life meanwhile).
type scorerKeeper struct {
	scorer *router.ProbabilisticScorer
	store  persist.KVStore
	log    *slog.Logger

	mu       sync.Mutex
	lastSave time.Time
}

// openScorer loads the scorer from store (an empty one for a new node)
// and gives it the time now. A stored scorer that does not decode is
// logged and replaced by an empty one: it holds estimates, not funds, and
// the next save overwrites it. A store that fails is an error.
func openScorer(ctx context.Context, store persist.KVStore, log *slog.Logger, now time.Time) (*scorerKeeper, error) {
	cfg := router.ProbabilisticConfig{}
	s, err := router.LoadProbabilisticScorer(ctx, store, cfg)
	if errors.Is(err, router.ErrCorruptScorer) {
		log.Warn("sample-node: the stored scorer does not decode; starting with an empty one", "err", err)
		s, err = router.NewProbabilisticScorer(cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("sample-node: scorer: %w", err)
	}
	s.TimePassed(now)
	return &scorerKeeper{scorer: s, store: store, log: log, lastSave: now}, nil
}

// tick gives the scorer the time (its learned bounds decay) and writes it
// when scorerSaveInterval has passed since the last write.
func (k *scorerKeeper) tick(ctx context.Context, now time.Time) {
	k.scorer.TimePassed(now)
	k.mu.Lock()
	due := now.Sub(k.lastSave) >= scorerSaveInterval
	k.mu.Unlock()
	if due {
		k.save(ctx, now)
	}
}

// save writes the scorer to the store; a failure is logged (the previous
// state stays stored, and the next save tries again).
func (k *scorerKeeper) save(ctx context.Context, now time.Time) {
	if err := k.scorer.Save(ctx, k.store); err != nil {
		k.log.Warn("sample-node: saving the scorer", "err", err)
		return
	}
	k.mu.Lock()
	k.lastSave = now
	k.mu.Unlock()
}
