package monitor

import "github.com/lnkit/lnkit/channel/commit"

// HolderStates returns the states of m's latest and previous holder
// commitments (prev nil when there is none), for tests.
func HolderStates(m *ChannelMonitor) (latest, prev *commit.State) {
	if m.prevHolder != nil {
		prev = m.prevHolder.step.State
	}
	return m.holder.step.State, prev
}

// CounterpartyStates returns the states of m's unrevoked counterparty
// commitments, oldest first, for tests.
func CounterpartyStates(m *ChannelMonitor) []*commit.State {
	sts := make([]*commit.State, len(m.counterparty))
	for i, c := range m.counterparty {
		sts[i] = c.st
	}
	return sts
}

// HolderCommitmentOf returns m's latest holder commitment, for tests.
func HolderCommitmentOf(m *ChannelMonitor) *commit.Commitment { return m.holder.cm }

// CounterpartyCommitments returns m's unrevoked counterparty commitments,
// oldest first, for tests.
func CounterpartyCommitments(m *ChannelMonitor) []*commit.Commitment {
	cms := make([]*commit.Commitment, len(m.counterparty))
	for i, c := range m.counterparty {
		cms[i] = c.cm
	}
	return cms
}
