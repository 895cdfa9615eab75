package wire

// BOLT 2 message types beyond those declared with the message framing:
// quiescence, batching, simple close, interactive transaction construction,
// channel establishment v2 and splicing.
const (
	// MsgStfu is stfu, which quiesces a channel (option_quiesce).
	MsgStfu MessageType = 2
	// MsgClosingComplete is closing_complete (option_simple_close).
	MsgClosingComplete MessageType = 40
	// MsgClosingSig is closing_sig (option_simple_close).
	MsgClosingSig MessageType = 41
	// MsgOpenChannel2 is open_channel2 (channel establishment v2).
	MsgOpenChannel2 MessageType = 64
	// MsgAcceptChannel2 is accept_channel2 (channel establishment v2).
	MsgAcceptChannel2 MessageType = 65
	// MsgTxAddInput is tx_add_input (interactive transaction construction).
	MsgTxAddInput MessageType = 66
	// MsgTxAddOutput is tx_add_output (interactive transaction construction).
	MsgTxAddOutput MessageType = 67
	// MsgTxRemoveInput is tx_remove_input (interactive transaction construction).
	MsgTxRemoveInput MessageType = 68
	// MsgTxRemoveOutput is tx_remove_output (interactive transaction construction).
	MsgTxRemoveOutput MessageType = 69
	// MsgTxComplete is tx_complete (interactive transaction construction).
	MsgTxComplete MessageType = 70
	// MsgTxSignatures is tx_signatures (interactive transaction construction).
	MsgTxSignatures MessageType = 71
	// MsgTxInitRBF is tx_init_rbf (interactive transaction replacement).
	MsgTxInitRBF MessageType = 72
	// MsgTxAckRBF is tx_ack_rbf (interactive transaction replacement).
	MsgTxAckRBF MessageType = 73
	// MsgTxAbort is tx_abort (interactive transaction construction).
	MsgTxAbort MessageType = 74
	// MsgSpliceLocked is splice_locked (splicing).
	MsgSpliceLocked MessageType = 77
	// MsgSpliceInit is splice_init (splicing).
	MsgSpliceInit MessageType = 80
	// MsgSpliceAck is splice_ack (splicing).
	MsgSpliceAck MessageType = 81
	// MsgStartBatch is start_batch, which groups commitment_signed messages.
	MsgStartBatch MessageType = 127
)

// newChannelMessage returns an empty BOLT 2 message of type t, or nil.
func newChannelMessage(t MessageType) Message {
	switch t {
	case MsgStfu:
		return &Stfu{}
	case MsgOpenChannel:
		return &OpenChannel{}
	case MsgAcceptChannel:
		return &AcceptChannel{}
	case MsgFundingCreated:
		return &FundingCreated{}
	case MsgFundingSigned:
		return &FundingSigned{}
	case MsgChannelReady:
		return &ChannelReady{}
	case MsgShutdown:
		return &Shutdown{}
	case MsgClosingSigned:
		return &ClosingSigned{}
	case MsgClosingComplete:
		return &ClosingComplete{}
	case MsgClosingSig:
		return &ClosingSig{}
	case MsgOpenChannel2:
		return &OpenChannel2{}
	case MsgAcceptChannel2:
		return &AcceptChannel2{}
	case MsgTxAddInput:
		return &TxAddInput{}
	case MsgTxAddOutput:
		return &TxAddOutput{}
	case MsgTxRemoveInput:
		return &TxRemoveInput{}
	case MsgTxRemoveOutput:
		return &TxRemoveOutput{}
	case MsgTxComplete:
		return &TxComplete{}
	case MsgTxSignatures:
		return &TxSignatures{}
	case MsgTxInitRBF:
		return &TxInitRBF{}
	case MsgTxAckRBF:
		return &TxAckRBF{}
	case MsgTxAbort:
		return &TxAbort{}
	case MsgSpliceLocked:
		return &SpliceLocked{}
	case MsgSpliceInit:
		return &SpliceInit{}
	case MsgSpliceAck:
		return &SpliceAck{}
	case MsgStartBatch:
		return &StartBatch{}
	case MsgUpdateAddHTLC:
		return &UpdateAddHTLC{}
	case MsgUpdateFulfillHTLC:
		return &UpdateFulfillHTLC{}
	case MsgUpdateFailHTLC:
		return &UpdateFailHTLC{}
	case MsgUpdateFailMalformedHTLC:
		return &UpdateFailMalformedHTLC{}
	case MsgCommitmentSigned:
		return &CommitmentSigned{}
	case MsgRevokeAndAck:
		return &RevokeAndAck{}
	case MsgUpdateFee:
		return &UpdateFee{}
	case MsgChannelReestablish:
		return &ChannelReestablish{}
	}
	return nil
}
