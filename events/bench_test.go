package events_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/events"
	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
	"github.com/lnkit/lnkit/persist/persisttest"
)

func benchKinds() []events.Kind {
	return []events.Kind{events.KindChannelReady, events.KindSpendableOutputs, events.KindBumpTransaction}
}

func BenchmarkEncode(b *testing.B) {
	for _, k := range benchKinds() {
		e := newGen(9).event(k)
		b.Run(k.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := events.Encode(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, k := range benchKinds() {
		rec, err := events.Encode(newGen(9).event(k))
		require.NoError(b, err)
		b.Run(k.String(), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(rec)))
			for b.Loop() {
				if _, err := events.Decode(rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAppendProcess appends one event and handles it: one store batch
// and one removal per event. "memory" measures the queue's own cost,
// "fsstore" adds real fsyncs.
func BenchmarkAppendProcess(b *testing.B) {
	for _, tc := range []struct {
		name  string
		store func(b *testing.B) persist.KVStore
	}{
		{"memory", func(*testing.B) persist.KVStore { return persisttest.NewCrashStore() }},
		{"fsstore", func(b *testing.B) persist.KVStore {
			s, err := fsstore.Open(fsstore.Config{Root: b.TempDir()})
			require.NoError(b, err)
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			q, err := events.Open(ctx, events.Config{Store: tc.store(b), Logger: quiet})
			require.NoError(b, err)
			h := events.HandlerFunc(func(context.Context, events.Event) error { return nil })
			b.ReportAllocs()
			for b.Loop() {
				if err := q.Append(ctx, ready(1)); err != nil {
					b.Fatal(err)
				}
				if err := q.Process(ctx, h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
