package monitor_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/persist"
	lnwire "github.com/lnkit/lnkit/wire"
)

// preimage is a test preimage: 32 bytes counting up from n.
func preimage(n byte) lnwire.Preimage {
	var p lnwire.Preimage
	for i := range p {
		p[i] = n + byte(i)
	}
	return p
}

// preimageUpdate is update id giving the preimages ps.
func preimageUpdate(id uint64, ps ...lnwire.Preimage) *monitor.Update {
	u := &monitor.Update{ID: id}
	for _, p := range ps {
		u.Steps = append(u.Steps, &monitor.PaymentPreimage{Preimage: p})
	}
	return u
}

// requirePreimages checks that m holds exactly ps, each under its hash.
func requirePreimages(t *testing.T, m *monitor.ChannelMonitor, ps ...lnwire.Preimage) {
	t.Helper()
	require.Equal(t, len(ps), m.Preimages())
	for _, p := range ps {
		got, ok := m.Preimage(p.Hash())
		require.True(t, ok, "preimage of %s", p.Hash())
		require.Equal(t, p, got)
	}
}

// TestPaymentPreimageStep: the monitor keeps every preimage under its
// hash; a preimage given twice (in one update or a later one) and an update
// applied twice are no-ops; an update failing after a preimage step leaves
// no preimage behind; preimages still apply after a force close and after
// data loss.
func TestPaymentPreimageStep(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	m := ch.a.mon
	p1, p2, p3 := preimage(1), preimage(2), preimage(3)
	_, ok := m.Preimage(p1.Hash())
	require.False(t, ok)
	require.Zero(t, m.Preimages())

	u := preimageUpdate(1, p1, p2, p1)
	require.NoError(t, m.Apply(u))
	requirePreimages(t, m, p1, p2)
	_, ok = m.Preimage(lnwire.PaymentHash(p1))
	require.False(t, ok, "looked up by hash, not by preimage")
	before := encoded(t, m)
	require.NoError(t, m.Apply(u), "applying twice is a no-op")
	require.Equal(t, before, encoded(t, m))

	require.NoError(t, m.Apply(preimageUpdate(2, p2)))
	requirePreimages(t, m, p1, p2)
	again, err := monitor.Decode(encoded(t, m))
	require.NoError(t, err)
	require.NoError(t, again.Apply(preimageUpdate(3, p1)))
	require.NoError(t, m.Apply(preimageUpdate(3)))
	require.Equal(t, encoded(t, m), encoded(t, again), "a known preimage changes nothing but the update id")

	before = encoded(t, m)
	bad := preimageUpdate(4, p3)
	bad.Steps = append(bad.Steps, holderStep(t, ch.a, ch.b, 0, aBalance)) // number does not increase
	require.ErrorIs(t, m.Apply(bad), monitor.ErrInvalidUpdate)
	require.Equal(t, before, encoded(t, m), "a failed update adds no preimage")
	requirePreimages(t, m, p1, p2)

	require.NoError(t, m.Apply(&monitor.Update{ID: 4, Steps: []monitor.Step{&monitor.ChannelForceClosed{}, &monitor.PaymentPreimage{Preimage: p3}}}))
	require.NoError(t, m.Apply(&monitor.Update{ID: 5, Steps: []monitor.Step{&monitor.DataLossDetected{}, &monitor.PaymentPreimage{Preimage: preimage(4)}}}))
	requirePreimages(t, m, p1, p2, p3, preimage(4))
}

