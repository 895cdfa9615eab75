package wire

// BOLT 1 message types beyond those declared with the message framing.
const (
	// MsgPeerStorage is peer_storage (option_provide_storage).
	MsgPeerStorage MessageType = 7
	// MsgPeerStorageRetrieval is peer_storage_retrieval (option_provide_storage).
	MsgPeerStorageRetrieval MessageType = 9
)

// newSetupMessage returns an empty BOLT 1 message of type t, or nil.
func newSetupMessage(t MessageType) Message {
	switch t {
	case MsgInit:
		return &Init{}
	case MsgError:
		return &Error{}
	case MsgWarning:
		return &Warning{}
	case MsgPing:
		return &Ping{}
	case MsgPong:
		return &Pong{}
	case MsgPeerStorage:
		return &PeerStorage{}
	case MsgPeerStorageRetrieval:
		return &PeerStorageRetrieval{}
	}
	return nil
}
