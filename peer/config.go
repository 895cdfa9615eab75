package peer

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/internal/configerr"
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
	// dependencies, or features not allowed in init (a *ConfigError that
	// also wraps the wire error).
	Features wire.FeatureVector
	// Chains are the genesis block hashes of the chains this node works on,
	// sent in init's networks record; a peer whose networks record lists
	// none of them is disconnected. Default: Bitcoin mainnet's genesis hash
	// (chaincfg.MainNetParams.GenesisHash).
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
		return c, configerr.New("peer", "NodeKey", "required (keys.Manager implements it)")
	}
	if c.Entropy == nil {
		return c, configerr.New("peer", "Entropy", "required (keys.NewCryptoEntropy() in production)")
	}
	if c.Features.IsEmpty() {
		c.Features = DefaultFeatures()
	} else {
		c.Features = c.Features.Clone()
	}
	for _, check := range []func() error{
		c.Features.CheckPairs,
		c.Features.CheckDependenciesStrict,
		func() error { return c.Features.CheckContext(wire.ContextInit) },
	} {
		if err := check(); err != nil {
			return c, &featureConfigError{configerr.New("peer", "Features", strings.TrimPrefix(err.Error(), "wire: ")), err}
		}
	}
	if len(c.Chains) == 0 {
		c.Chains = []chainhash.Hash{*chaincfg.MainNetParams.GenesisHash}
	} else {
		c.Chains = append([]chainhash.Hash(nil), c.Chains...)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"PingIntervalTicks", c.PingIntervalTicks}, {"PongTimeoutTicks", c.PongTimeoutTicks},
		{"HandshakeTimeoutTicks", c.HandshakeTimeoutTicks}, {"PauseReadBytes", c.PauseReadBytes},
		{"MaxGossipBytes", c.MaxGossipBytes}, {"MaxSendBufferBytes", c.MaxSendBufferBytes},
	} {
		if f.v < 0 {
			return c, configerr.New("peer", f.name, fmt.Sprintf("%d is negative (0 means the default)", f.v))
		}
	}
	setDefault(&c.PingIntervalTicks, DefaultPingIntervalTicks)
	setDefault(&c.PongTimeoutTicks, DefaultPongTimeoutTicks)
	setDefault(&c.HandshakeTimeoutTicks, DefaultHandshakeTimeoutTicks)
	setDefault(&c.PauseReadBytes, DefaultPauseReadBytes)
	setDefault(&c.MaxGossipBytes, DefaultMaxGossipBytes)
	setDefault(&c.MaxSendBufferBytes, DefaultMaxSendBufferBytes)
	if c.MaxSendBufferBytes < c.PauseReadBytes || c.MaxSendBufferBytes < noise.MaxFrameSize {
		return c, configerr.New("peer", "MaxSendBufferBytes", fmt.Sprintf("%d is below PauseReadBytes (%d) or one frame (%d)",
			c.MaxSendBufferBytes, c.PauseReadBytes, noise.MaxFrameSize))
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

// featureConfigError is the *ConfigError of an invalid Config.Features that
// also unwraps to the wire error (wire.ErrFeaturePair, ...).
type featureConfigError struct {
	cfg   *configerr.Error
	cause error
}

// Error implements error: the config error's text.
func (e *featureConfigError) Error() string { return e.cfg.Error() }

// Unwrap returns the config error and the wire cause.
func (e *featureConfigError) Unwrap() []error { return []error{e.cfg, e.cause} }
