package channel

import (
	"github.com/lnkit/lnkit/peer"
	"github.com/lnkit/lnkit/wire"
)

// Features returns the init features of a node running this Manager:
// peer.DefaultFeatures with the channel options it implements
// (option_upfront_shutdown_script, option_support_large_channel,
// option_anchors, option_shutdown_anysegwit), all optional. Give the same
// vector to peer.Config.Features and Config.Features.
func Features() wire.FeatureVector {
	f := peer.DefaultFeatures()
	for _, b := range []wire.FeatureBit{
		wire.UpfrontShutdownScriptOptional,
		wire.SupportLargeChannelOptional,
		wire.AnchorsZeroFeeHTLCTxOptional,
		wire.ShutdownAnySegwitOptional,
	} {
		f.Set(b)
	}
	return f
}
