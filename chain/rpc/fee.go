package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/lnkit/lnkit/chain"
	lnwire "github.com/lnkit/lnkit/wire"
)

// btcdMaxFeeBlocks is the farthest target btcd's estimatefee answers.
const btcdMaxFeeBlocks = 25

// bitcoindMaxFeeBlocks is the farthest target bitcoind's estimatesmartfee
// answers.
const bitcoindMaxFeeBlocks = 1008

// FeeRate implements chain.FeeEstimator: the daemon's estimate for target
// (EstimateFeeRate), or, when the daemon has none, the fallback fee rate
// (Config.FallbackFeeRate, defaulting to DefaultRegtestFallbackFeeRate on
// regtest and simnet). The answer is never below 253 sat/kw. An error means
// the daemon could not be asked, or had no estimate and there is no fallback
// (ErrNoFeeEstimate).
func (c *Client) FeeRate(ctx context.Context, target chain.ConfirmationTarget) (lnwire.FeeRate, error) {
	rate, err := c.EstimateFeeRate(ctx, target.Blocks(), target.Conservative())
	if err == nil {
		return rate, nil
	}
	if !errors.Is(err, ErrNoFeeEstimate) {
		return 0, err
	}
	fallback := c.cfg.FallbackFeeRate
	if fallback == 0 {
		params, perr := c.Params(ctx)
		if perr != nil {
			return 0, perr
		}
		if params.Net == chaincfg.RegressionNetParams.Net || params.Net == chaincfg.SimNetParams.Net {
			fallback = DefaultRegtestFallbackFeeRate
		}
	}
	if fallback == 0 {
		return 0, fmt.Errorf("%w for %s", err, target)
	}
	c.cfg.Logger.Debug("rpc: using fallback fee rate", "target", target, "rate", fallback, "reason", err)
	return chain.ClampFeeRate(fallback), nil
}

// EstimateFeeRate asks the daemon for the fee rate to confirm within blocks:
// estimatesmartfee on bitcoind (CONSERVATIVE or ECONOMICAL mode), estimatefee
// on btcd (which ignores the mode and answers up to 25 blocks; farther targets
// ask for 25). The BTC/kvB answer is converted to sat/kw, rounding up, and
// raised to 253 sat/kw if below. A daemon without an estimate (an RPC error,
// -1 or 0) gives ErrNoFeeEstimate.
func (c *Client) EstimateFeeRate(ctx context.Context, blocks uint32, conservative bool) (lnwire.FeeRate, error) {
	daemon, err := c.Daemon(ctx)
	if err != nil {
		return 0, err
	}
	blocks = max(blocks, 1)
	var satPerKvB int64
	if daemon == DaemonBtcd {
		satPerKvB, err = c.estimateFeeBtcd(ctx, min(blocks, btcdMaxFeeBlocks))
	} else {
		satPerKvB, err = c.estimateSmartFee(ctx, min(blocks, bitcoindMaxFeeBlocks), conservative)
	}
	if err != nil {
		return 0, err
	}
	return satPerKvBToFeeRate(satPerKvB), nil
}

// satPerKvBToFeeRate converts sat/kvB (> 0) to sat/kw, rounding up, clamped to
// [253, MaxUint32]. A virtual byte is 4 weight units.
func satPerKvBToFeeRate(satPerKvB int64) lnwire.FeeRate {
	perKw := (satPerKvB + 3) / 4
	if perKw > math.MaxUint32 {
		perKw = math.MaxUint32
	}
	return chain.ClampFeeRate(lnwire.FeeRate(perKw))
}

// smartFeeJSON is the wire shape of estimatesmartfee.
type smartFeeJSON struct {
	FeeRate *json.Number `json:"feerate"`
	Errors  []string     `json:"errors"`
	Blocks  int64        `json:"blocks"`
}

// estimateSmartFee calls bitcoind's estimatesmartfee and returns sat/kvB.
func (c *Client) estimateSmartFee(ctx context.Context, blocks uint32, conservative bool) (int64, error) {
	const method = "estimatesmartfee"
	mode := "ECONOMICAL"
	if conservative {
		mode = "CONSERVATIVE"
	}
	raw, err := c.Call(ctx, method, blocks, mode)
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) {
		return 0, fmt.Errorf("%w: %w", ErrNoFeeEstimate, err)
	}
	if err != nil {
		return 0, err
	}
	var j smartFeeJSON
	if err := decodeResult(method, raw, &j); err != nil {
		return 0, err
	}
	if j.FeeRate == nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrNoFeeEstimate, method, j.Errors)
	}
	return positiveRate(method, string(*j.FeeRate))
}

// estimateFeeBtcd calls btcd's estimatefee and returns sat/kvB.
func (c *Client) estimateFeeBtcd(ctx context.Context, blocks uint32) (int64, error) {
	const method = "estimatefee"
	raw, err := c.Call(ctx, method, blocks)
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) {
		return 0, fmt.Errorf("%w: %w", ErrNoFeeEstimate, err)
	}
	if err != nil {
		return 0, err
	}
	var n json.Number
	if err := decodeResult(method, raw, &n); err != nil {
		return 0, err
	}
	return positiveRate(method, string(n))
}

// positiveRate converts a BTC/kvB number to sat/kvB; -1, 0 and other
// non-positive answers mean no estimate.
func positiveRate(method, num string) (int64, error) {
	sat, err := btcToSat(num, true)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrMalformedResponse, method, err)
	}
	if sat <= 0 {
		return 0, fmt.Errorf("%w: %s answered %s", ErrNoFeeEstimate, method, num)
	}
	return sat, nil
}
