// Package chaintest is a test kit for code built on package chain, in the
// manner of testing/fstest: an in-memory block chain with reorganisations
// and fault injection ([Chain], a chain.BlockSource and
// chain.BlockHashSource), a [Recorder] that is a chain.Listen checking the
// Listen contract as blocks arrive, and a manual [Clock] for a
// chain.Poller's Run.
//
// With them a user tests their own chain.Listen or chain.Confirm consumer
// against the real chain.Poller and chain.Watcher, without a full node: mine
// blocks, switch the tip to another branch, make source calls fail, and poll.
//
// The blocks are well formed (each has a coinbase, its merkle root matches
// its transactions, each links to its parent) but carry no proof of work and
// no valid scripts: they exercise block plumbing, not consensus.
package chaintest
