package wire_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/lightningnetwork/lnd/tlv"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

func TestTLVRecordsGetSetValidate(t *testing.T) {
	var rs wire.TLVRecords
	rs.Set(5, []byte{5})
	rs.Set(1, []byte{1})
	rs.Set(math.MaxUint64, nil)
	rs.Set(3, []byte{3})
	rs.Set(5, []byte{55})
	require.Equal(t, wire.TLVRecords{{Type: 1, Value: []byte{1}}, {Type: 3, Value: []byte{3}}, {Type: 5, Value: []byte{55}}, {Type: math.MaxUint64, Value: nil}}, rs)
	require.NoError(t, rs.Validate())
	v, ok := rs.Get(3)
	require.True(t, ok)
	require.Equal(t, []byte{3}, v)
	_, ok = rs.Get(4)
	require.False(t, ok)

	b, err := wire.AppendTLVStream([]byte{0xAA}, rs)
	require.NoError(t, err)
	require.Equal(t, []byte{0xAA, 1, 1, 1, 3, 1, 3, 5, 1, 55,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}, b)
	back, err := wire.DecodeTLVStream(b[1:], nil)
	require.NoError(t, err)
	require.Equal(t, rs, back)

	for _, bad := range []wire.TLVRecords{{{Type: 2}, {Type: 2}}, {{Type: 3}, {Type: 1}}} {
		require.ErrorIs(t, bad.Validate(), wire.ErrTLVOrder)
		out, err := wire.AppendTLVStream([]byte{1}, bad)
		require.ErrorIs(t, err, wire.ErrTLVOrder)
		require.Equal(t, []byte{1}, out)
	}
}

func TestDecodeTLVStream(t *testing.T) {
	stream := []byte{0x01, 0x01, 0x2a, 0x02, 0x00, 0x03, 0x02, 0xbe, 0xef}
	var seen []uint64
	extra, err := wire.DecodeTLVStream(stream, func(typ uint64, v []byte) (bool, error) {
		seen = append(seen, typ)
		return typ == 2, nil
	})
	require.NoError(t, err)
	require.Equal(t, []uint64{1, 2, 3}, seen)
	require.Equal(t, wire.TLVRecords{{Type: 1, Value: []byte{0x2a}}, {Type: 3, Value: []byte{0xbe, 0xef}}}, extra)
	stream[2] = 0
	require.Equal(t, []byte{0x2a}, extra[0].Value, "values are copied")

	// Unknown even types fail; a handler's error names the record.
	_, err = wire.DecodeTLVStream(stream, nil)
	require.ErrorIs(t, err, wire.ErrUnknownEvenType)
	_, err = wire.DecodeTLVStream(stream, func(typ uint64, v []byte) (bool, error) {
		return true, wire.ErrTLVLength
	})
	require.ErrorIs(t, err, wire.ErrTLVLength)
	require.Contains(t, err.Error(), "tlvs[1]")

	// No records, or only known ones: no allocation.
	known := []byte{0x02, 0x01, 0x00}
	allocs := testing.AllocsPerRun(100, func() {
		extra, err = wire.DecodeTLVStream(known, func(typ uint64, v []byte) (bool, error) {
			return true, nil
		})
	})
	require.NoError(t, err)
	require.Nil(t, extra)
	require.Zero(t, allocs)
}

func TestTLVReader(t *testing.T) {
	r := wire.NewTLVReader([]byte{0x00, 0x00, 0xfd, 0x01, 0x00, 0x01, 0x07})
	require.True(t, r.Next())
	require.Equal(t, wire.TLVRecord{Type: 0, Value: []byte{}}, r.Record())
	require.True(t, r.Next())
	require.Equal(t, wire.TLVRecord{Type: 256, Value: []byte{7}}, r.Record())
	require.False(t, r.Next())
	require.NoError(t, r.Err())

	// The reader does not judge even types: that is the caller's job.
	r = wire.NewTLVReader([]byte{0x02, 0x00, 0x02, 0x00})
	require.True(t, r.Next())
	require.False(t, r.Next())
	require.ErrorIs(t, r.Err(), wire.ErrTLVOrder)
	require.False(t, r.Next(), "errors stick")
}

