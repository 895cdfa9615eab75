package chain

import (
	"errors"

	"github.com/lnkit/lnkit/internal/configerr"
)

// ErrInvalidConfig is matched (errors.Is) by the error of a constructor
// (NewPoller, NewRebroadcaster, NewWatcher) given an invalid Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError is the type of those errors: errors.As gives the field.
type ConfigError = configerr.Error

var (
	// ErrInconsistentSource reports that a BlockSource answered data that
	// contradicts itself or the request: a header whose hash is not the one
	// asked for, a parent at the wrong height, a block whose merkle root
	// does not match its transactions.
	ErrInconsistentSource = errors.New("chain: inconsistent block source")

	// ErrNoForkPoint reports that a listener's chain and the source's chain
	// share no block, not even genesis: they are different networks.
	ErrNoForkPoint = errors.New("chain: listener and source share no block")

	// ErrListenerBlock reports that a listener declared a best block whose
	// height disagrees with the source's.
	ErrListenerBlock = errors.New("chain: listener best block does not match the source")
)
