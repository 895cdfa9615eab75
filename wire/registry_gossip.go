package wire

// newGossipMessage returns an empty BOLT 7 message of type t, or nil.
func newGossipMessage(t MessageType) Message {
	switch t {
	}
	return nil
}
