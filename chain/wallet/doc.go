// Package wallet is lnkit's on-chain wallet: it funds channels, receives
// what closed channels pay out (Sweep), pays anchor fee bumps (BumpFee)
// and the fees of our zero-fee HTLC transactions (FundHTLCTx), and sends
// and receives ordinary payments. It is built from btcd's parts
// (txscript, btcutil, btcutil/psbt, btcutil/hdkeychain), not btcwallet.
//
// # Keys (fixed forever)
//
// The wallet's keys come from the node's keys.Seed through a BIP 32 master
// of their own, independent of the Lightning keys (keys derives those with
// HKDF salt "lnkit keys v1"; the wallet uses another salt, so one seed never
// gives the same key for two purposes):
//
//	bip32_seed = HKDF-SHA256(ikm = seed, salt = "lnkit wallet v1",
//	                         info = "lnkit wallet bip32 seed", length = 64)
//	master     = BIP 32 master key of bip32_seed
//
//	P2WPKH (BIP 84): m/84'/coin'/0'/0/i receive, m/84'/coin'/0'/1/i change
//	P2TR   (BIP 86): m/86'/coin'/0'/0/i receive, m/86'/coin'/0'/1/i change
//
// coin is the network's BIP 44 coin type (0 on mainnet, 1 on test networks).
// A P2TR output key is the BIP 86 key-path-only tweak of the derived key.
// Each of the four chains is watched GapLimit (default 20) addresses past
// its last used or handed-out index.
//
// # Tracking
//
// A Wallet is a chain.Listen (drive it with a chain.Poller from its
// BestBlock) and a chain.Confirm (with Config.Filter told every script and
// coin it watches). It records its coins and the transactions paying or
// spending them, block by block. When a block is disconnected, its
// transactions built by the wallet go back to unconfirmed (they may confirm
// again), and the others are forgotten: what they paid leaves the wallet,
// what they spent is spendable again. A confirmed transaction evicts the
// unconfirmed or locked wallet transactions it conflicts with. Coinbase
// outputs wait 100 blocks. Coins are forgotten PruneDepth blocks after
// their spend: deeper reorganisations are not followed.
//
// # Spending
//
// Coins are chosen by branch and bound (a change-less set whose excess is
// at most the cost of a change output), else largest first with change;
// change is added only when it is not dust. The fee rate comes from a
// chain.FeeEstimator target; a rate above MaxFeeRate or a fee above
// MaxFeePercent of the amount is refused (ErrAbsurdFee). Transactions are
// version 2, signal RBF, and carry an anti-fee-sniping locktime (the best
// height, one time in ten up to 99 blocks older, from Config.Entropy). They
// are built as a PSBT, signed, finalised and extracted, and every input is
// checked with txscript's engine before the transaction leaves the wallet.
// A transaction is persisted before it is broadcast.
//
// FundHTLCTx keeps what the counterparty's SIGHASH_SINGLE|ANYONECANPAY
// signature covers: input 0 and output 0 first, the HTLC transaction's own
// locktime (no anti-fee-sniping) and sequence, change last. Funding the
// same HTLC output again replaces the previous transaction (BIP 125): its
// coins are offered first (coinselect.go selectReusing), its change
// address is kept, and the fee is raised until it pays more than the
// replaced transactions by 1 sat/vbyte of its size, at a higher rate.
//
// # Persistence
//
// The state (derivation indexes, coins, transactions, locks, best block) is
// kept in a persist.KVStore under the namespace "wallet", each value with a
// version byte (codec.go); every change of a block or a call is written in
// one atomic batch. Open resumes from the stored best block.
package wallet
