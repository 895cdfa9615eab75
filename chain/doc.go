// Package chain connects an lnkit node to the Bitcoin block chain.
//
// It declares the small interfaces the rest of lnkit consumes, so a node can
// be composed from any chain backend:
//
//   - [Broadcaster] hands transactions to the network.
//   - [FeeEstimator] answers fee rates (sat/kw, never below 253) for a
//     [ConfirmationTarget].
//   - [BlockSource] serves headers, blocks and the best block.
//   - [Listen] receives whole connected and disconnected blocks, in order.
//   - [Confirm] and [Filter] are the block-less alternative: the backend is
//     told which transactions and outputs matter and reports only those.
//
// On top of those interfaces it provides the machinery that keeps consumers
// at the chain tip: [Poller] drives any number of [Listen]ers from a
// [BlockSource], catching each up from its own best block and walking
// reorganisations back to the fork point; [Watcher] turns a block stream into
// [Confirm] calls for registered transactions and outputs; [Rebroadcaster]
// re-sends transactions after new blocks until they confirm. The Listen
// callbacks of Watcher and Rebroadcaster do no I/O: a poll is never held up
// by a broadcaster; the Rebroadcaster sends from Rebroadcast (called by the
// loop that polls) or Run.
//
// Every constructor validates its Config: an invalid one gives an error
// matching [ErrInvalidConfig] that names the field ([ConfigError]); the zero
// value of an optional field means its Default… constant.
//
// The sub-package chain/chaintest is a test kit: an in-memory chain with
// reorganisations and fault injection, a contract-checking listener and a
// manual clock, to test Listen and Confirm consumers without a full node.
//
// The JSON-RPC client for bitcoind and btcd, which implements [Broadcaster],
// [FeeEstimator] and [BlockSource], lives in the sub-package chain/rpc.
//
// Naming: this package uses btcd's wire package (imported as btcwire) for
// blocks and transactions and lnkit's wire package (imported as lnwire) for
// Lightning amounts such as [lnwire.FeeRate].
package chain
