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
// links only the one it uses: persist/fsstore (one file per key; the
// default), persist/sqlitestore (SQLite, pure Go) and persist/pgstore
// (PostgreSQL). persist/persisttest has the conformance suite every store,
// lnkit's or a user's, must pass, and a crash-simulating store for tests.
//
// persist imports nothing of lnkit's: it stores bytes.
package persist