func TestTruncatedIntegers(t *testing.T) {
	for _, c := range []struct {
		v   uint64
		enc []byte
	}{
		{0, nil}, {1, []byte{1}}, {0xff, []byte{0xff}}, {0x100, []byte{1, 0}},
		{0x01000000, []byte{1, 0, 0, 0}}, {math.MaxUint64, bytes.Repeat([]byte{0xff}, 8)},
	} {
		got := wire.AppendTU64(nil, c.v)
		require.True(t, bytes.Equal(c.enc, got), "%d: %x", c.v, got)
		require.Equal(t, len(c.enc), wire.TU64Len(c.v))
		back, err := wire.ReadTU64(got)
		require.NoError(t, err)
		require.Equal(t, c.v, back)
	}
	require.Equal(t, []byte{0x12, 0x34}, wire.AppendTU16(nil, 0x1234))
	require.Equal(t, []byte{0x01, 0x00, 0x00}, wire.AppendTU32(nil, 0x10000))

	_, err := wire.ReadTU64([]byte{0, 1})
	require.ErrorIs(t, err, wire.ErrNotMinimal)
	_, err = wire.ReadTU64(make([]byte, 9))
	require.ErrorIs(t, err, wire.ErrTLVLength)
	_, err = wire.ReadTU32([]byte{1, 0, 0, 0, 0})
	require.ErrorIs(t, err, wire.ErrTLVLength)
	_, err = wire.ReadTU16([]byte{1, 0, 0})
	require.ErrorIs(t, err, wire.ErrTLVLength)
	v16, err := wire.ReadTU16([]byte{0xff, 0xfe})
	require.NoError(t, err)
	require.Equal(t, uint16(0xfffe), v16)
	v32, err := wire.ReadTU32(nil)
	require.NoError(t, err)
	require.Zero(t, v32)
}

func TestSignedIntegersTruncatedInput(t *testing.T) {
	_, err := wire.ReadS8(nil)
	require.ErrorIs(t, err, wire.ErrTruncated)
	_, err = wire.ReadS16([]byte{1})
	require.ErrorIs(t, err, wire.ErrTruncated)
	_, err = wire.ReadS32([]byte{1, 2, 3})
	require.ErrorIs(t, err, wire.ErrTruncated)
	_, err = wire.ReadS64(make([]byte, 7))
	require.ErrorIs(t, err, wire.ErrTruncated)
}

func TestOption(t *testing.T) {
	var o wire.Option[int]
	_, ok := o.Get()
	require.False(t, ok)
	v, ok := wire.Some(3).Get()
	require.True(t, ok)
	require.Equal(t, 3, v)
}

// FuzzTLVStream checks the stream reader against lnd's tlv package, an
// independent implementation of the same BOLT 1 rules: both must accept
// the same streams and see the same records. It also checks that
// DecodeTLVStream keeps odd records and rejects even ones, and that the
// kept records re-encode to the input.
func FuzzTLVStream(f *testing.F) {
	for _, c := range loadBolt01Vectors(f).TLVDecodingFailures {
		f.Add(mustHex(f, c.Stream))
	}
	for _, c := range loadBolt01Vectors(f).TLVDecodingSuccess {
		f.Add(mustHex(f, c.Stream))
	}
	f.Add([]byte{0x01, 0x01, 0x2a, 0xfd, 0x01, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > wire.MaxMessageSize {
			return // lnd caps records at 65535 bytes; messages are capped anyway
		}
		var mine wire.TLVRecords
		r := wire.NewTLVReader(data)
		for r.Next() {
			mine = append(mine, r.Record())
		}
		myErr := r.Err()

		stream, err := tlv.NewStream()
		require.NoError(t, err)
		parsed, lndErr := stream.DecodeWithParsedTypesP2P(bytes.NewReader(data))
		require.Equal(t, lndErr == nil, myErr == nil, "mine: %v, lnd: %v", myErr, lndErr)
		if myErr != nil {
			return
		}
		require.Len(t, parsed, len(mine))
		for _, rec := range mine {
			v, ok := parsed[tlv.Type(rec.Type)]
			require.True(t, ok, "type %d", rec.Type)
			require.True(t, bytes.Equal(v, rec.Value), "type %d", rec.Type)
		}

		extra, err := wire.DecodeTLVStream(data, nil)
		hasEven := false
		for _, rec := range mine {
			hasEven = hasEven || rec.Type%2 == 0
		}
		if hasEven {
			require.ErrorIs(t, err, wire.ErrUnknownEvenType)
			return
		}
		require.NoError(t, err)
		again, err := wire.AppendTLVStream(nil, extra)
		require.NoError(t, err)
		require.True(t, bytes.Equal(data, again))
	})
}
