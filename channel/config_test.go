package channel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

func TestDefaultUserConfigValid(t *testing.T) {
	require.NoError(t, DefaultUserConfig().Validate())
	require.NoError(t, UserConfig{}.Validate(), "the zero UserConfig means the defaults")
	require.Equal(t, DefaultUserConfig(), UserConfig{}.WithDefaults())
}

func TestUserConfigValidate(t *testing.T) {
	cases := []struct {
		field  string
		mutate func(c *UserConfig)
	}{
		{"Handshake.MinimumDepth", func(c *UserConfig) { c.Handshake.MinimumDepth = 0 }},
		{"Handshake.ToSelfDelay", func(c *UserConfig) { c.Handshake.ToSelfDelay = MinToSelfDelay - 1 }},
		{"Handshake.ToSelfDelay", func(c *UserConfig) { c.Handshake.ToSelfDelay = DefaultMaxToSelfDelay + 1 }},
		{"Handshake.MaxHTLCValueInFlightPercent", func(c *UserConfig) { c.Handshake.MaxHTLCValueInFlightPercent = 0 }},
		{"Handshake.MaxHTLCValueInFlightPercent", func(c *UserConfig) { c.Handshake.MaxHTLCValueInFlightPercent = 101 }},
		{"Handshake.ChannelReserveProportionalMillionths", func(c *UserConfig) {
			c.Handshake.ChannelReserveProportionalMillionths = 1_000_001
		}},
		{"Handshake.MaxAcceptedHTLCs", func(c *UserConfig) { c.Handshake.MaxAcceptedHTLCs = 0 }},
		{"Handshake.MaxAcceptedHTLCs", func(c *UserConfig) { c.Handshake.MaxAcceptedHTLCs = 484 }},
		{"Handshake.DustLimit", func(c *UserConfig) { c.Handshake.DustLimit = 353 }},
		{"Handshake.DustLimit", func(c *UserConfig) { c.Handshake.DustLimit = DefaultMaxDustLimit + 1 }},
		{"Limits.MinFundingSatoshis", func(c *UserConfig) { c.Limits.MinFundingSatoshis = 0 }},
		{"Limits.MaxFundingSatoshis", func(c *UserConfig) { c.Limits.MaxFundingSatoshis = c.Limits.MinFundingSatoshis - 1 }},
		{"Limits.MaxFundingSatoshis", func(c *UserConfig) { c.Limits.MaxFundingSatoshis = 21_000_000*100_000_000 + 1 }},
		{"Limits.MaxChannelReserveProportionalMillionths", func(c *UserConfig) {
			c.Limits.MaxChannelReserveProportionalMillionths = 1_000_001
		}},
		{"Limits.MinMaxAcceptedHTLCs", func(c *UserConfig) { c.Limits.MinMaxAcceptedHTLCs = 484 }},
		{"Limits.MaxToSelfDelay", func(c *UserConfig) { c.Limits.MaxToSelfDelay = 0 }},
		{"Limits.MaxDustLimit", func(c *UserConfig) { c.Limits.MaxDustLimit = 353 }},
		{"Limits.MaxFeeRateMultiple", func(c *UserConfig) { c.Limits.MaxFeeRateMultiple = 0 }},
		{"Channel.CLTVExpiryDelta", func(c *UserConfig) { c.Channel.CLTVExpiryDelta = MinCLTVExpiryDelta - 1 }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			c := DefaultUserConfig()
			tc.mutate(&c)
			err := c.Validate()
			require.ErrorIs(t, err, ErrInvalidConfig)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
			require.Equal(t, "channel", ce.Pkg)
		})
	}
}

func TestHandshakeConfigDerived(t *testing.T) {
	h := DefaultUserConfig().Handshake
	// 1% of 1M sat; the 1000 sat floor; both dust limits; the capacity.
	require.EqualValues(t, 10_000, h.ChannelReserve(1_000_000, 354))
	require.EqualValues(t, MinChannelReserve, h.ChannelReserve(20_000, 354))
	h.DustLimit = 546
	require.EqualValues(t, 1500, h.ChannelReserve(20_000, 1500))
	require.EqualValues(t, 800, h.ChannelReserve(800, 0))
	require.EqualValues(t, 100_000_000, h.MaxHTLCValueInFlight(1_000_000))
	require.Equal(t, wire.MilliSatoshi(1<<64-1), toMsat(1<<63))
}
