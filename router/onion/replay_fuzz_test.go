package onion

import (
	"context"
	"strings"
	"testing"

	"github.com/lnkit/lnkit/persist"
	"github.com/stretchr/testify/require"
)

// FuzzReplayStoreNames fuzzes the decoders of the persistent replay log's
// key names: a height name and an entry name. A name that parses must be
// the one the log would write for the value read.
func FuzzReplayStoreNames(f *testing.F) {
	f.Add("h0000840000", "00112233445566778899aabbccddeeff")
	f.Add("h4294967295", "ffffffffffffffffffffffffffffffff")
	f.Add("h4294967296", "0011223344556677")
	f.Add("H0000000001", "00112233445566778899AABBCCDDEEFF")
	f.Add("h+000000001", "0x112233445566778899aabbccddeeff")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, height, entry string) {
		if h, err := parseReplayBucket(height); err == nil {
			got := replayBucketName(h)
			require.Equal(t, height, got, "height %q reads as %d, written %q", height, h, got)
		}
		if k, err := parseReplayEntry(entry); err == nil {
			got := replayEntryName(k)
			require.Equal(t, entry, got, "entry %q written back as %q", entry, got)
		}
	})
}

// FuzzOpenPersistentReplayLog opens a log over a store holding arbitrary
// keys: each line of the input is "secondary/key" under the log's
// namespace. Open must not panic, must fail only with
// ErrReplayLogCorrupt, and an opened log must prune everything it loaded.
func FuzzOpenPersistentReplayLog(f *testing.F) {
	f.Add("heights/h0000000100\nh0000000100/00112233445566778899aabbccddeeff")
	f.Add("heights/h0000000100\nh0000000100/00112233445566778899aabbccddeeff\nheights/h0000000200")
	f.Add("heights/h0000000100\nh0000000100/0011")
	f.Add("heights/x\nh0000000100/00112233445566778899aabbccddeeff")
	f.Add("h0000000300/00112233445566778899aabbccddeeff")
	f.Fuzz(func(t *testing.T, layout string) {
		ctx := context.Background()
		store := newMemStore()
		for _, line := range strings.Split(layout, "\n") {
			sec, key, ok := strings.Cut(line, "/")
			if !ok {
				continue
			}
			ns := persist.Namespace{Primary: DefaultReplayLogNamespace, Secondary: sec}
			if persist.ValidateKey(ns, key) != nil {
				continue
			}
			require.NoError(t, store.Write(ctx, ns, key, []byte{replayStoreVersion}))
		}
		log, err := OpenPersistentReplayLog(ctx, PersistentReplayLogConfig{Store: store})
		if err != nil {
			require.ErrorIs(t, err, ErrReplayLogCorrupt, "open: %v", err)
			return
		}
		n := log.Len()
		removed, err := log.Prune(^uint32(0))
		require.NoError(t, err, "prune: removed %d of %d", removed, n)
		require.Equal(t, n, removed, "prune: removed %d of %d: %v", removed, n, err)
		require.Equal(t, 0, log.Len(), "prune: removed %d of %d: %v", removed, n, err)
		heights, err := store.List(ctx, persist.Namespace{Primary: DefaultReplayLogNamespace, Secondary: replayHeightsNS})
		require.NoError(t, err, "heights left after pruning all: %v", heights)
		require.Empty(t, heights, "heights left after pruning all: %v %v", heights, err)
	})
}
