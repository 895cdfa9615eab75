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
// directory or a temporary file. In every file and directory name an
// upper-case letter is written as '^' and the letter in lower case
// ("chanKey" is the file "chan^key"), so that names differing only in case
// stay apart on a case-insensitive file system. Directories are 0700,
// files 0600.
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
// A lone write goes to <key>.tmp, which is fsynced, renamed over <key>,
// and the directory fsynced; a directory made for a new namespace is
// fsynced into its parent first. A lone remove removes <key> and fsyncs
// the directory.
//
// A batch (an Apply of more than one op), or a group of several requests
// (see below), is written whole to a batch file in root/wal: a temporary
// file, fsynced, renamed into place, and wal fsynced. That commits it: it
// is durable, in two fsyncs however many ops it has. Its ops then go to
// the memtable, which Read and List see over the key files, and a
// checkpoint later writes the memtable to the key files as above (all
// files in parallel, each directory fsynced once) and removes the batch
// files. A checkpoint runs when the batch files reach
// Config.CheckpointBytes, and at Close. Until then a lone write or remove
// of a key in the memtable goes through a batch file too (written directly,
// it would be hidden by the memtable and overwritten by a replay of the
// older batch after a crash). A removed batch file is gone durably with the
// next fsync of wal, which the next group does alongside its directory
// fsyncs (or Close does): before any later write is acknowledged.
// Replaying a batch file before then only writes again what it wrote.
//
// Open replays every batch file it finds, in order, before anything else
// (the ops are idempotent), removes stray temporary files and fsyncs every
// directory, so that what a crashed process left visible is durable before
// it is read.
//
// # Group commit
//
// Writes, removes and batches go through one commit queue. A committer
// takes every request waiting and commits them as a group: a lone write or
// remove directly; any larger group whole through one batch file, so that
// its writers share two fsyncs (the batch file's and wal's) however many
// they are. A request returns only when its group is durable, so
// concurrent writers share fsyncs without any giving up durability.
//
// # Failures
//
// An error before anything became visible (a temporary file that could not
// be written) fails the group and leaves the store usable. An error after
// (a rename or a directory fsync that failed) leaves the durable state
// unknown: the store then refuses every operation with ErrFailed until it
// is closed and opened again, when recovery settles it. A checkpoint that
// fails before renaming anything is tried again later (its batch files
// stay, so nothing is lost); Close reports it.
//
// Every file system call goes through the FS interface (OSFS in
// production), which is how the crash tests interrupt the store between any
// two calls.
package fsstore
