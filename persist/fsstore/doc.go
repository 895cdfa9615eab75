// Package fsstore is lnkit's default persist.KVStore: one file per key
// under a root directory, in front of them a write-ahead log, written so
// that a crash or power loss at any moment leaves every key with either
// its old or its new value, and every acknowledged write durable.
//
// # Layout
//
//	root/LOCK                         flock(2)-ed while a Store is open (ErrLocked otherwise)
//	root/wal/<n>.log                  a log segment
//	root/wal/<seq>.batch              a batch file of an older version, replayed by Open
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
// # The log
//
// A log segment is a file of Config.SegmentBytes (DefaultSegmentBytes, 8
// MiB) created all zeros and made durable, with its directory entry,
// before it holds anything: its size never changes after. Records are
// written one after the other from its start, each padded to a multiple
// of 32 bytes:
//
//	"LNKW" | version 1 | 3 zero bytes | payload length (4) | sequence number (8) | CRC-32C (4) | payload | zeros
//	payload: op count (4) | ops
//	op: kind (0 write, 1 remove) | len (1) primary | len (1) secondary | len (1) key | [len (4) value]
//
// The CRC-32C covers the header before it and the payload. Sequence
// numbers start at 1 and grow by one from each record to the next, across
// segments. The segment's number in its name only makes it unique.
//
// # Writing
//
// Writes, removes and batches go through one commit queue. A committer
// takes every request waiting (a group) and writes their ops whole as one
// record in the current segment, in place, then fdatasyncs the segment
// (fdatasync(2) on Linux, fsync elsewhere): no file is created, no size
// or directory changes, so one data flush makes the record durable (a
// group waits for a segment to be made only when the one prepared ahead is
// not ready, or its record is larger than a segment). That
// commits the group: a request returns only when its group's record is
// durable, so concurrent writers share one fdatasync without any giving
// up durability. A lone write goes the same way: one fdatasync is cheaper
// than writing its key file (a temporary file, fsync, rename and
// directory fsync); BenchmarkStore/Write measures it. A request whose ops
// encode to more than 1 GiB is refused (persist.ErrBatchTooLarge): a
// group must fit a record.
//
// The group's ops then go to the memtable, which Read and List see over
// the key files. When the current segment is more than half full, the next
// one is prepared in the background; a record that does not fit in the
// current segment goes to it (waiting for it, or making it, if needed), and
// the full segment is retired. A record larger than a standard segment
// gets a segment of its own size. Open starts preparing the first segment;
// it is at most 256 KiB, so that neither Open nor the first write waits
// for a whole standard one.
//
// A checkpoint, when Config.CheckpointBytes of records have been written
// since the last, and at Close, writes the memtable to the key files (each
// through a temporary file, fsynced and renamed over the key, the files in
// parallel, each directory fsynced once; a directory made for a new
// namespace is fsynced into its parent first), empties it, and removes the
// retired segments. The current segment stays, its records applied. Close
// then removes the log: it fsyncs wal (the retired segments are durably
// gone) before it removes the current segment.
//
// # Recovery
//
// Open replays, in this order: the batch files an older version left
// (each applied to the key files, then removed and wal fsynced), then the
// log. It reads every segment's records in order, up to the first that is
// all zero, or is not whole, or fails its CRC: past it the segment must
// hold no valid record (else the error matches persist.ErrCorrupt and
// names the segment). A bad record followed only by zeros or by what is
// not a valid record is a torn write: its fdatasync never returned, so it
// was never acknowledged, and it is ignored. A valid record out of
// sequence is corruption too.
//
// The segments with records are ordered by sequence number. A gap in the
// numbers between two of them means a checkpoint removed the segments
// between, and a crash brought back an older one (the removals are not
// fsynced): every segment before the newest gap is ignored, its records
// in the key files already. The records of the segments after it are
// applied to the key files together (one op per key, the last): they
// bring each key to its latest value, whatever part of them a checkpoint
// had applied before the crash, because they are replayed in order, all
// of them up to the newest. A torn record before another segment's
// records is corruption. Nothing is written until every segment has read
// well. The segments are then removed oldest first, each removal durable
// before the next, so that a crash leaves only the newest ones (which
// replay the same way). Open finally removes stray temporary files and
// fsyncs every directory, so that what a crashed process left visible is
// durable before it is read.
//
// # Failures
//
// An error before anything became visible (a temporary file that could not
// be written, a segment that could not be made) fails the group and leaves
// the store usable. An error after (a failed write or fdatasync of a
// record, which may have left any part of it on disk, a rename or a
// directory fsync that failed) leaves the durable state unknown: the store
// then refuses every operation with ErrFailed until it is closed and
// opened again, when recovery settles it. A checkpoint that fails before
// renaming anything is tried again after the next group (its segments
// stay, so nothing is lost); Close reports it.
//
// Every file system call goes through the FS interface (OSFS in
// production), which is how the crash tests interrupt the store between any
// two calls.
package fsstore
