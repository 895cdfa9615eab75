package events_test

import (
	"context"
	"fmt"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist/persisttest"
)

// The channel manager appends; the application processes with a handler
// that switches on the event's type. A handler error leaves the event
// queued for the next Process.
func ExampleQueue() {
	ctx := context.Background()
	store := persisttest.NewCrashStore() // an application uses persist/fsstore
	q, err := events.Open(ctx, events.Config{Store: store})
	if err != nil {
		panic(err)
	}

	_ = q.Append(ctx,
		&events.FundingGenerationReady{ChannelValue: 100_000, UserChannelID: 7},
		&events.ChannelClosed{UserChannelID: 7, Reason: events.CounterpartyError([]byte("bye\n"))},
	)

	walletReady := false
	h := events.HandlerFunc(func(ctx context.Context, ev events.Event) error {
		switch e := ev.(type) {
		case *events.FundingGenerationReady:
			if !walletReady {
				return fmt.Errorf("wallet not synced")
			}
			fmt.Println("fund", e.ChannelValue, "for channel", e.UserChannelID)
		case *events.ChannelClosed:
			fmt.Println("closed:", e.Reason)
		}
		return nil
	})
	fmt.Println(q.Process(ctx, h))
	walletReady = true
	fmt.Println(q.Process(ctx, h), q.Len())
	// Output:
	// events: handler did not handle funding-generation-ready event 1: wallet not synced
	// fund 100000 sat for channel 7
	// closed: counterparty-error: "bye?"
	// <nil> 0
}
