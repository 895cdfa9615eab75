// Package fsstore is lnkit's default persist.KVStore: one file per key
// under a root directory, written so that a crash or power loss at any
// moment leaves every key with either its old or its new value.
//
// # Layout
//
//	root/LOCK                         flock(2)-ed while a Store is open (ErrLocked otherwise)
//	root/wal/<seq>.batch              a committed batch not yet fully applied
//	root/data/p.<primary>/s.<secondary>/<key>   a value file
//	root/data/p.<primary>/s.<secondary>/<key>.tmp a value being written
//
// Namespace directories carry a "p." or "s." prefix (an empty part is just
// the prefix), so that no key name, which has no '.', can collide with a
// directory or a temporary file. Directories are 0700, files 0600.
//
// A value file is a 16-byte header, then the value:
//
//	"LNKV" | version 1 | 3 zero bytes | value length (4, big-endian) | CRC-32C (4) | value
//
// The CRC covers the namespace, the key and the value, so a torn,
// truncated, corrupted or foreign file (or one moved to another key's name)
// reads as an error matching persist.ErrCorrupt that names the key.
//
// # Writing
//
// A write goes to <key>.tmp, which is fsynced, renamed over <key>, and the
// directory fsynced; a directory made for a new namespace is fsynced into
// its parent first. A batch (an Apply of more than one op) is first written
// whole to a batch file in root/wal (temporary file, fsync, rename, fsync
// of wal): from then on it is committed. Its ops are then applied as above,
// and the batch file removed (and wal fsynced) before Apply returns. Open
// replays every batch file it finds, in order, before anything else (the
// ops are idempotent), removes stray temporary files and fsyncs every
// directory, so that what a crashed process left visible is durable before
// it is read.
//
// # Group commit
//
// Writes, removes and batches go through one commit queue. A committer
// takes every request waiting and commits them as a group: the temporary
// files are written and fsynced in parallel (the file system merges their
// journal commits), renamed together, and each directory touched fsynced
// once. A request returns only when its group is durable, so concurrent
// writers share fsyncs without any giving up durability. When a group
// holds a batch, the whole group goes through one batch file.
//
// # Failures
//
// An error before anything became visible (a temporary file that could not
// be written) fails the group and leaves the store usable. An error after
// (a rename or a directory fsync that failed) leaves the durable state
// unknown: the store then refuses every operation with ErrFailed until it
// is closed and opened again, when recovery settles it.
//
// Every file system call goes through the FS interface (OSFS in
// production), which is how the crash tests interrupt the store between any
// two calls.
package fsstore
