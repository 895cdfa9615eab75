package monitor

import (
	btcwire "github.com/btcsuite/btcd/wire"

	"github.com/lnkit/lnkit/channel/commit"
	lnwire "github.com/lnkit/lnkit/wire"
)

// MonitorInfo is what the channel Manager reads of a monitor at start-up,
// to check its own channels against the monitors: a monitor whose
// LatestUpdateID is above the Manager's copy of the channel means the
// Manager's state is older than the monitor's (restored from an old
// backup) and the channel must not be used.
type MonitorInfo struct {
	// ChannelID is the channel.
	ChannelID lnwire.ChannelID
	// FundingOutPoint is its funding output.
	FundingOutPoint btcwire.OutPoint
	// ChannelKeyID is the key id of our channel keys.
	ChannelKeyID [32]byte
	// LatestUpdateID is the id of the last update applied (0 for none).
	LatestUpdateID uint64
	// HolderCommitmentNumber is our latest commitment's number.
	HolderCommitmentNumber uint64
	// ForceClosed says a ChannelForceClosed step was applied.
	ForceClosed bool
	// Behind says the chain showed a counterparty commitment newer than
	// any we know, or a DataLossDetected step was applied:
	// LatestHolderCommitmentTx and HolderCommitmentClaim refuse with
	// ErrBehind.
	Behind bool
	// FundingSpend is the confirmed spend of the funding output, nil
	// when none is known.
	FundingSpend *FundingSpendInfo
	// NextOfferedHTLCID is one more than the highest id of an HTLC we
	// offered that a commitment the monitor knows holds (our current and
	// previous ones, the counterparty's unrevoked ones, the history of
	// its revoked ones), 0 for none. An HTLC of ours with a higher id
	// never was in a commitment signed for the counterparty (its update
	// is made durable with the monitor before commitment_signed leaves):
	// it cannot reach the chain.
	NextOfferedHTLCID uint64
}

// Info describes the monitor.
func (m *ChannelMonitor) Info() MonitorInfo {
	i := MonitorInfo{
		ChannelID: m.ChannelID(), FundingOutPoint: m.FundingOutPoint(), ChannelKeyID: m.keyID,
		LatestUpdateID: m.latestID, HolderCommitmentNumber: m.HolderCommitmentNumber(),
		ForceClosed: m.forceClosed, Behind: m.behind, NextOfferedHTLCID: m.nextOfferedHTLCID(),
	}
	if s := m.chain.spend; s != nil {
		fs := m.spendInfo(s)
		i.FundingSpend = &fs
	}
	return i
}

// nextOfferedHTLCID is MonitorInfo.NextOfferedHTLCID.
func (m *ChannelMonitor) nextOfferedHTLCID() uint64 {
	var next uint64
	see := func(h commit.HTLC) {
		if h.Offerer == commit.Local {
			next = max(next, h.ID+1)
		}
	}
	states := m.knownStates()
	for _, st := range states {
		for _, h := range st.HTLCs {
			see(h)
		}
	}
	for _, list := range [][]pastHTLC{m.history.closed, m.history.open} {
		for _, p := range list {
			see(p.h)
		}
	}
	return next
}

// Monitors describes every monitor the ChainMonitor holds, by channel id.
func (c *ChainMonitor) Monitors() []MonitorInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	ws := c.sorted()
	out := make([]MonitorInfo, len(ws))
	for i, w := range ws {
		out[i] = w.m.Info()
	}
	return out
}

// knownStates are the states of the commitments the monitor may see on
// chain and can claim from: our current and previous ones and the
// counterparty's unrevoked ones.
func (m *ChannelMonitor) knownStates() []*commit.State {
	states := []*commit.State{m.holder.step.State}
	if m.prevHolder != nil {
		states = append(states, m.prevHolder.step.State)
	}
	for _, c := range m.counterparty {
		states = append(states, c.st)
	}
	return states
}
