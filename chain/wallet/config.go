package wallet

import (
	"log/slog"

	"github.com/btcsuite/btcd/chaincfg"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/internal/configerr"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist"
	lnwire "github.com/lnkit/lnkit/wire"
)

// ErrInvalidConfig is matched (errors.Is) by every error Open returns for a
// bad Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the invalid Config field.
type ConfigError = configerr.Error

// Defaults of Config.
const (
	// DefaultGapLimit is how many unused addresses past the last used one
	// of each chain the wallet watches (BIP 44's gap limit).
	DefaultGapLimit = 20

	// DefaultMaxFeeRate is the highest fee rate the wallet pays, in sat/kw
	// (100,000 sat/kw = 400 sat/vbyte).
	DefaultMaxFeeRate lnwire.FeeRate = 100_000

	// DefaultMaxFeePercent is the highest fee the wallet pays, as a
	// percentage of the amount sent (or swept).
	DefaultMaxFeePercent = 10

	// DefaultChangeType is the type of change and sweep outputs.
	DefaultChangeType = P2WPKH

	// DefaultMinConfirmations is how deep a coin must be to be spent.
	DefaultMinConfirmations = 1

	// DefaultPruneDepth is how deep a spending transaction must be before
	// the coins it spent are forgotten: the deepest reorganisation the
	// wallet follows.
	DefaultPruneDepth = 144
)

// Config configures a Wallet. The zero value of every optional field means
// its default.
type Config struct {
	// Seed is the node's seed. Required (a zero seed is refused). The
	// wallet's keys are derived from it as the package documentation
	// describes, independently of the Lightning keys.
	Seed keys.Seed

	// Params is the network. Required.
	Params *chaincfg.Params

	// Store keeps the wallet's state. Required.
	Store persist.KVStore

	// Birthday is the block before the wallet's first coin: a new wallet
	// starts at it (its BestBlock) and the poller scans from its child. To
	// restore a wallet from its seed onto an empty store, give the block
	// before the seed's first use. Ignored when the store already holds a
	// wallet. Default: the genesis block.
	Birthday chain.BestBlock

	// Fees answers fee rates for a confirmation target. Required.
	Fees chain.FeeEstimator

	// Broadcaster sends the wallet's transactions. Required.
	Broadcaster chain.Broadcaster

	// Filter, when set, is told every script and output the wallet
	// watches, for chain sources driven through chain.Confirm: each
	// watched script with RegisterTx(zero txid, script), each coin with
	// RegisterOutput, each own transaction with RegisterTx(txid, its
	// first output). Default: none (the wallet is driven as a
	// chain.Listen).
	Filter chain.Filter

	// Signers returns the channel signer of a spendable output. Required
	// for Sweep and BumpFee; without it they fail with ErrNoSigner.
	Signers spendable.SignerSource

	// Entropy drives the only randomness of the wallet (the occasional
	// older anti-fee-sniping locktime). Default: keys.NewCryptoEntropy().
	Entropy keys.EntropySource

	// GapLimit is the number of unused addresses watched past the last
	// used one, per chain. Default: DefaultGapLimit.
	GapLimit int

	// MaxFeeRate is the highest fee rate the wallet pays. Default:
	// DefaultMaxFeeRate.
	MaxFeeRate lnwire.FeeRate

	// MaxFeePercent is the highest fee, as a percentage of the amount
	// sent. Default: DefaultMaxFeePercent. At most 100.
	MaxFeePercent int

	// ChangeType is the address type of change and sweep outputs.
	// Default: DefaultChangeType.
	ChangeType AddressType

	// MinConfirmations is how deep a coin must be to be spent; 0 allows
	// the wallet's own unconfirmed change. Default:
	// DefaultMinConfirmations. Set NoMinConfirmations for 0.
	MinConfirmations int

	// NoMinConfirmations lets unconfirmed change of the wallet's own
	// transactions be spent (MinConfirmations is then ignored).
	NoMinConfirmations bool

	// PruneDepth is how deep a spend must be before the coins it spent are
	// forgotten. Default: DefaultPruneDepth.
	PruneDepth int32

	// Logger receives the wallet's events. Default: discard.
	Logger *slog.Logger
}

// withDefaults validates cfg and fills in the defaults.
func (cfg Config) withDefaults() (Config, error) {
	const pkg = "wallet"
	if cfg.Seed == (keys.Seed{}) {
		return cfg, configerr.New(pkg, "Seed", "required")
	}
	if cfg.Params == nil {
		return cfg, configerr.New(pkg, "Params", "required")
	}
	if cfg.Store == nil {
		return cfg, configerr.New(pkg, "Store", "required")
	}
	if cfg.Fees == nil {
		return cfg, configerr.New(pkg, "Fees", "required")
	}
	if cfg.Broadcaster == nil {
		return cfg, configerr.New(pkg, "Broadcaster", "required")
	}
	if cfg.Birthday.Height < 0 {
		return cfg, configerr.New(pkg, "Birthday", "negative height")
	}
	if cfg.Birthday == (chain.BestBlock{}) {
		cfg.Birthday = chain.BestBlock{Hash: *cfg.Params.GenesisHash}
	}
	if cfg.Entropy == nil {
		cfg.Entropy = keys.NewCryptoEntropy()
	}
	switch {
	case cfg.GapLimit < 0 || cfg.GapLimit > maxGapLimit:
		return cfg, configerr.New(pkg, "GapLimit", "must be between 1 and 10000")
	case cfg.GapLimit == 0:
		cfg.GapLimit = DefaultGapLimit
	}
	if cfg.MaxFeeRate == 0 {
		cfg.MaxFeeRate = DefaultMaxFeeRate
	}
	if cfg.MaxFeeRate < lnwire.FeeRateFloor {
		return cfg, configerr.New(pkg, "MaxFeeRate", "below the 253 sat/kw floor")
	}
	switch {
	case cfg.MaxFeePercent < 0 || cfg.MaxFeePercent > 100:
		return cfg, configerr.New(pkg, "MaxFeePercent", "must be between 1 and 100")
	case cfg.MaxFeePercent == 0:
		cfg.MaxFeePercent = DefaultMaxFeePercent
	}
	switch cfg.ChangeType {
	case 0:
		cfg.ChangeType = DefaultChangeType
	case P2WPKH, P2TR:
	default:
		return cfg, configerr.New(pkg, "ChangeType", "unknown address type")
	}
	switch {
	case cfg.NoMinConfirmations:
		cfg.MinConfirmations = 0
	case cfg.MinConfirmations < 0:
		return cfg, configerr.New(pkg, "MinConfirmations", "negative")
	case cfg.MinConfirmations == 0:
		cfg.MinConfirmations = DefaultMinConfirmations
	}
	switch {
	case cfg.PruneDepth < 0:
		return cfg, configerr.New(pkg, "PruneDepth", "negative")
	case cfg.PruneDepth == 0:
		cfg.PruneDepth = DefaultPruneDepth
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// maxGapLimit bounds GapLimit (each unit derives four keys at start).
const maxGapLimit = 10_000
