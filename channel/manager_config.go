package channel

import (
	"context"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/chain"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/invoice"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// Watch is the chain monitor as the Manager sees it: every new channel's
// monitor and every change of a channel goes through it before the message
// that depends on it may leave. *monitor.ChainMonitor implements it.
type Watch interface {
	// WatchChannel starts watching a new channel with its first monitor.
	WatchChannel(id wire.ChannelID, m *monitor.ChannelMonitor) monitor.UpdateStatus
	// UpdateChannel hands the channel's monitor its next update.
	UpdateChannel(id wire.ChannelID, u *monitor.Update) monitor.UpdateStatus
	// HolderCommitmentClaim returns our latest commitment signed for
	// broadcast, with its fee and our anchor, or an error matching
	// monitor.ErrBehind when broadcasting it would be unsafe.
	HolderCommitmentClaim(id wire.ChannelID, signer commit.Signer) (*monitor.HolderClaim, error)
	// ProvidePreimage hands a payment preimage to the monitors of closed
	// channels holding an HTLC offered to us with its hash, which then
	// claim it on chain; it returns those channels.
	ProvidePreimage(preimage wire.Preimage) []wire.ChannelID
}

// ChannelSigner holds one channel's keys: it signs commitments (as
// commit.Signer) and gives the basepoints and per-commitment points.
// *keys.InMemorySigner implements it.
type ChannelSigner interface {
	commit.Signer
	// Basepoints returns the channel's public basepoints.
	Basepoints() keys.ChannelPublicKeys
	// PerCommitmentPoint returns the point of commitment n (counting up
	// from 0); it fails above 2^48-1.
	PerCommitmentPoint(n uint64) (*btcec.PublicKey, error)
	// PerCommitmentSecret returns the secret of commitment n.
	PerCommitmentSecret(n uint64) ([32]byte, error)
}

// NodeSigner is the node key as the Manager uses it.
type NodeSigner interface {
	// ECDH is the node key's Diffie-Hellman: the shared secret of an
	// incoming HTLC's onion.
	keys.ECDH
	// NodeID returns our node id.
	NodeID() wire.NodeID
	// InboundPaymentKey is the key our invoices' payment secrets and
	// preimages are derived from.
	InboundPaymentKey() keys.InboundPaymentKey
	// Signer signs our invoices.
	invoice.Signer
	// SignHash signs a digest with the node key (low-S ECDSA).
	SignHash(digest wire.Digest) (wire.Signature, error)
}

// SignerProvider gives the Manager new channel key ids and the signer of a
// key id. KeysSigners adapts a *keys.Manager.
type SignerProvider interface {
	// NewChannelKeyID returns a fresh key id for a new channel.
	NewChannelKeyID() [32]byte
	// ChannelSigner returns the signer of key id.
	ChannelSigner(keyID [32]byte) ChannelSigner
}

// KeysSigners adapts a keys.Manager to SignerProvider.
func KeysSigners(m *keys.Manager) SignerProvider { return keysSigners{m} }

type keysSigners struct{ m *keys.Manager }

func (k keysSigners) NewChannelKeyID() [32]byte { return k.m.NewChannelKeyID() }

func (k keysSigners) ChannelSigner(id [32]byte) ChannelSigner { return k.m.ChannelKeys(id) }

// ShutdownScripts hands out the scripts our funds go to when a channel
// closes cooperatively (shutdown, and upfront_shutdown_script). A wallet
// implements it with a new address of its own.
type ShutdownScripts interface {
	// ShutdownScript returns a new script of ours: P2WPKH, P2WSH or P2TR.
	ShutdownScript(ctx context.Context) ([]byte, error)
}

// ShutdownScriptFunc adapts a function to ShutdownScripts.
type ShutdownScriptFunc func(ctx context.Context) ([]byte, error)

// ShutdownScript calls f.
func (f ShutdownScriptFunc) ShutdownScript(ctx context.Context) ([]byte, error) { return f(ctx) }

// Config is what a Manager is built from: the node's interfaces and its
// channel policy. The Manager calls them (the estimator, the scripts, the
// signers, the store and the event queue) with a peer's lock held: none of
// them may call back into the Manager.
type Config struct {
	// ChainHash is the genesis hash of our chain (open_channel's
	// chain_hash). Required.
	ChainHash chainhash.Hash
	// Features are the init features we send to peers (BOLT 9); the
	// channel_type negotiation and the upfront shutdown script rules read
	// them. Required.
	Features wire.FeatureVector
	// Node is the node key: our node id, and the node signature of
	// channel announcements. *keys.Manager implements it. Required.
	Node NodeSigner
	// Signers gives channel keys. Required.
	Signers SignerProvider
	// Parallel, when set, makes and checks the HTLC signatures of each
	// commitment_signed several at once (commit.Workers(runtime.NumCPU())
	// spreads them over the CPUs): a busy channel's commitments carry
	// tens of HTLCs, each with its signature. The channel signers must
	// then be safe for concurrent use (keys.InMemorySigner is). Nil: one
	// after the other. It changes no outcome, only the time.
	Parallel commit.Parallel
	// Entropy draws temporary channel ids and scid aliases. Required.
	Entropy keys.EntropySource
	// Watch is the chain monitor. Required.
	Watch Watch
	// Broadcaster sends funding, closing and commitment transactions.
	// Required.
	Broadcaster chain.Broadcaster
	// Filter, when set, is told each channel's funding transaction and
	// outputs, for chain sources that report only what was registered
	// (the Manager as a chain.Confirm). Default: none (the Manager follows
	// whole blocks as a chain.Listen).
	Filter chain.Filter
	// Fees estimates fee rates (commitment fee, closing fee, the bounds of
	// a peer's feerate_per_kw). Required.
	Fees chain.FeeEstimator
	// Destinations gives our shutdown scripts. Required.
	Destinations ShutdownScripts
	// Store keeps the Manager's channels (namespace [ChannelsNamespace]).
	// Required.
	Store persist.KVStore
	// Events is the queue the Manager appends its events to, together
	// with the state change that raised them. Required.
	Events *events.Queue
	// BestBlock is the chain tip the Manager starts at (a new node: the
	// tip; a restarted one: what it had processed, from
	// [Manager.BestBlock]). Required.
	BestBlock chain.BestBlock
	// User is the channel policy. The zero value means DefaultUserConfig.
	User UserConfig
	// Router finds routes for payments to nodes no channel of ours
	// carries them to (SendPayment). Default: none (direct channels only).
	Router PaymentRouter
	// Scorer learns from the routes payments tried. Default: none.
	Scorer PaymentScorer
	// Logger receives the Manager's logs. Default: discard.
	Logger *slog.Logger
	// Context bounds every store and estimator call the Manager makes on
	// its own. Default: context.Background().
	Context context.Context
}

func (c *Config) validate() error {
	switch {
	case c.ChainHash == (chainhash.Hash{}):
		return invalid("ChainHash", "required")
	case c.Features.IsEmpty():
		return invalid("Features", "required")
	case c.Node == nil:
		return invalid("Node", "required")
	case c.Signers == nil:
		return invalid("Signers", "required")
	case c.Entropy == nil:
		return invalid("Entropy", "required")
	case c.Watch == nil:
		return invalid("Watch", "required")
	case c.Broadcaster == nil:
		return invalid("Broadcaster", "required")
	case c.Fees == nil:
		return invalid("Fees", "required")
	case c.Destinations == nil:
		return invalid("Destinations", "required")
	case c.Store == nil:
		return invalid("Store", "required")
	case c.Events == nil:
		return invalid("Events", "required")
	}
	c.User = c.User.WithDefaults()
	if err := c.User.Validate(); err != nil {
		return err
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Context == nil {
		c.Context = context.Background()
	}
	return nil
}
