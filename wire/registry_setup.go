package wire

// newSetupMessage returns an empty BOLT 1 message of type t, or nil.
func newSetupMessage(t MessageType) Message {
	switch t {
	}
	return nil
}
