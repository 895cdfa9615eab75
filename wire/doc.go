// Package wire is the Lightning Network wire protocol: the messages of BOLT 1,
// BOLT 2 and BOLT 7, BigSize integers and TLV streams, BOLT 9 feature vectors,
// and the value types the rest of lnkit shares (MilliSatoshi, ChannelID,
// ShortChannelID, PaymentHash, NodeID, ...).
//
// Every decoder treats its input as hostile: lengths are bounded before
// anything is allocated, errors are typed (see DecodeError, which names the
// message type and field, and the Err* sentinels) and no input makes a
// decoder panic.
//
// A message is encoded with Encode and decoded with Decode; both work on the
// plaintext of one transport message (the 2-byte type followed by the
// payload), at most MaxMessageSize bytes. One table (message_table.go) lists
// every known type with its BOLT name and constructor: NewMessage,
// MessageType.String and KnownMessageTypes all read it, so a new message is a
// type constant and a row.
package wire
