package channel

import "github.com/lnkit/lnkit/wire"

// messageChannelID returns the channel a BOLT 2 message that the Manager
// does not handle yet is about, so the answer names that channel only.
func messageChannelID(msg wire.Message) (wire.ChannelID, bool) {
	switch m := msg.(type) {
	case *wire.UpdateAddHTLC:
		return m.ChannelID, true
	case *wire.UpdateFulfillHTLC:
		return m.ChannelID, true
	case *wire.UpdateFailHTLC:
		return m.ChannelID, true
	case *wire.UpdateFailMalformedHTLC:
		return m.ChannelID, true
	case *wire.CommitmentSigned:
		return m.ChannelID, true
	case *wire.RevokeAndAck:
		return m.ChannelID, true
	case *wire.UpdateFee:
		return m.ChannelID, true
	case *wire.Stfu:
		return m.ChannelID, true
	case *wire.SpliceInit:
		return m.ChannelID, true
	case *wire.SpliceAck:
		return m.ChannelID, true
	case *wire.SpliceLocked:
		return m.ChannelID, true
	case *wire.ClosingComplete:
		return m.ChannelID, true
	case *wire.ClosingSig:
		return m.ChannelID, true
	case *wire.TxAddInput:
		return m.ChannelID, true
	case *wire.TxAddOutput:
		return m.ChannelID, true
	case *wire.TxRemoveInput:
		return m.ChannelID, true
	case *wire.TxRemoveOutput:
		return m.ChannelID, true
	case *wire.TxComplete:
		return m.ChannelID, true
	case *wire.TxSignatures:
		return m.ChannelID, true
	case *wire.TxInitRBF:
		return m.ChannelID, true
	case *wire.TxAckRBF:
		return m.ChannelID, true
	case *wire.TxAbort:
		return m.ChannelID, true
	case *wire.OpenChannel2:
		return m.TemporaryChannelID, true
	case *wire.AcceptChannel2:
		return m.TemporaryChannelID, true
	}
	return wire.ChannelID{}, false
}