// TestPaymentPreimageEncoding: the step round-trips alone and among other
// steps; its kind is 7 and its body the 32 bytes of the preimage; a body
// of another length is corrupt.
func TestPaymentPreimageEncoding(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	p := preimage(9)
	requireUpdateRoundTrip(t, preimageUpdate(3, p))
	u := nextUpdate(t, ch, 7)
	u.Steps = append(u.Steps, &monitor.PaymentPreimage{Preimage: p}, &monitor.ChannelForceClosed{}, &monitor.PaymentPreimage{Preimage: preimage(10)})
	requireUpdateRoundTrip(t, u)

	_, err := (&monitor.Update{ID: 3, Steps: []monitor.Step{(*monitor.PaymentPreimage)(nil)}}).Encode()
	require.ErrorIs(t, err, monitor.ErrInvalidUpdate, "a nil step")

	b, err := preimageUpdate(3, p).Encode()
	require.NoError(t, err)
	require.Equal(t, []byte{0x4d, 1, 2}, b[:3], "update format 1.2")
	step := len(b) - (1 + 4 + 32) // kind, body length, preimage
	require.Equal(t, []byte{7, 0, 0, 0, 32}, b[step:step+5])
	require.Equal(t, p[:], b[step+5:])
	for _, n := range []byte{31, 33} {
		bad := append([]byte(nil), b...)
		bad[step+4] = n
		_, err := monitor.DecodeUpdate(bad)
		require.ErrorIs(t, err, monitor.ErrCorrupt, "body of %d bytes", n)
	}
}

// TestPaymentPreimagePersisted: preimages survive the KVPersister — as
// increments replayed on load, compacted into the full monitor, and as
// increments on top of a full monitor that already holds some.
func TestPaymentPreimagePersisted(t *testing.T) {
	p1, p2, p3 := preimage(1), preimage(2), preimage(3)
	for _, tc := range []struct {
		name  string
		every uint64
		// stored are the increments in the store at the end.
		stored []string
	}{
		{"increments", 1000, []string{"00000000000000000001", "00000000000000000002", "00000000000000000003", "00000000000000000004"}},
		{"compacted", 2, nil},
		{"increment after compaction", 3, []string{"00000000000000000004"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChannel(t, commit.StaticRemoteKey)
			store, cm, id := watchStored(t, ch.a, tc.every)
			u1 := update(t, ch, 1)
			u1.Steps = append(u1.Steps, &monitor.PaymentPreimage{Preimage: p1})
			u3 := update(t, ch, 2)
			u3.ID = 3
			for _, u := range []*monitor.Update{u1, preimageUpdate(2, p2, p1), u3, preimageUpdate(4, p3)} {
				require.Equal(t, monitor.Completed, cm.UpdateChannel(id, u), "update %d", u.ID)
			}
			requirePreimages(t, ch.a.mon, p1, p2, p3)

			keys, err := store.List(context.Background(), persist.Namespace{Primary: monitor.MonitorUpdatesNamespace, Secondary: id.String()})
			require.NoError(t, err)
			require.ElementsMatch(t, tc.stored, keys)
			want := encoded(t, ch.a.mon)
			_, ms := reload(t, store)
			require.Len(t, ms, 1)
			require.EqualValues(t, 4, ms[0].LatestUpdateID())
			require.Equal(t, want, encoded(t, ms[0]))
			requirePreimages(t, ms[0], p1, p2, p3)
		})
	}
}

// preimagesRecord returns the offset of the monitor record's last TLV
// record, which must be the preimages (type 21), and checks its length.
func preimagesRecord(t *testing.T, b []byte, n int) int {
	t.Helper()
	at := len(b) - (2 + 4 + 32*n) // type, length (one byte below 0xfd), count, preimages
	require.Equal(t, []byte{21, byte(4 + 32*n), 0, 0, 0, byte(n)}, b[at:at+6])
	return at
}

