package regtest

import (
	"bytes"
	"fmt"
	"time"
)

// Fee update interval of lnd-fastfee's links: each channel link lnd opens
// checks its fee estimate, and sends update_fee as the opener when the
// estimate moved enough, after a random time in this range (lnd v0.20
// releases: 10 to 60 minutes).
const (
	// LndFastFeeMinUpdate is the shortest interval (release lnd: 10 min).
	LndFastFeeMinUpdate = 2 * time.Second
	// LndFastFeeMaxUpdate is the longest interval (release lnd: 60 min).
	LndFastFeeMaxUpdate = 5 * time.Second
)

// lndFastFeeVariant names the patched build, "fastfee-2s-5s": it is part
// of LndDirName's hash input (other intervals build a new set) and of
// lnd-fastfee's build.Commit, so that `lnd --version` tells the two
// binaries apart.
func lndFastFeeVariant() string {
	return "fastfee-" + LndFastFeeMinUpdate.String() + "-" + LndFastFeeMaxUpdate.String()
}

// lndLinkFile is the file of lnd's module that lnd-fastfee's build
// replaces (go build -overlay) by a patched copy.
const lndLinkFile = "htlcswitch/link.go"

// linkTimeoutPatch is one line of lnd's htlcswitch/link.go and what
// lnd-fastfee's copy has instead.
type linkTimeoutPatch struct {
	old, new string
}

// linkTimeoutPatches returns the replacements of lnd-fastfee's link.go:
// the two fee update timer bounds, nothing else.
func linkTimeoutPatches() []linkTimeoutPatch {
	return []linkTimeoutPatch{
		{
			old: "\tDefaultMinLinkFeeUpdateTimeout = 10 * time.Minute\n",
			new: fmt.Sprintf("\tDefaultMinLinkFeeUpdateTimeout = %d * time.Millisecond\n", LndFastFeeMinUpdate.Milliseconds()),
		},
		{
			old: "\tDefaultMaxLinkFeeUpdateTimeout = 60 * time.Minute\n",
			new: fmt.Sprintf("\tDefaultMaxLinkFeeUpdateTimeout = %d * time.Millisecond\n", LndFastFeeMaxUpdate.Milliseconds()),
		},
	}
}

// patchLinkFeeTimeouts returns src (lnd's htlcswitch/link.go) with the fee
// update timer bounds replaced. Each line it replaces must occur exactly
// once: another lnd version that moved or changed them fails the install
// instead of building an unpatched lnd-fastfee.
func patchLinkFeeTimeouts(src []byte) ([]byte, error) {
	out := src
	for _, p := range linkTimeoutPatches() {
		if n := bytes.Count(out, []byte(p.old)); n != 1 {
			return nil, fmt.Errorf("regtest: lnd-fastfee: %s has %d copies of %q, want exactly 1 (lnd %s changed; update the patch)",
				lndLinkFile, n, p.old, LndVersion)
		}
		out = bytes.Replace(out, []byte(p.old), []byte(p.new), 1)
	}
	return out, nil
}
