package regtest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPatchLinkFeeTimeouts checks lnd-fastfee's patch: the two timer
// bounds change and nothing else; a source without them, or with one
// twice, is refused.
func TestPatchLinkFeeTimeouts(t *testing.T) {
	const src = "const (\n" +
		"\tDefaultMinLinkFeeUpdateTimeout = 10 * time.Minute\n\n" +
		"\tDefaultMaxLinkFeeUpdateTimeout = 60 * time.Minute\n" +
		"\tDefaultMaxLinkFeeAllocation float64 = 0.5\n)\n"
	require.Equal(t, "fastfee-2s-5s", lndFastFeeVariant())
	got, err := patchLinkFeeTimeouts([]byte(src))
	require.NoError(t, err)
	require.Equal(t, "const (\n"+
		"\tDefaultMinLinkFeeUpdateTimeout = 2000 * time.Millisecond\n\n"+
		"\tDefaultMaxLinkFeeUpdateTimeout = 5000 * time.Millisecond\n"+
		"\tDefaultMaxLinkFeeAllocation float64 = 0.5\n)\n", string(got))

	for name, bad := range map[string]string{
		"empty":       "",
		"min missing": strings.Replace(src, "10 * time.Minute", "20 * time.Minute", 1),
		"max missing": strings.Replace(src, "\tDefaultMaxLinkFeeUpdateTimeout", "\tDefaultMaxLinkFeeUpdate", 1),
		"min twice":   src + "\tDefaultMinLinkFeeUpdateTimeout = 10 * time.Minute\n",
	} {
		_, err := patchLinkFeeTimeouts([]byte(bad))
		require.Error(t, err, name)
		require.Contains(t, err.Error(), "lnd-fastfee", name)
	}
}