// TestMonitorPreimagesEncoding: the full encoding holds the preimages in
// increasing hash order (one encoding per set, whatever the order they
// came in); out of order, repeated, or more than the record holds is
// corrupt.
func TestMonitorPreimagesEncoding(t *testing.T) {
	ch := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	without := encoded(t, ch.a.mon)
	ps := []lnwire.Preimage{preimage(1), preimage(2), preimage(3)}
	require.NoError(t, ch.a.mon.Apply(preimageUpdate(1, ps...)))
	b := encoded(t, ch.a.mon)
	require.Equal(t, []byte{0x4e, 1, 3}, b[:3], "monitor format 1.3")
	got, err := monitor.Decode(b)
	require.NoError(t, err)
	requirePreimages(t, got, ps...)
	require.Equal(t, b, encoded(t, got))

	other := newTestChannel(t, commit.AnchorsZeroFeeHTLC)
	require.NoError(t, other.a.mon.Apply(preimageUpdate(1, ps[2], ps[0], ps[1])))
	at := preimagesRecord(t, encoded(t, other.a.mon), 3)
	require.Equal(t, b[preimagesRecord(t, b, 3):], encoded(t, other.a.mon)[at:], "one encoding whatever the order")
	at = preimagesRecord(t, b, 3)
	_, err = monitor.Decode(b[:at])
	require.NoError(t, err, "without the record (an older writer): no preimage")

	first, second := at+6, at+6+32
	swapped := append([]byte(nil), b...)
	copy(swapped[first:], b[second:second+32])
	copy(swapped[second:], b[first:first+32])
	repeated := append([]byte(nil), b...)
	copy(repeated[second:], b[first:first+32])
	tooMany := append([]byte(nil), b...)
	tooMany[at+5] = 4
	for name, bad := range map[string][]byte{"swapped": swapped, "repeated": repeated, "count above the record": tooMany} {
		_, err := monitor.Decode(bad)
		require.ErrorIs(t, err, monitor.ErrCorrupt, name)
	}

	m, err := monitor.Decode(without)
	require.NoError(t, err)
	require.Zero(t, m.Preimages())
	require.Equal(t, without, encoded(t, m), "no record without preimages")
}

// readFixture returns the bytes of a hex fixture in testdata.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	h, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	b, err := hex.DecodeString(strings.TrimSpace(string(h)))
	require.NoError(t, err)
	return b
}

// TestRecordsOfFormat11: an update and a monitor written by the code of
// format 1.1 (before PaymentPreimage; testdata/*-1.1.hex) still decode,
// and re-encode to the same bytes under the 1.2 header.
func TestRecordsOfFormat11(t *testing.T) {
	old := readFixture(t, "update-1.1.hex")
	require.Equal(t, []byte{0x4d, 1, 1}, old[:3])
	u, err := monitor.DecodeUpdate(old)
	require.NoError(t, err)
	require.Len(t, u.Steps, 6)
	require.Equal(t, monitor.StepDataLossDetected, u.Steps[4].Kind())
	b, err := u.Encode()
	require.NoError(t, err)
	require.Equal(t, append([]byte{0x4d, 1, 2}, old[3:]...), b)

	old = readFixture(t, "monitor-1.1.hex")
	require.Equal(t, []byte{0x4e, 1, 1}, old[:3])
	m, err := monitor.Decode(old)
	require.NoError(t, err)
	require.Zero(t, m.Preimages())
	require.True(t, m.ForceClosed())
	require.True(t, m.Info().Behind)
	require.EqualValues(t, 1, m.LatestUpdateID())
	require.Equal(t, append([]byte{0x4e, 1, 3}, old[3:]...), encoded(t, m))
	// The monitor read from 1.1 takes preimages.
	require.NoError(t, m.Apply(preimageUpdate(2, preimage(5))))
	requirePreimages(t, m, preimage(5))
}

// TestPaymentPreimageRedacted: no formatting of the step, or of an update
// holding it, shows the preimage (fmt verbs, slog text and JSON); the
// payment hash is shown.
func TestPaymentPreimageRedacted(t *testing.T) {
	p := preimage(0xa0)
	secretHex := p.Hex()
	secretDec := strings.Trim(strings.ReplaceAll(fmt.Sprint(p[:]), " ", ","), "[]") // as JSON writes an array
	step := &monitor.PaymentPreimage{Preimage: p}
	u := &monitor.Update{ID: 9, Steps: []monitor.Step{&monitor.ShutdownScript{Script: []byte{0x51}}, step}}

	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		for _, v := range []any{step, *step, u, *u, u.Steps} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
	}
	require.Contains(t, fmt.Sprint(step), p.Hash().String())
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		slog.New(h).Info("monitor update", "step", step, "value", *step, "update", u, "steps", u.Steps)
	}
	outs = append(outs, buf.String())
	require.Contains(t, buf.String(), p.Hash().String())
	require.Contains(t, buf.String(), "PaymentPreimage")
	for _, out := range outs {
		require.NotContains(t, strings.ToLower(out), secretHex)
		require.NotContains(t, out, secretDec)
	}
}
