// Package sqlrow is what persist's two SQL stores (sqlitestore and pgstore)
// share: the checksum kept beside every row, the checks a batch passes
// before it reaches the database, and the gate that turns a closed store
// into persist.ErrClosed.
//
// A row is (primary_ns, secondary_ns, key, value, sum). Sum is the CRC-32C
// (Castagnoli) of the three names and the value, each name preceded by its
// length as one byte (names are at most persist.MaxNameLen = 120 bytes).
// Covering the names as well as the value means that a value copied or moved
// to another key by hand, a truncated value and a row some other program
// wrote are all caught when read: the store returns an error matching
// persist.ErrCorrupt that names the key.
package sqlrow
