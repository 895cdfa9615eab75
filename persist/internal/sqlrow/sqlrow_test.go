package sqlrow

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/persist"
)

var (
	nsA = persist.Namespace{Primary: "a"}
	nsB = persist.Namespace{Primary: "a", Secondary: "b"}
)

func TestSumCoversNamesAndValue(t *testing.T) {
	base := Sum(nsA, "k", []byte("v"))
	require.NoError(t, CheckRow(nsA, "k", []byte("v"), int64(base)))
	for name, other := range map[string]uint32{
		"value":     Sum(nsA, "k", []byte("w")),
		"key":       Sum(nsA, "j", []byte("v")),
		"namespace": Sum(nsB, "k", []byte("v")),
		// Name boundaries count: "a"+"bk" is not "ab"+"k".
		"boundary": Sum(persist.Namespace{Primary: "ab"}, "k", []byte("v")),
	} {
		require.NotEqual(t, base, other, name)
	}
	require.NotEqual(t, Sum(persist.Namespace{Primary: "a"}, "bk", nil), Sum(persist.Namespace{Primary: "ab"}, "k", nil))
	require.ErrorIs(t, CheckRow(nsA, "k", []byte("w"), int64(base)), persist.ErrCorrupt)
	require.ErrorIs(t, CheckRow(nsA, "k", []byte("v"), -1), persist.ErrCorrupt)
}

func TestCheckListedKey(t *testing.T) {
	require.NoError(t, CheckListedKey(nsA, "ok-key_1"))
	for _, k := range []string{"", "a/b", "..", "é"} {
		require.ErrorIs(t, CheckListedKey(nsA, k), persist.ErrCorrupt, "%q", k)
	}
}

func TestCheckBatch(t *testing.T) {
	require.NoError(t, CheckBatch(nil))
	require.NoError(t, CheckBatch([]persist.Op{persist.WriteOp(nsA, "k", nil), persist.RemoveOp(nsB, "k")}))
	require.ErrorIs(t, CheckBatch([]persist.Op{persist.WriteOp(nsA, "k", nil), persist.RemoveOp(nsB, "a/b")}), persist.ErrInvalidKey)
	require.ErrorIs(t, CheckBatch(make([]persist.Op, persist.MaxBatchOps+1)), persist.ErrBatchTooLarge)
}

func TestCollapse(t *testing.T) {
	w := func(ns persist.Namespace, k, v string) persist.Op { return persist.WriteOp(ns, k, []byte(v)) }
	tests := []struct {
		name string
		in   []persist.Op
		want []persist.Op
	}{
		{"empty", nil, []persist.Op{}},
		{"sorted by namespace then key", []persist.Op{w(nsB, "a", "1"), w(nsA, "z", "2"), w(nsA, "b", "3")},
			[]persist.Op{w(nsA, "b", "3"), w(nsA, "z", "2"), w(nsB, "a", "1")}},
		{"last op on a key wins", []persist.Op{w(nsA, "k", "1"), persist.RemoveOp(nsA, "k"), w(nsA, "j", "x"), w(nsA, "k", "2")},
			[]persist.Op{w(nsA, "j", "x"), w(nsA, "k", "2")}},
		{"a removal can win", []persist.Op{w(nsA, "k", "1"), persist.RemoveOp(nsA, "k")},
			[]persist.Op{persist.RemoveOp(nsA, "k")}},
		{"same key, other namespace kept", []persist.Op{w(nsA, "k", "1"), w(nsB, "k", "2")},
			[]persist.Op{w(nsA, "k", "1"), w(nsB, "k", "2")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Collapse(tc.in))
		})
	}
}

func TestGate(t *testing.T) {
	var g Gate
	ctx := context.Background()
	require.NoError(t, g.Enter(ctx))
	closed := make(chan bool)
	go func() { closed <- g.Close() }()
	select {
	case <-closed:
		require.Fail(t, "Close returned while an operation was running")
	case <-time.After(20 * time.Millisecond):
	}
	g.Leave()
	require.True(t, <-closed)
	require.False(t, g.Close(), "second Close")
	require.ErrorIs(t, g.Enter(ctx), persist.ErrClosed)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, g.Enter(cancelled), context.Canceled)
}

// FuzzCheckRow: any row, however hostile, is accepted exactly when its sum
// is the one Sum gives, and never panics.
func FuzzCheckRow(f *testing.F) {
	f.Add("mon", "", "k", []byte("v"), int64(Sum(nsA, "k", []byte("v"))))
	f.Add("a", "b", "k", []byte{}, int64(0))
	f.Add("", "", "", []byte(nil), int64(-1))
	f.Fuzz(func(t *testing.T, primary, secondary, key string, value []byte, sum int64) {
		ns := persist.Namespace{Primary: primary, Secondary: secondary}
		err := CheckRow(ns, key, value, sum)
		if sum == int64(Sum(ns, key, value)) {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, persist.ErrCorrupt)
		}
		if CheckListedKey(ns, key) != nil {
			require.Error(t, persist.ValidateKey(ns, key))
		}
	})
}

func TestGroupDeadline(t *testing.T) {
	now := time.Now()
	r := func(d time.Time) *Request { return &Request{Deadline: d} }
	require.True(t, GroupDeadline(nil).IsZero())
	require.Equal(t, now.Add(time.Second), GroupDeadline([]*Request{r(now), r(now.Add(time.Second))}))
	require.True(t, GroupDeadline([]*Request{r(now), r(time.Time{})}).IsZero(), "a caller without deadline")
}

// TestCommitter: requests waiting while a group commits form the next
// group; a caller whose context ends before its request is taken leaves,
// and Stop waits for the group in progress.
func TestCommitter(t *testing.T) {
	var groups [][]int
	entered, release := make(chan struct{}, 4), make(chan struct{})
	c := StartCommitter(func(group []*Request) {
		entered <- struct{}{}
		<-release
		var sizes []int
		for _, r := range group {
			sizes = append(sizes, len(r.Ops))
			r.Done <- nil
		}
		groups = append(groups, sizes)
	})
	first := NewRequest(make([]persist.Op, 1))
	c.Hand(first)
	<-entered // the committer is committing, not taking requests
	results := make(chan error, 3)
	for n := 2; n <= 4; n++ {
		go func() { results <- c.Commit(context.Background(), make([]persist.Op, n)) }()
	}
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, c.Commit(short, nil), context.DeadlineExceeded)
	time.Sleep(200 * time.Millisecond) // the three callers wait to be taken
	close(release)
	require.NoError(t, <-first.Done)
	for range 3 {
		require.NoError(t, <-results)
	}
	c.Stop()
	require.Equal(t, []int{1}, groups[0])
	var rest []int
	for _, g := range groups[1:] {
		rest = append(rest, g...)
	}
	require.ElementsMatch(t, []int{2, 3, 4}, rest)
	// All three were waiting (unless the machine stalled a goroutine for
	// the whole sleep): they share the next group.
	require.Less(t, len(groups), 4, "the waiting calls did not share a group: %v", groups)
}
