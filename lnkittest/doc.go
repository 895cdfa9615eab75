// Package lnkittest is the public test harness of lnkit: N nodes in one
// process on a simulated chain, with every message between them pumped by
// the test.
//
// A Network holds a simchain.Chain and Nodes. Each Node has a deterministic
// seed derived from Options.Seed, a keys.Manager, a crash-simulating store
// (persisttest.CrashStore), a chain/wallet.Wallet on that store following
// the chain, and a peer.Manager whose handlers the test chooses
// (Options.Handlers; the channel manager plugs in there). Time is a
// manual Clock the test advances (Network.Tick forwards a tick to every
// peer.Manager) and entropy is keys.DeterministicEntropy, so the same Seed
// gives the same node ids and the same bytes on the wire.
//
// Nothing moves by itself: Connect and Disconnect a pair, DeliverOne message
// from one node to another, Drop the next one, DeliverAll until the
// network is quiet, and inspect the messages in flight with Pending. Mine
// blocks, FundWallet, and Crash and Restart a node from what its store made
// durable.
//
// Order is the test's to choose across connections (deliver c's message
// before a's), never within one: a BOLT 8 stream delivers in order or
// breaks, so Drop loses a message by breaking its connection.
//
// The tap between each peer.Manager and its handlers knows the size of
// every handler message on the wire, which is what makes DeliverOne and
// Pending message-sized. The Manager's own messages (pings after Tick,
// warnings) are not tracked: DeliverOne fails the test while they are in
// flight, and DeliverAll moves them.
//
// A Network is for one test goroutine; it is not safe for concurrent use.
package lnkittest
