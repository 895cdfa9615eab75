package peer

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

// Defaults of Config. A tick is one call to TimerTick; peer/tcp ticks every
// 10 seconds by default.
const (
	// DefaultPingIntervalTicks is how many ticks without any message from
	// a peer before it is pinged.
	DefaultPingIntervalTicks = 3
	// DefaultPongTimeoutTicks is how many ticks a ping may go unanswered.
	DefaultPongTimeoutTicks = 3
	// DefaultHandshakeTimeoutTicks is how many ticks a connection may take
	// to finish the handshake and the init exchange.
	DefaultHandshakeTimeoutTicks = 3
	// DefaultPauseReadBytes is the send-buffer size above which ReadEvent
	// asks to stop reading from the peer.
	DefaultPauseReadBytes = 128 << 10
	// DefaultMaxGossipBytes is the size of the per-peer gossip queue beyond
	// which new gossip for the peer is dropped.
	DefaultMaxGossipBytes = 512 << 10
	// DefaultMaxSendBufferBytes is the send-buffer size beyond which the
	// peer is disconnected for not reading.
	DefaultMaxSendBufferBytes = 8 << 20
)

// Config configures a Manager. NodeKey and Entropy are required; every other
// field has a default.
type Config struct {
	// NodeKey is the node's identity key. Required.
	NodeKey NodeKey
	// Entropy supplies one ephemeral key per connection. Required
	// (keys.NewCryptoEntropy() in production).
	Entropy EntropySource

	// Features are the features we send in init: what this node supports.
	// A peer requiring (even bit) a feature not in Features, and not
	// ASSUMED by BOLT 9, is disconnected. Default: DefaultFeatures().
	// New rejects vectors with both bits of a pair set, missing
	// dependencies, or features not allowed in init.
	Features wire.FeatureVector
	// Chains are the genesis block hashes of the chains this node works on,
	// sent in init's networks record; a peer whose networks record lists
	// none of them is disconnected. Default: Bitcoin mainnet.
	Chains []chainhash.Hash

	// PingIntervalTicks is how many consecutive ticks without any message
	// from a peer before it is pinged. Default DefaultPingIntervalTicks.
	PingIntervalTicks int
	// PongTimeoutTicks is how many ticks without any message from the peer
	// a ping may stay unanswered before the peer is disconnected (ticks in
	// which other messages arrived do not count: the pong may be queued
	// behind them). Default DefaultPongTimeoutTicks.
	PongTimeoutTicks int
	// HandshakeTimeoutTicks is how many ticks a new connection may take to
	// complete the handshake and the init exchange. Default
	// DefaultHandshakeTimeoutTicks.
	HandshakeTimeoutTicks int

	// PauseReadBytes: when more than this many bytes wait in a peer's send
	// buffer, ReadEvent asks the caller to stop reading from the peer until
	// SendData says to resume. Default DefaultPauseReadBytes.
	PauseReadBytes int
	// MaxGossipBytes bounds each peer's queue of gossip waiting to be
	// encrypted; gossip beyond it is dropped. Default DefaultMaxGossipBytes.
	MaxGossipBytes int
	// MaxSendBufferBytes bounds each peer's send buffer; a peer whose buffer
	// would grow beyond it is disconnected (ErrSendBufferFull). It must be
	// at least PauseReadBytes and one full frame (noise.MaxFrameSize).
	// Default DefaultMaxSendBufferBytes.
	MaxSendBufferBytes int

	// ChannelHandler receives channel messages. Default
	// IgnoringMessageHandler.
	ChannelHandler ChannelMessageHandler
	// RoutingHandler receives gossip. Default IgnoringMessageHandler.
	RoutingHandler RoutingMessageHandler
	// CustomHandler receives custom messages. Default
	// IgnoringMessageHandler.
	CustomHandler CustomMessageHandler

	// Now returns the current time, used only for PeerInfo.ConnectedSince.
	// Default time.Now.
	Now func() time.Time
	// Logger receives the Manager's logs. Default: discard.
	Logger *slog.Logger
}

// DefaultFeatures returns the init features every lnkit node supports: the
// features BOLT 9 marks ASSUMED, presented the way lnd v0.20 expects them
// (it requires its peers to know data_loss_protect, var_onion_optin,
// static_remotekey and payment_secret, and presents them required):
// option_data_loss_protect, var_onion_optin, option_static_remotekey and
// payment_secret required, option_channel_type optional. Nodes add the
// optional features their handlers implement (gossip_queries, basic_mpp,
// option_anchors, ...).
func DefaultFeatures() wire.FeatureVector {
	return wire.NewFeatureVector(
		wire.DataLossProtectRequired,
		wire.VarOnionOptinRequired,
		wire.StaticRemoteKeyRequired,
		wire.PaymentSecretRequired,
		wire.ChannelTypeOptional,
	)
}

// withDefaults returns c with defaults applied, or an error.
func (c Config) withDefaults() (Config, error) {
	if c.NodeKey == nil {
		return c, fmt.Errorf("%w: NodeKey is required", ErrInvalidConfig)
	}
	if c.Entropy == nil {
		return c, fmt.Errorf("%w: Entropy is required", ErrInvalidConfig)
	}
	if c.Features.IsEmpty() {
		c.Features = DefaultFeatures()
	} else {
		c.Features = c.Features.Clone()
	}
	if err := c.Features.CheckPairs(); err != nil {
		return c, fmt.Errorf("%w: features: %w", ErrInvalidConfig, err)
	}
	if err := c.Features.CheckDependenciesStrict(); err != nil {
		return c, fmt.Errorf("%w: features: %w", ErrInvalidConfig, err)
	}
	if err := c.Features.CheckContext(wire.ContextInit); err != nil {
		return c, fmt.Errorf("%w: features: %w", ErrInvalidConfig, err)
	}
	if len(c.Chains) == 0 {
		c.Chains = []chainhash.Hash{*chaincfg.MainNetParams.GenesisHash}
	} else {
		c.Chains = append([]chainhash.Hash(nil), c.Chains...)
	}
	for _, f := range []*int{&c.PingIntervalTicks, &c.PongTimeoutTicks, &c.HandshakeTimeoutTicks,
		&c.PauseReadBytes, &c.MaxGossipBytes, &c.MaxSendBufferBytes} {
		if *f < 0 {
			return c, fmt.Errorf("%w: negative limit", ErrInvalidConfig)
		}
	}
	setDefault(&c.PingIntervalTicks, DefaultPingIntervalTicks)
	setDefault(&c.PongTimeoutTicks, DefaultPongTimeoutTicks)
	setDefault(&c.HandshakeTimeoutTicks, DefaultHandshakeTimeoutTicks)
	setDefault(&c.PauseReadBytes, DefaultPauseReadBytes)
	setDefault(&c.MaxGossipBytes, DefaultMaxGossipBytes)
	setDefault(&c.MaxSendBufferBytes, DefaultMaxSendBufferBytes)
	if c.MaxSendBufferBytes < c.PauseReadBytes || c.MaxSendBufferBytes < noise.MaxFrameSize {
		return c, fmt.Errorf("%w: MaxSendBufferBytes below PauseReadBytes or one frame", ErrInvalidConfig)
	}
	if c.ChannelHandler == nil {
		c.ChannelHandler = IgnoringMessageHandler{}
	}
	if c.RoutingHandler == nil {
		c.RoutingHandler = IgnoringMessageHandler{}
	}
	if c.CustomHandler == nil {
		c.CustomHandler = IgnoringMessageHandler{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func setDefault(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}
