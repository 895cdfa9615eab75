package fsstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

// TestReplayLogSegments opens stores whose wal holds segments written
// directly (what crashes leave), and checks which records Open applies.
func TestReplayLogSegments(t *testing.T) {
	ns := persist.Namespace{Primary: "p"}
	w := func(k, v string) []persist.Op { return []persist.Op{persist.WriteOp(ns, k, []byte(v))} }
	type seg struct {
		num    uint64
		first  uint64
		groups [][]persist.Op
		damage func(b []byte) // applied to the segment's bytes
	}
	tests := []struct {
		name    string
		keyFile map[string]string // key files a checkpoint wrote before the crash
		segs    []seg
		want    map[string]string // "" for absent
		corrupt string            // the segment number the error names
	}{
		{
			name: "segments in sequence order, whatever their numbers",
			segs: []seg{
				{num: 9, first: 1, groups: [][]persist.Op{w("k", "1"), w("j", "1")}},
				{num: 2, first: 3, groups: [][]persist.Op{w("k", "3")}},
			},
			want: map[string]string{"k": "3", "j": "1"},
		},
		{
			name:    "a segment before a gap is stale: a checkpoint applied it and its removal came back",
			keyFile: map[string]string{"k": "checkpointed", "j": "checkpointed"},
			segs: []seg{
				{num: 1, first: 1, groups: [][]persist.Op{w("k", "stale"), w("j", "stale")}},
				{num: 3, first: 5, groups: [][]persist.Op{w("j", "5")}},
			},
			want: map[string]string{"k": "checkpointed", "j": "5"},
		},
		{
			name:    "records a checkpoint applied replay again before the later ones",
			keyFile: map[string]string{"k": "2"},
			segs: []seg{
				{num: 1, first: 1, groups: [][]persist.Op{w("k", "1"), w("k", "2"), w("j", "3")}},
			},
			want: map[string]string{"k": "2", "j": "3"},
		},
		{
			name: "a torn record at the end of the newest segment is ignored",
			segs: []seg{
				{num: 1, first: 1, groups: [][]persist.Op{w("k", "1")}},
				{num: 2, first: 2, groups: [][]persist.Op{w("k", "2"), w("j", "torn")}, damage: func(b []byte) { b[recordLen(opsLen(w("k", "2")))+30] ^= 1 }},
			},
			want: map[string]string{"k": "2", "j": ""},
		},
		{
			name: "a torn record before another segment's records",
			segs: []seg{
				{num: 1, first: 1, groups: [][]persist.Op{w("k", "1")}, damage: func(b []byte) { b[recordLen(opsLen(w("k", "1")))] = 1 }},
				{num: 2, first: 2, groups: [][]persist.Op{w("k", "2")}},
			},
			corrupt: segmentName(1),
		},
		{
			name: "overlapping segments",
			segs: []seg{
				{num: 1, first: 1, groups: [][]persist.Op{w("k", "1"), w("k", "2")}},
				{num: 2, first: 2, groups: [][]persist.Op{w("k", "2")}},
			},
			corrupt: segmentName(2),
		},
		{
			name: "a segment of zeros, or cut short while made",
			segs: []seg{
				{num: 1, first: 1, groups: [][]persist.Op{w("k", "1")}},
				{num: 2},
				{num: 3, damage: func(b []byte) { clear(b) }},
			},
			want: map[string]string{"k": "1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			s, err := Open(Config{Root: root})
			require.NoError(t, err)
			ctx := context.Background()
			for k, v := range tc.keyFile {
				require.NoError(t, s.Write(ctx, ns, k, []byte(v)))
			}
			require.NoError(t, s.Close()) // checkpoints: a pack
			for _, sg := range tc.segs {
				b, _ := testSegment(4096, sg.first, sg.groups...)
				if sg.damage != nil {
					sg.damage(b)
				}
				require.NoError(t, os.WriteFile(filepath.Join(root, walDir, segmentName(sg.num)), b, 0o600))
			}
			s = openWant(t, root, tc.corrupt, ns, tc.want)
			if s == nil {
				return
			}
			defer s.Close()
			for _, sg := range tc.segs {
				_, err := os.Stat(filepath.Join(root, walDir, segmentName(sg.num)))
				require.ErrorIs(t, err, os.ErrNotExist, "segment %d left", sg.num)
			}
		})
	}
}
