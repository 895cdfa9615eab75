package monitor

import (
	"github.com/lnkit/lnkit/keys"
)

// Watchtower building blocks: each time the counterparty revokes one of
// its commitments, what a watchtower needs to punish it should it ever
// confirm is a Breach built from our copy of that commitment (Tx is the
// unsigned commitment: its txid is the one that would confirm). Its
// JusticeTx, signed at a chosen fee rate to a chosen script, is the
// transaction to hand to a tower, keyed by the commitment's txid.

// revokedBreach returns the Breach of the counterparty commitment cm,
// revoked by the monitor's stored secret (after the CommitmentSecret step
// of its number was applied), or nil when the monitor cannot build it.
func (m *ChannelMonitor) revokedBreach(c *counterpartyCommitment) *Breach {
	if !m.revoked(c.st.Number) {
		return nil
	}
	b, err := m.breachOf(c.cm.Tx, c.st.Number, 0)
	if err != nil {
		return nil
	}
	return b
}

// counterpartyToRevoke returns the unrevoked counterparty commitments u's
// CommitmentSecret steps revoke, before u is applied.
func (m *ChannelMonitor) counterpartyToRevoke(u *Update) []*counterpartyCommitment {
	var out []*counterpartyCommitment
	for _, s := range u.Steps {
		cs, ok := s.(*CommitmentSecret)
		if !ok {
			continue
		}
		if _, err := keys.ShachainIndex(cs.Number); err != nil {
			continue
		}
		for _, c := range m.counterparty {
			if c.st.Number == cs.Number {
				out = append(out, c)
			}
		}
	}
	return out
}
