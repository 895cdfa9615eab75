package wire

import "strconv"

// Message types of BOLT 1, BOLT 2 and BOLT 7. Each known type has one row
// in messageTable, which gives its name and constructor; adding a message
// is a constant here and a row there.
const (
	// MsgWarning is warning (BOLT 1).
	MsgWarning MessageType = 1
	// MsgStfu is stfu, which quiesces a channel (option_quiesce).
	MsgStfu MessageType = 2
	// MsgPeerStorage is peer_storage (option_provide_storage).
	MsgPeerStorage MessageType = 7
	// MsgPeerStorageRetrieval is peer_storage_retrieval (option_provide_storage).
	MsgPeerStorageRetrieval MessageType = 9
	// MsgInit is init (BOLT 1).
	MsgInit MessageType = 16
	// MsgError is error (BOLT 1).
	MsgError MessageType = 17
	// MsgPing is ping (BOLT 1).
	MsgPing MessageType = 18
	// MsgPong is pong (BOLT 1).
	MsgPong MessageType = 19
	// MsgOpenChannel is open_channel (channel establishment v1).
	MsgOpenChannel MessageType = 32
	// MsgAcceptChannel is accept_channel (channel establishment v1).
	MsgAcceptChannel MessageType = 33
	// MsgFundingCreated is funding_created (channel establishment v1).
	MsgFundingCreated MessageType = 34
	// MsgFundingSigned is funding_signed (channel establishment v1).
	MsgFundingSigned MessageType = 35
	// MsgChannelReady is channel_ready.
	MsgChannelReady MessageType = 36
	// MsgShutdown is shutdown.
	MsgShutdown MessageType = 38
	// MsgClosingSigned is closing_signed (legacy closing negotiation).
	MsgClosingSigned MessageType = 39
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
	// MsgUpdateAddHTLC is update_add_htlc.
	MsgUpdateAddHTLC MessageType = 128
	// MsgUpdateFulfillHTLC is update_fulfill_htlc.
	MsgUpdateFulfillHTLC MessageType = 130
	// MsgUpdateFailHTLC is update_fail_htlc.
	MsgUpdateFailHTLC MessageType = 131
	// MsgCommitmentSigned is commitment_signed.
	MsgCommitmentSigned MessageType = 132
	// MsgRevokeAndAck is revoke_and_ack.
	MsgRevokeAndAck MessageType = 133
	// MsgUpdateFee is update_fee.
	MsgUpdateFee MessageType = 134
	// MsgUpdateFailMalformedHTLC is update_fail_malformed_htlc.
	MsgUpdateFailMalformedHTLC MessageType = 135
	// MsgChannelReestablish is channel_reestablish.
	MsgChannelReestablish MessageType = 136
	// MsgChannelAnnouncement is channel_announcement (BOLT 7).
	MsgChannelAnnouncement MessageType = 256
	// MsgNodeAnnouncement is node_announcement (BOLT 7).
	MsgNodeAnnouncement MessageType = 257
	// MsgChannelUpdate is channel_update (BOLT 7).
	MsgChannelUpdate MessageType = 258
	// MsgAnnouncementSignatures is announcement_signatures (BOLT 7).
	MsgAnnouncementSignatures MessageType = 259
	// MsgQueryShortChanIDs is query_short_channel_ids (BOLT 7).
	MsgQueryShortChanIDs MessageType = 261
	// MsgReplyShortChanIDsEnd is reply_short_channel_ids_end (BOLT 7).
	MsgReplyShortChanIDsEnd MessageType = 262
	// MsgQueryChannelRange is query_channel_range (BOLT 7).
	MsgQueryChannelRange MessageType = 263
	// MsgReplyChannelRange is reply_channel_range (BOLT 7).
	MsgReplyChannelRange MessageType = 264
	// MsgGossipTimestampFilter is gossip_timestamp_filter (BOLT 7).
	MsgGossipTimestampFilter MessageType = 265
	// MinCustomMessageType is the first type of the custom range, handed to
	// the application as *Custom.
	MinCustomMessageType MessageType = 32768
)

// messageInfo is one row of the message table.
type messageInfo struct {
	typ  MessageType
	name string // the BOLT name
	new  func() Message
}

