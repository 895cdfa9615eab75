// Package simchain is a simulated Bitcoin chain for tests: a UTXO set, a
// mempool and a block tree in memory, in one process, with no node to run.
// It is the chain of lnkit's test harness (lnkittest) and is usable on its
// own to test anything that broadcasts transactions or follows blocks.
//
// Unlike chain/chaintest, whose blocks carry arbitrary transactions,
// simchain enforces what a full node enforces on the transactions it is
// given:
//
//   - every input is checked with btcd's txscript engine under
//     txscript.StandardVerifyFlags (P2SH, segwit v0 and taproot, CSV, CLTV,
//     low-S, null-fail, clean stack, ...);
//   - absolute locktimes (height, or BIP 113 median time past) and BIP 68
//     relative locktimes are checked against the block the transaction
//     would confirm in (the next block, for the mempool);
//   - coinbase outputs wait 100 blocks;
//   - an output can be spent once: a double spend of a confirmed output is
//     refused, one of a mempool output is a replacement attempt;
//   - mempool policy as Bitcoin Core's, simplified: a minimum relay fee
//     rate (Config.MinRelayFeeRate, over the virtual size), no dust
//     outputs (Core's 3 sat/vbyte dust relay fee, [DustLimit]), full RBF
//     and package relay of parents paid for by a child (below).
//
// Each refused transaction gets a *[TxError] naming it, the input at fault
// when there is one, and a sentinel ([ErrMissingInput], [ErrDoubleSpend], [ErrScript],
// [ErrImmature], [ErrNonFinal], [ErrSequenceLock], [ErrFeeTooLow], [ErrDust],
// [ErrReplacement], ...) for errors.Is.
//
// # Blocks
//
// [Chain.Mine] puts the whole mempool into the next block (parents before
// children, in the order they were accepted) and adds empty blocks;
// [Chain.MineTx] mines exactly the transactions given, checked by the
// consensus rules but not the relay policy (a miner may include a zero-fee
// transaction); [Chain.Reorg] and [Chain.ReorgBlocks] replace the top blocks
// by a new branch, which may be shorter. Transactions of the disconnected
// blocks go back to the mempool when they are still valid on the new
// branch (without the fee and dust policy, as Bitcoin Core re-accepts
// them); the others, and their descendants, are dropped. The block at
// height h is timestamped Config.Start + h×10 minutes on every branch, so
// median time past is a function of the height. There is no proof of work,
// no block weight limit and no subsidy check: every coinbase pays 50 BTC
// to OP_TRUE (spendable by anyone after 100 blocks, which makes coinbase
// maturity testable).
//
// [Chain.Fund] creates a coin out of nothing: a transaction spending a
// made-up outpoint, mined at once in a block of its own. Its outputs are
// spendable in the next block, with no maturity: they are "coinbase-like"
// in where the money comes from, not in the rules. A funding transaction
// disconnected by a reorganisation goes back to the mempool like any other
// (its made-up input exists outside the chain); it is exempt from the relay
// policy.
//
// The chain answers what a test asks of a node: [Chain.Tip],
// [Chain.Confirmations], [Chain.Spender] (confirmed or in the mempool),
// [Chain.Unspent], [Chain.Mempool], [Chain.BlockAt].
//
// # Replacement and package relay
//
// A transaction spending an output already spent in the mempool replaces
// the conflicting transactions (and their descendants) when, as Bitcoin
// Core's full RBF (no signalling needed): it evicts at most 100
// transactions; it spends no output of a transaction it evicts; its fee is
// at least the sum of the evicted fees, and exceeds it by at least the
// minimum relay fee of its own size; its fee rate is above that of each
// transaction it directly conflicts with. Core's rule that a replacement
// adds no new unconfirmed inputs is not applied. There is no package RBF.
//
// Within one BroadcastTransactions call, a transaction whose only fault is
// a fee rate below the minimum waits for a later transaction of the same
// call spending it: when the fee rate of the child with its waiting
// ancestors reaches the minimum, all are accepted (CPFP of zero-fee
// parents, as Bitcoin Core's package relay); otherwise they are refused
// with ErrFeeTooLow. Once in the mempool, parent and child confirm in the
// same block.
//
// # Following the chain
//
// A Chain is a chain.BlockSource and chain.BlockHashSource (it keeps the
// blocks that left the main chain, as a full node does), so a chain.Poller
// drives listeners from it; it is built on chain/chaintest's block tree and
// forwards its fault hooks ([Chain.SetHooks]). [Chain.Connect] also
// delivers each connected and disconnected block to chain.Listen consumers
// synchronously, before Mine, MineTx, Reorg or Fund returns, in the order
// the listeners were connected; wrap a chain.Confirm consumer in a
// chain.Watcher. The Chain is a chain.Broadcaster; [FeeEstimator] is a
// chain.FeeEstimator whose rate the test sets (fee spikes).
//
// Nothing in the package reads a clock or draws randomness: the same calls
// give the same blocks, hashes and errors.
package simchain
