// Package fsstore is lnkit's default persist.KVStore: a write-ahead log in
// front of pack files (many keys per file) under a root directory, written
// so that a crash or power loss at any moment leaves every key with either
// its old or its new value, and every acknowledged write durable. Key
// files of earlier versions (one file per key) stay readable.
//
// # Layout
//
//	root/LOCK                         flock(2)-ed while a Store is open (ErrLocked otherwise)
//	root/wal/<n>.log                  a log segment
//	root/wal/<seq>.batch              a batch file of an older version, replayed by Open
//	root/packs/<base>-<top>.pack      a pack: keys' values and tombstones, sorted by key
//	root/packs/<base>-<top>.pack.tmp  a pack being written
//	root/data/p.<primary>/s.<secondary>/<key>   a key file of an earlier version
//	root/data/p.<primary>/s.<secondary>/<key>.tmp one being written by it
//
// Namespace directories carry a "p." or "s." prefix (an empty part is just
// the prefix), so that no key name, which has no '.', can collide with a
// directory or a temporary file. In every file and directory name an
// upper-case letter is written as '^' and the letter in lower case
// ("chanKey" is the file "chan^key"), so that names differing only in case
// stay apart on a case-insensitive file system. Directories are 0700,
// files 0600. This version writes no key file: it reads those it finds,
// and removes each once a pack has its key. Never open a store this
// version wrote with an earlier one: it would not see the packs (values
// would be missing), and the key files it wrote would be removed as
// shadowed when this version opened the store again — the writes made in
// between would be lost. Nothing on disk stops it; downgrading is the
// caller's to avoid.
//
// A key file is a 16-byte header, then the value:
//
//	"LNKV" | version 1 | 3 zero bytes | value length (4, big-endian) | CRC-32C (4) | value
//
// The CRC covers the namespace, the key and the value, so a torn,
// truncated, corrupted or foreign file (or one moved to another key's name)
// reads as an error matching persist.ErrCorrupt that names the key.
//
// # Packs
//
// A pack is a header, one record per key sorted by primary namespace,
// secondary namespace, then key (each compared as bytes), and a footer:
//
//	header: "LNKP" | version 1 | 3 zero bytes | base (8) | top (8)
//	record: kind (0 value, 1 tombstone) | len (1) primary | len (1) secondary | len (1) key | value length (4) | primary | secondary | key | value | CRC-32C (4)
//	footer: 0xff | 3 zero bytes | record count (4) | CRC-32C (4)
//
// A record's CRC-32C covers the record before it: a value read alone (one
// pread at the offset the index gives) is checked, its names with it, and
// a damaged one reads as an error matching persist.ErrCorrupt that names
// the key. The footer's covers the whole file before it, and Open checks
// it, the count and the order of the keys: a pack cut short, or changed
// anywhere, does not load. A tombstone's value length is 0.
//
// Packs are numbered: a checkpoint's pack is the next number (base = top),
// a merge's covers the numbers of the packs it merged (base of the oldest,
// top of the newest). The store reads a key from its latest record: the
// memtable's, else that of the newest pack holding it (a tombstone: not
// found), else its key file of an earlier version. An in-memory index
// gives each key's latest record in the packs (pack, offset, length);
// values stay on disk, read with pread: a store's values grow without
// bound (a node keeps every payment), the index only with the number of
// keys, and the page cache keeps the hot records. Open reads every pack
// once, in order, to build the index.
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
// than writing a file (a temporary file, fsync, rename and directory
// fsync); BenchmarkStore/Write measures it. A request whose ops
// encode to more than 1 GiB is refused (persist.ErrBatchTooLarge): a
// group must fit a record.
//
// The group's ops then go to the memtable, which Read and List see over the
// packs and the key files. When the current segment is more than half full,
// the next one is prepared in the background; a record that does not fit in
// the current segment goes to it (waiting for it, or making it, if needed),
// and the full segment is retired. A record larger than a standard segment
// gets a segment of its own size. Open starts preparing the first segment;
// it is at most 256 KiB, so that neither Open nor the first write waits for
// a whole standard one.
//
// A checkpoint, when Config.CheckpointBytes of records have been written
// since the last, and at Close, writes the memtable, sorted by key, into
// one new pack: values, and tombstones for removed keys that a pack or a
// key file has (a key no pack nor key file has needs none). The pack is
// written to its temporary file, fsynced, renamed to its name and the
// packs directory fsynced: one file created per checkpoint, however many
// keys it holds (BenchmarkCheckpoint1000Keys). The index then points at
// the pack, the memtable empties, the key files of earlier versions the
// pack has the keys of are removed (their directories fsynced), and the
// retired segments are removed (not fsynced). The current segment stays,
// its records applied. Close then removes the log: it fsyncs wal (the
// retired segments are durably gone) before it removes the current
// segment.
//
// The invariant that makes this safe: a pack is never the only copy of an
// acknowledged write until it is durable under its name. Its records stay
// in the log (the retired segments and the current one, without a gap in
// the sequence numbers) until its rename and the directory fsync have
// returned, so a crash before loses nothing the log does not replay; and
// a pack is renamed only once its data is fsynced, so no crash leaves a
// pack under its name that is not whole. Open therefore removes every
// temporary pack (never relied on) and refuses, with an error matching
// persist.ErrCorrupt that names it, a pack under its name that does not
// check: it may hold writes whose segments are gone.
//
// # Merges
//
// After a checkpoint the newest packs merge into one while the next older
// pack is no larger than they are together, so that sizes double going back,
// the packs stay few (logarithmic in the store's size) and each byte is
// rewritten that many times. They also merge from the oldest pack on which,
// with every newer pack, holds more garbage than live bytes (records a newer
// pack supersedes; tombstones too when that is every pack), and all merge
// when there are more than 16. A merge reads its packs in key order, keeps
// each key's newest record, and drops a tombstone only when it takes every
// pack and no key file has the key (none has: the checkpoint removed those
// durably), as nothing older can then hold the key. Its pack covers the
// numbers of its inputs and is made durable like a checkpoint's before the
// index points at it and the inputs are removed (not fsynced). A merge that
// fails before its rename leaves the packs as they were; the next checkpoint
// tries again.
//
// A merge runs in the background, one at a time, beside the committer:
// groups commit and checkpoints write newer packs meanwhile (the packs it
// reads do not change; checkpoints only add packs after them). The
// committer then installs its pack in place of its inputs: a key a newer
// pack has keeps pointing there (its record in the merged pack is
// garbage). Close waits for it; the merges of Close's checkpoint, and of
// OpenInline's stores (the crash tests'), run inline.
//
// A merged pack stands for every pack inside its range. Open loads, in
// order, the packs no other pack's range contains, and removes the others
// unread: the inputs of a merge that a crash left, or brought back (their
// removal not fsynced). Every pack that is removed is inside the range of
// one made durable before, so whatever a crash brings back is recognised;
// ranges that overlap otherwise are corruption.
//
// # Recovery
//
// Open first loads the packs (see Merges), then finds the key files of
// earlier versions (removing their temporary files), removes those a pack
// has the key of (a crash stopped the checkpoint that wrote the pack before
// it removed them), then replays the batch files an older version left and
// the log, into one new pack. It reads every segment's records in order, up
// to the first that is all zero, or is not whole, or fails its CRC: past it
// the segment must hold no valid record (else the error matches
// persist.ErrCorrupt and names the segment). A bad record followed only by
// zeros or by what is not a valid record is a torn write: its fdatasync
// never returned, so it was never acknowledged, and it is ignored. A valid
// record out of sequence is corruption too.
//
// The segments with records are ordered by sequence number. A gap in the
// numbers between two of them means a checkpoint removed the segments
// between, and a crash brought back an older one (the removals are not
// fsynced): every segment before the newest gap is ignored, its records
// in the packs already. The ops of the batch files, then of the records of
// the segments after it, go into one new pack together (one op per key,
// the last), as a checkpoint: they bring each key to its latest value,
// whatever part of them a checkpoint had written to a pack before the
// crash, because they are replayed in order, all of them up to the newest,
// into a pack newer than every other. A torn record before another
// segment's records is corruption. Nothing is written until every segment
// has read well. The batch files and the segments are then removed oldest
// first, each removal durable before the next, so that a crash leaves only
// the newest ones (which replay the same way). Open fsyncs every directory
// it reads, so that what a crashed process left visible is durable before
// it is relied on.
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
// renaming its pack is tried again after the next group (its segments
// stay, so nothing is lost); Close reports it. A failed removal of a key
// file of an earlier version fails the store too (a merge could otherwise
// drop the tombstone hiding it).
//
// Every file system call goes through the FS interface (OSFS in
// production), which is how the crash tests interrupt the store between any
// two calls.
package fsstore
