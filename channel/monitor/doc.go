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
// A monitor follows the chain as a chain.Listen (whole blocks) or a
// chain.Confirm (behind a chain.Filter, with the funding output
// registered). Claims are delivered at least once: after a restart the
// reloaded monitor emits again the claims of a funding spend it knows.
//
// What the channel Manager uses: HolderCommitmentClaim hands out our
// latest commitment signed for a force close with its own fee and, with
// anchors, our anchor output as a spendable.Output for a CPFP child
// (events.BumpTransaction, chain/wallet's BumpFee); Monitors describes
// every monitor at start-up (its LatestUpdateID against the Manager's
// tells a Manager older than its monitors); ReleaseFundingSpends reports
// every confirmed spend of a funding output, whatever its kind, at least
// once (again after a restart), so the Manager marks the channel closed;
// a DataLossDetected step records durably that the counterparty proved
// in channel_reestablish that our state is behind, after which our
// holder commitment is never handed out (ErrBehind); a PaymentPreimage
// step makes a payment preimage durable before update_fulfill_htlc
// leaves, and the monitor keeps every preimage it learns (Preimage).
//
// A revoked counterparty commitment on chain (BOLT 5 "Revoked Transaction
// Close Handling") is a Breach: the monitor keeps the HTLCs of every
// revoked counterparty commitment (once per HTLC, with the range of
// commitment numbers it was part of), so that it finds the commitment's
// to_local and every HTLC output by script, and the outputs of the
// cheater's HTLC transactions spending them later (AddSecondStage);
// Breach.JusticeTx takes them with the revocation key. A ChainMonitor with
// a SweepConfig broadcasts that justice transaction at every block until
// every revoked output is spent, at the estimator's urgent rate, replaced
// with a rate a quarter higher at every block once the nearest deadline
// (when the cheater's delayed path opens) is SweepBumpWindow blocks away,
// never paying more than it claims; the rate, the destination and the
// confirmed spends are persisted (a restart continues, a reorg undoes).
//
// The HTLC outputs of the counterparty's (unrevoked) commitment on chain
// are claimed the same way (BOLT 5 "Remote Commitment"), one transaction
// each: an HTLC it offered with the preimage once we hold it, one we
// offered once timed out. A preimage revealed by any spend of those
// outputs is learned (kept with the monitor's preimages) and reported,
// with the timeouts once our claim is AntiReorgDelay deep, as
// HTLCResolutions (ReleaseHTLCResolutions).
//
// Our own commitment's HTLC outputs (BOLT 5 "Local Commitment") are
// resolved through our second-stage transactions, signed with the
// counterparty's signatures kept with the commitment: HTLC-timeout from
// the HTLC's cltv_expiry, HTLC-success once the preimage is known,
// broadcast at every block until the output is spent; their outputs are
// SpendableOutputs (ToLocalDelayed) after our to_self_delay.
//
// Watchtower building blocks: a ChainMonitor's RevokedCommitment callback
// receives every counterparty commitment an update revokes as the Breach
// it would be on chain, whose JusticeTx a tower can hold.
//
// ClaimableBalances (per monitor, or every channel's from the
// ChainMonitor) tells the application what each channel may still give:
// our balance while open, outputs awaiting confirmations and from when,
// HTLCs at stake (contentious, maybe timed out, maybe claimed), revoked
// outputs being taken.
//
// Not yet handled (issue 18, in progress): our HTLC transactions with
// anchors (zero-fee: they need the wallet's inputs), handing the
// HTLCResolutions to the channel manager, and sweeping our anchor once the
// commitment confirmed (it is handed out for fee bumps only).
//
// Monitors are deterministic state machines: no goroutines, clocks or
// randomness; the caller drives them with blocks and updates.
package monitor