// messageTable lists every message type lnkit decodes, in increasing type
// order: the single source of the types' names and constructors. It is
// read-only (never written after initialisation, like the tables of package
// unicode). TestMessageTable checks the order and that each row's
// constructor makes a message of its type.
var messageTable = [...]messageInfo{
	{MsgWarning, "warning", func() Message { return &Warning{} }},
	{MsgStfu, "stfu", func() Message { return &Stfu{} }},
	{MsgPeerStorage, "peer_storage", func() Message { return &PeerStorage{} }},
	{MsgPeerStorageRetrieval, "peer_storage_retrieval", func() Message { return &PeerStorageRetrieval{} }},
	{MsgInit, "init", func() Message { return &Init{} }},
	{MsgError, "error", func() Message { return &Error{} }},
	{MsgPing, "ping", func() Message { return &Ping{} }},
	{MsgPong, "pong", func() Message { return &Pong{} }},
	{MsgOpenChannel, "open_channel", func() Message { return &OpenChannel{} }},
	{MsgAcceptChannel, "accept_channel", func() Message { return &AcceptChannel{} }},
	{MsgFundingCreated, "funding_created", func() Message { return &FundingCreated{} }},
	{MsgFundingSigned, "funding_signed", func() Message { return &FundingSigned{} }},
	{MsgChannelReady, "channel_ready", func() Message { return &ChannelReady{} }},
	{MsgShutdown, "shutdown", func() Message { return &Shutdown{} }},
	{MsgClosingSigned, "closing_signed", func() Message { return &ClosingSigned{} }},
	{MsgClosingComplete, "closing_complete", func() Message { return &ClosingComplete{} }},
	{MsgClosingSig, "closing_sig", func() Message { return &ClosingSig{} }},
	{MsgOpenChannel2, "open_channel2", func() Message { return &OpenChannel2{} }},
	{MsgAcceptChannel2, "accept_channel2", func() Message { return &AcceptChannel2{} }},
	{MsgTxAddInput, "tx_add_input", func() Message { return &TxAddInput{} }},
	{MsgTxAddOutput, "tx_add_output", func() Message { return &TxAddOutput{} }},
	{MsgTxRemoveInput, "tx_remove_input", func() Message { return &TxRemoveInput{} }},
	{MsgTxRemoveOutput, "tx_remove_output", func() Message { return &TxRemoveOutput{} }},
	{MsgTxComplete, "tx_complete", func() Message { return &TxComplete{} }},
	{MsgTxSignatures, "tx_signatures", func() Message { return &TxSignatures{} }},
	{MsgTxInitRBF, "tx_init_rbf", func() Message { return &TxInitRBF{} }},
	{MsgTxAckRBF, "tx_ack_rbf", func() Message { return &TxAckRBF{} }},
	{MsgTxAbort, "tx_abort", func() Message { return &TxAbort{} }},
	{MsgSpliceLocked, "splice_locked", func() Message { return &SpliceLocked{} }},
	{MsgSpliceInit, "splice_init", func() Message { return &SpliceInit{} }},
	{MsgSpliceAck, "splice_ack", func() Message { return &SpliceAck{} }},
	{MsgStartBatch, "start_batch", func() Message { return &StartBatch{} }},
	{MsgUpdateAddHTLC, "update_add_htlc", func() Message { return &UpdateAddHTLC{} }},
	{MsgUpdateFulfillHTLC, "update_fulfill_htlc", func() Message { return &UpdateFulfillHTLC{} }},
	{MsgUpdateFailHTLC, "update_fail_htlc", func() Message { return &UpdateFailHTLC{} }},
	{MsgCommitmentSigned, "commitment_signed", func() Message { return &CommitmentSigned{} }},
	{MsgRevokeAndAck, "revoke_and_ack", func() Message { return &RevokeAndAck{} }},
	{MsgUpdateFee, "update_fee", func() Message { return &UpdateFee{} }},
	{MsgUpdateFailMalformedHTLC, "update_fail_malformed_htlc", func() Message { return &UpdateFailMalformedHTLC{} }},
	{MsgChannelReestablish, "channel_reestablish", func() Message { return &ChannelReestablish{} }},
	{MsgChannelAnnouncement, "channel_announcement", func() Message { return &ChannelAnnouncement{} }},
	{MsgNodeAnnouncement, "node_announcement", func() Message { return &NodeAnnouncement{} }},
	{MsgChannelUpdate, "channel_update", func() Message { return &ChannelUpdate{} }},
	{MsgAnnouncementSignatures, "announcement_signatures", func() Message { return &AnnouncementSignatures{} }},
	{MsgQueryShortChanIDs, "query_short_channel_ids", func() Message { return &QueryShortChanIDs{} }},
	{MsgReplyShortChanIDsEnd, "reply_short_channel_ids_end", func() Message { return &ReplyShortChanIDsEnd{} }},
	{MsgQueryChannelRange, "query_channel_range", func() Message { return &QueryChannelRange{} }},
	{MsgReplyChannelRange, "reply_channel_range", func() Message { return &ReplyChannelRange{} }},
	{MsgGossipTimestampFilter, "gossip_timestamp_filter", func() Message { return &GossipTimestampFilter{} }},
}

// lookupMessage returns t's row of the table by binary search.
func lookupMessage(t MessageType) (*messageInfo, bool) {
	lo, hi := 0, len(messageTable)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch {
		case messageTable[mid].typ < t:
			lo = mid + 1
		case messageTable[mid].typ > t:
			hi = mid
		default:
			return &messageTable[mid], true
		}
	}
	return nil, false
}

// KnownMessageTypes returns the types of every message lnkit decodes into
// its own struct, in increasing order (custom types are not included).
func KnownMessageTypes() []MessageType {
	out := make([]MessageType, len(messageTable))
	for i := range messageTable {
		out[i] = messageTable[i].typ
	}
	return out
}

// String returns the BOLT name of the type, e.g. "update_add_htlc", or
// "message 1001" for a type lnkit does not know.
func (t MessageType) String() string {
	if info, ok := lookupMessage(t); ok {
		return info.name
	}
	return "message " + strconv.Itoa(int(t))
}
