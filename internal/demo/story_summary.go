package main

import (
	"context"
	"fmt"
	"strings"
)

// summary accounts for every satoshi that left or reached the wallets.
func (c *channelStory) summary(ctx context.Context) error {
	s := c.s
	s.stepf("Where the coins went (on-chain wallets, from the faucet's payments to now)")
	alice, bob, err := c.balances()
	if err != nil {
		return err
	}
	type line struct {
		what string
		sat  int64
	}
	account := func(name string, start, now int64, lines []line) error {
		sum := start
		var parts []string
		for _, l := range lines {
			if l.sat == 0 {
				continue
			}
			sum += l.sat
			parts = append(parts, fmt.Sprintf("%s %s", signed(l.sat), l.what))
		}
		s.say("%-6s %s → %s: %s", name, sat(start), sat(now), strings.Join(parts, ", "))
		if sum != now {
			return fmt.Errorf("demo: %s's wallet holds %d sat, the story accounts for %d", name, now, sum)
		}
		return nil
	}
	if err := account("alice", aliceFunds, alice, []line{
		{"pushed to bob", -alicePush}, {"funding fee", -c.aliceFundingFee}, {"closing fee", -c.closingFee},
	}); err != nil {
		return err
	}
	bobLines := []line{{"from alice", alicePush}}
	if c.carol != nil {
		bobLines = append(bobLines, line{"from carol", carolPush}, line{"sweep fee", -c.bobSweepFee}, line{"anchor fee bumps", c.bobBumps})
	}
	if err := account("bob", bobFunds, bob, bobLines); err != nil {
		return err
	}
	if c.carol == nil {
		return nil
	}
	carol, err := c.carol.confirmedBalance(ctx)
	if err != nil {
		return err
	}
	err = account("carol", carolFunds, int64(carol), []line{
		{"pushed to bob", -carolPush}, {"funding fee", -c.carolFundingFee}, {"commitment fee", -c.commitFee},
		{"anchor outputs", -c.anchors}, {"sweep fee", -c.carolSweepFee},
	})
	if err != nil {
		return err
	}
	s.say("(the two 330 sat anchors stay on chain: after 16 blocks anyone may spend them, to clean up the UTXO set)")
	return nil
}
