// Package monitor watches the chain for each channel (BOLT 5): a
// ChannelMonitor holds everything needed to claim a channel's funds from
// the chain alone — the channel's static parameters, our latest commitment
// with the counterparty's signature, what we signed for the counterparty,
// and their revealed per-commitment secrets — and learns of changes through
// an ordered stream of Updates. It recognises a spend of the funding output
// (cooperative close, our commitment, the counterparty's commitment) and
// produces spendable.Output descriptors once the claimable outputs are deep
// enough (ANTI_REORG_DELAY). A ChainMonitor holds many monitors, persists
// them through a Persister and feeds them the chain.
//
// Monitors are deterministic state machines: no goroutines, clocks or
// randomness; the caller drives them with blocks and updates.
package monitor
