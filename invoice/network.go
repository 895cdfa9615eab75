package invoice

import "github.com/btcsuite/btcd/chaincfg"

// Invoice prefixes: "ln" followed by the BIP 173 currency prefix (signet
// uses "tbs" to tell it apart from testnet).
const (
	prefixMainnet = "lnbc"
	prefixTestnet = "lntb"
	prefixSignet  = "lntbs"
	prefixRegtest = "lnbcrt"
	prefixSimnet  = "lnsb"
)

// splitPrefix splits a lower-case human-readable part into its network and
// the amount text that follows the prefix. The longest matching prefix wins
// (lnbcrt before lnbc, lntbs before lntb); the amount text must then be
// empty or start with a digit, otherwise the prefix is unknown.
func splitPrefix(hrp string) (net *chaincfg.Params, amount string, ok bool) {
	var prefix string
	switch {
	case hasPrefix(hrp, prefixRegtest):
		prefix, net = prefixRegtest, &chaincfg.RegressionNetParams
	case hasPrefix(hrp, prefixSignet):
		prefix, net = prefixSignet, &chaincfg.SigNetParams
	case hasPrefix(hrp, prefixMainnet):
		prefix, net = prefixMainnet, &chaincfg.MainNetParams
	case hasPrefix(hrp, prefixTestnet):
		prefix, net = prefixTestnet, &chaincfg.TestNet3Params
	case hasPrefix(hrp, prefixSimnet):
		prefix, net = prefixSimnet, &chaincfg.SimNetParams
	default:
		return nil, "", false
	}
	amount = hrp[len(prefix):]
	if amount != "" && (amount[0] < '0' || amount[0] > '9') {
		return nil, "", false
	}
	return net, amount, true
}

// hasPrefix reports whether s starts with p followed by either nothing or
// a digit, so that "lnbc" does not claim "lnbcrt".
func hasPrefix(s, p string) bool {
	if len(s) < len(p) || s[:len(p)] != p {
		return false
	}
	return len(s) == len(p) || (s[len(p)] >= '0' && s[len(p)] <= '9')
}

// networkPrefix returns the invoice prefix of a network, chosen by the
// params' Name: every signet (custom ones included) uses lntbs, testnet3
// and testnet4 share lntb.
func networkPrefix(net *chaincfg.Params) (string, bool) {
	if net == nil {
		return "", false
	}
	switch net.Name {
	case chaincfg.MainNetParams.Name:
		return prefixMainnet, true
	case chaincfg.TestNet3Params.Name, "testnet4":
		return prefixTestnet, true
	case chaincfg.SigNetParams.Name:
		return prefixSignet, true
	case chaincfg.RegressionNetParams.Name:
		return prefixRegtest, true
	case chaincfg.SimNetParams.Name:
		return prefixSimnet, true
	}
	return "", false
}
