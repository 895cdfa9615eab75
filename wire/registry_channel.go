package wire

// newChannelMessage returns an empty BOLT 2 message of type t, or nil.
func newChannelMessage(t MessageType) Message {
	switch t {
	}
	return nil
}
