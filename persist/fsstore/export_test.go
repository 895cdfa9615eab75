package fsstore

import "github.com/lnkit/lnkit/persist"

// OpenInline is Open preparing log segments when a record needs one rather
// than ahead, in the background: the crash tests' calls then come in the
// same order every run.
func OpenInline(cfg Config) (*Store, error) { return open(cfg, true) }

// LegacyKeyFile returns the path under root and the contents of the key
// file an earlier version wrote for value under key in ns: the tests'
// stores of earlier versions.
func LegacyKeyFile(root string, ns persist.Namespace, key string, value []byte) (string, []byte) {
	return layout{root: root}.keyPath(ns, key), encodeValue(ns, key, value)
}
