package persist

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// testFormat is a record with a known tu64 (type 0) and bytes (type 2).
var testFormat = RecordFormat{Type: 7, Major: 2, Minor: 1}

type testValue struct {
	n    uint64
	blob []byte
}

func (v *testValue) handle(typ uint64, value []byte) (bool, error) {
	switch typ {
	case 0:
		n, err := wire.ReadTU64(value)
		v.n = n
		return true, err
	case 2:
		v.blob = append([]byte{}, value...)
		return true, nil
	}
	return false, nil
}

func (v testValue) records() wire.TLVRecords {
	return wire.TLVRecords{{Type: 0, Value: wire.AppendTU64(nil, v.n)}, {Type: 2, Value: v.blob}}
}

func TestRecordRoundTrip(t *testing.T) {
	in := testValue{n: 1234567, blob: []byte("hello")}
	recs := in.records()
	recs.Set(5, []byte("odd from the future"))
	b, err := testFormat.Append([]byte{0xAA}, recs)
	require.NoError(t, err)
	require.Equal(t, []byte{0xAA, 7, 2, 1}, b[:4])

	var out testValue
	h, unknown, err := testFormat.Decode(b[1:], out.handle)
	require.NoError(t, err)
	require.Equal(t, RecordHeader{Type: 7, Major: 2, Minor: 1}, h)
	require.Equal(t, in, out)
	require.Equal(t, wire.TLVRecords{{Type: 5, Value: []byte("odd from the future")}}, unknown)
}

func TestRecordDecodeErrors(t *testing.T) {
	ok, err := testFormat.Append(nil, testValue{n: 1}.records())
	require.NoError(t, err)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrCorrupt},
		{"short header", []byte{7, 2}, ErrCorrupt},
		{"wrong type", append([]byte{8}, ok[1:]...), ErrWrongType},
		{"newer major", []byte{7, 3, 0}, ErrNewerVersion},
		{"major zero", []byte{7, 0, 0}, ErrCorrupt},
		{"unknown even type", []byte{7, 2, 0, 4, 0}, wire.ErrUnknownEvenType},
		{"truncated tlv", ok[:len(ok)-1], ErrCorrupt},
		{"bad known value", []byte{7, 1, 0, 0, 2, 0, 1}, wire.ErrNotMinimal},
		{"types out of order", []byte{7, 1, 0, 2, 0, 0, 0}, wire.ErrTLVOrder},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v testValue
			_, _, err := testFormat.Decode(tc.data, v.handle)
			require.ErrorIs(t, err, tc.want)
			var re *RecordError
			require.True(t, errors.As(err, &re))
			require.NotEmpty(t, err.Error())
		})
	}
}

func TestRecordOlderVersionsRead(t *testing.T) {
	old := RecordFormat{Type: 7, Major: 1, Minor: 0}
	b, err := old.Append(nil, testValue{n: 9}.records())
	require.NoError(t, err)
	var v testValue
	h, _, err := testFormat.Decode(b, v.handle)
	require.NoError(t, err)
	require.Equal(t, byte(1), h.Major)
	require.Equal(t, uint64(9), v.n)
	// A newer minor of the same major reads too.
	newer := RecordFormat{Type: 7, Major: 2, Minor: 9}
	b, err = newer.Append(nil, testValue{n: 10}.records())
	require.NoError(t, err)
	_, _, err = testFormat.Decode(b, v.handle)
	require.NoError(t, err)
}

func TestRecordAppendRefusesDisorder(t *testing.T) {
	b, err := testFormat.Append([]byte{1}, wire.TLVRecords{{Type: 3}, {Type: 1}})
	require.ErrorIs(t, err, wire.ErrTLVOrder)
	require.Equal(t, []byte{1}, b)
}

func FuzzDecodeRecord(f *testing.F) {
	good, _ := testFormat.Append(nil, testValue{n: 42, blob: []byte("x")}.records())
	f.Add(good)
	f.Add([]byte{7, 2, 1})
	f.Add([]byte{7, 3, 0})
	f.Add([]byte{7, 1, 0, 1, 3, 'a', 'b', 'c', 0xfd, 0, 1, 0})
	f.Add([]byte{7, 1, 0, 0, 2, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var v testValue
		h, unknown, err := testFormat.Decode(data, v.handle)
		if err != nil {
			var re *RecordError
			require.True(t, errors.As(err, &re))
			return
		}
		// What decodes re-encodes to a record that decodes the same.
		recs := v.records()
		for _, r := range unknown {
			recs.Set(r.Type, r.Value)
		}
		f2 := RecordFormat(h)
		b, err := f2.Append(nil, recs)
		require.NoError(t, err)
		var v2 testValue
		h2, unknown2, err := testFormat.Decode(b, v2.handle)
		require.NoError(t, err)
		require.Equal(t, h, h2)
		require.Equal(t, v.n, v2.n)
		require.Equal(t, len(v.blob), len(v2.blob))
		require.Equal(t, len(unknown), len(unknown2))
	})
}
