// Package spendable describes outputs a node can spend on its own once a
// channel has closed: the shape the channel monitor reports in its
// SpendableOutputs events and the on-chain wallet (chain/wallet) sweeps.
//
// It is a package of its own, holding data and one small interface, so the
// monitor can produce descriptors without importing the wallet and the
// wallet can sweep them without importing the monitor.
//
// An [Output] names the outpoint and value, what kind of output it is (which
// fixes its script and witness), the channel key id whose [Signer] signs for
// it, and the per-commitment data needed to re-derive the key. The sweeper
// rebuilds the output script from those and refuses a descriptor whose
// script does not match, so a wrong or hostile descriptor can never make it
// sign something else.
//
// An [HTLCTx] is one of our zero-fee HTLC transactions (anchors) that the
// wallet funds with its own coins and a change output (wallet.FundHTLCTx).
package spendable
