package regtest

import (
	"context"
	"fmt"
	"time"
)

// ChannelBalanceMsat returns the sum over lnd's open channels of its own
// and its peers' balances, in millisatoshis (`lncli channelbalance`
// local_balance.msat and remote_balance.msat). The balances are those of
// lnd's current commitment: HTLCs in flight count in neither (see
// WaitHTLCsResolved), the commitment fee and anchors are already taken
// from the initiator's side, reserves are included. Pending channels do
// not count.
func (l *Lnd) ChannelBalanceMsat(ctx context.Context) (local, remote uint64, err error) {
	type amount struct {
		Sat  uint64 `json:"sat,string"`
		Msat uint64 `json:"msat,string"`
	}
	var res struct {
		Local  amount `json:"local_balance"`
		Remote amount `json:"remote_balance"`
	}
	if err := l.cliJSONContext(ctx, &res, "channelbalance"); err != nil {
		return 0, 0, err
	}
	return res.Local.Msat, res.Remote.Msat, nil
}

// LndChannelDetail is one channel of `lncli listchannels` with what a
// payment test checks beyond LndChannel. lnd reports per-channel amounts in
// whole satoshis only (millisatoshis are truncated); ChannelBalanceMsat has
// the exact sum.
type LndChannelDetail struct {
	LndChannel
	// PendingHTLCs are the HTLCs on lnd's current commitment.
	PendingHTLCs []LndHTLC `json:"pending_htlcs"`
	// UnsettledBalance is the sum of the pending HTLCs, satoshis.
	UnsettledBalance int64 `json:"unsettled_balance,string"`
	// TotalSatoshisSent and TotalSatoshisReceived sum the settled HTLCs
	// of the channel's life, satoshis.
	TotalSatoshisSent     int64 `json:"total_satoshis_sent,string"`
	TotalSatoshisReceived int64 `json:"total_satoshis_received,string"`
	// NumUpdates counts the channel's commitment updates.
	NumUpdates uint64 `json:"num_updates,string"`
	// CommitWeight is the weight of lnd's commitment transaction.
	CommitWeight int64 `json:"commit_weight,string"`
}

// LndHTLC is one pending HTLC of a channel.
type LndHTLC struct {
	Incoming         bool   `json:"incoming"`
	AmountSat        int64  `json:"amount,string"`
	HashLock         string `json:"hash_lock"` // hex
	ExpirationHeight uint32 `json:"expiration_height"`
	HTLCIndex        uint64 `json:"htlc_index,string"`
	LockedIn         bool   `json:"locked_in"`
}

// ListChannelsDetail returns lnd's open channels, active or not (`lncli
// listchannels`).
func (l *Lnd) ListChannelsDetail(ctx context.Context) ([]LndChannelDetail, error) {
	var res struct {
		Channels []LndChannelDetail `json:"channels"`
	}
	if err := l.cliJSONContext(ctx, &res, "listchannels"); err != nil {
		return nil, err
	}
	return res.Channels, nil
}

// WaitHTLCsResolved polls ListChannelsDetail until no channel of lnd has a
// pending HTLC. A payment reports success when the payer learns the
// preimage, before the HTLC is removed from both commitments: wait for
// this on both sides before reading balances.
func (l *Lnd) WaitHTLCsResolved(ctx context.Context, timeout time.Duration) error {
	err := pollContext(ctx, timeout, func(ctx context.Context) (bool, string, error) {
		chans, err := l.ListChannelsDetail(ctx)
		if err != nil {
			return false, err.Error(), nil
		}
		pending := 0
		for _, c := range chans {
			pending += len(c.PendingHTLCs)
		}
		return pending == 0, fmt.Sprintf("%d pending HTLCs", pending), nil
	})
	if err != nil {
		return fmt.Errorf("regtest: %s HTLCs resolved: %w", l.Alias, err)
	}
	return nil
}
