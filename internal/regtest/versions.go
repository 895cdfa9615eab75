package regtest

// Pinned versions of the test peers. Changing one of them (or LndBuildTags)
// changes the cache directory name, so a new build happens on the next run
// and the old one is left in place.
const (
	// BtcdModule is the Go module that provides btcd and btcctl.
	BtcdModule = "github.com/btcsuite/btcd"
	// BtcdVersion is the pinned btcd release.
	BtcdVersion = "v0.24.2"

	// LndModule is the Go module that provides lnd and lncli.
	LndModule = "github.com/lightningnetwork/lnd"
	// LndVersion is the pinned lnd release.
	LndVersion = "v0.20.0-beta"
)

// LndBuildTags returns the build tags lnd and lncli are compiled with. They
// enable the sub-servers (and the matching lncli sub-commands) tests use:
// signer, wallet kit, chain notifier, invoices, router and peers.
func LndBuildTags() []string {
	return []string{"signrpc", "walletrpc", "chainrpc", "invoicesrpc", "routerrpc", "peersrpc"}
}
