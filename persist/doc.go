// Package persist is how lnkit keeps state: one small key-value interface,
// KVStore, that every durable part of a node (channel monitors, the channel
// manager, the wallet, the network graph, pending events) writes through.
//
// A store holds byte values under namespaced keys, as LDK's KVStore does: a
// primary namespace, a secondary namespace and a key (see ValidateKey for
// the character set and lengths). A Write or Apply that returns nil is
// durable: after a crash or power loss the value is there. That promise is
// what lets a channel send a message it must stand behind after a crash.
//
// lnkit ships three stores, each in its own package so that an application
// links only the one it uses: persist/fsstore (a write-ahead log and pack
// files; the default), persist/sqlitestore (SQLite, pure Go) and persist/pgstore
// (PostgreSQL). persist/persisttest has the conformance suite every store,
// lnkit's or a user's, must pass, and a crash-simulating store for tests.
//
// # Record encoding
//
// What callers persist is encoded as a versioned record (RecordFormat), so
// that a later release can read what an earlier one wrote:
//
//	type (1 byte) | major (1 byte) | minor (1 byte) | body (a BOLT 1 TLV stream)
//
// The type names the kind of value; the major version changes when an old
// reader would misread the new encoding, the minor when only odd TLV fields
// are added. A reader refuses a newer major version (ErrNewerVersion),
// reads older ones (returning the header, so the caller can migrate), fails
// on an unknown even TLV type and skips unknown odd ones. Malformed records
// give a *RecordError matching ErrCorrupt.
//
// persist imports nothing of lnkit's but wire (for the TLV codec): it
// stores bytes.
package persist
