package wire

import "github.com/btcsuite/btcd/chaincfg/chainhash"

// ChannelReestablish is the channel_reestablish message (BOLT 2, type 136),
// sent for each channel on reconnection to resynchronise the commitment
// state (including option_data_loss_protect's secret and point).
type ChannelReestablish struct {
	// ChannelID is the channel.
	ChannelID ChannelID
	// NextCommitmentNumber is the commitment number of the next
	// commitment_signed the sender expects.
	NextCommitmentNumber uint64
	// NextRevocationNumber is the commitment number of the next
	// revoke_and_ack the sender expects.
	NextRevocationNumber uint64
	// YourLastPerCommitmentSecret is the last per-commitment secret the
	// sender received (all zero when NextRevocationNumber is 0).
	YourLastPerCommitmentSecret PerCommitmentSecret
	// MyCurrentPerCommitmentPoint is the sender's current per-commitment
	// point. BOLT 2 tells receivers to ignore it (they may require a valid
	// point), so it is not validated here.
	MyCurrentPerCommitmentPoint Point
	// NextFunding is the next_funding record (type 1): an interactive
	// funding transaction whose tx_signatures the sender still waits for.
	NextFunding Option[NextFunding]
	// MyCurrentFundingLocked is the my_current_funding_locked record
	// (type 5): the latest funding transaction the sender considers locked.
	MyCurrentFundingLocked Option[FundingLocked]
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// NextFunding is the next_funding record of channel_reestablish.
type NextFunding struct {
	// TxID is next_funding_txid.
	TxID chainhash.Hash
	// RetransmitFlags asks the receiver to retransmit messages for TxID:
	// bit 0 is commitment_signed (RetransmitCommitmentSigned).
	RetransmitFlags uint8
}

// FundingLocked is the my_current_funding_locked record of
// channel_reestablish.
type FundingLocked struct {
	// TxID is my_current_funding_locked_txid.
	TxID chainhash.Hash
	// RetransmitFlags asks the receiver to retransmit messages: bit 0 is
	// announcement_signatures (RetransmitAnnouncementSignatures).
	RetransmitFlags uint8
}

// Bits of the retransmit_flags fields of channel_reestablish.
const (
	// RetransmitCommitmentSigned is bit 0 of NextFunding.RetransmitFlags.
	RetransmitCommitmentSigned uint8 = 1 << 0
	// RetransmitAnnouncementSignatures is bit 0 of
	// FundingLocked.RetransmitFlags.
	RetransmitAnnouncementSignatures uint8 = 1 << 0
)

// TLV types of channel_reestablish_tlvs.
const (
	reestablishTLVNextFunding   = 1
	reestablishTLVFundingLocked = 5
)

// Type implements Message.
func (m *ChannelReestablish) Type() MessageType { return MsgChannelReestablish }

// Encode implements Message.
func (m *ChannelReestablish) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("channel_reestablish", m.ExtraTLVs, reestablishTLVNextFunding, reestablishTLVFundingLocked); err != nil {
		return b, err
	}
	b = append(b, m.ChannelID[:]...)
	b = appendU64(b, m.NextCommitmentNumber)
	b = appendU64(b, m.NextRevocationNumber)
	b = append(b, m.YourLastPerCommitmentSecret[:]...)
	b = append(b, m.MyCurrentPerCommitmentPoint[:]...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	if m.NextFunding.Present {
		w.header(reestablishTLVNextFunding, chainhash.HashSize+1)
		w.b = append(w.b, m.NextFunding.Value.TxID[:]...)
		w.b = append(w.b, m.NextFunding.Value.RetransmitFlags)
	}
	if m.MyCurrentFundingLocked.Present {
		w.header(reestablishTLVFundingLocked, chainhash.HashSize+1)
		w.b = append(w.b, m.MyCurrentFundingLocked.Value.TxID[:]...)
		w.b = append(w.b, m.MyCurrentFundingLocked.Value.RetransmitFlags)
	}
	return w.finish(), nil
}

// Decode implements Message.
func (m *ChannelReestablish) Decode(payload []byte) error {
	*m = ChannelReestablish{}
	r := newReader(MsgChannelReestablish, payload)
	r.fixed("channel_id", m.ChannelID[:])
	m.NextCommitmentNumber = r.u64("next_commitment_number")
	m.NextRevocationNumber = r.u64("next_revocation_number")
	r.fixed("your_last_per_commitment_secret", m.YourLastPerCommitmentSecret[:])
	r.fixed("my_current_per_commitment_point", m.MyCurrentPerCommitmentPoint[:])
	m.ExtraTLVs = r.tlvs(func(typ uint64, v []byte) (bool, error) {
		var txid *chainhash.Hash
		var flags *uint8
		switch typ {
		case reestablishTLVNextFunding:
			m.NextFunding.Present = true
			txid, flags = &m.NextFunding.Value.TxID, &m.NextFunding.Value.RetransmitFlags
		case reestablishTLVFundingLocked:
			m.MyCurrentFundingLocked.Present = true
			txid, flags = &m.MyCurrentFundingLocked.Value.TxID, &m.MyCurrentFundingLocked.Value.RetransmitFlags
		default:
			return false, nil
		}
		if len(v) != chainhash.HashSize+1 {
			return true, ErrTLVLength
		}
		copy(txid[:], v)
		*flags = v[chainhash.HashSize]
		return true, nil
	})
	return r.done()
}
