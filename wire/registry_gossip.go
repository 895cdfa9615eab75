package wire

// newGossipMessage returns an empty BOLT 7 message of type t, or nil.
func newGossipMessage(t MessageType) Message {
	switch t {
	case MsgChannelAnnouncement:
		return &ChannelAnnouncement{}
	case MsgNodeAnnouncement:
		return &NodeAnnouncement{}
	case MsgChannelUpdate:
		return &ChannelUpdate{}
	case MsgAnnouncementSignatures:
		return &AnnouncementSignatures{}
	case MsgQueryShortChanIDs:
		return &QueryShortChanIDs{}
	case MsgReplyShortChanIDsEnd:
		return &ReplyShortChanIDsEnd{}
	case MsgQueryChannelRange:
		return &QueryChannelRange{}
	case MsgReplyChannelRange:
		return &ReplyChannelRange{}
	case MsgGossipTimestampFilter:
		return &GossipTimestampFilter{}
	}
	return nil
}
