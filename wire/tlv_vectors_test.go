package wire_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/lnkit/lnkit/internal/vectors"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// bolt01Vectors is the part of bolt01-bigsize.json these tests use.
type bolt01Vectors struct {
	BigSizeDecoding []struct {
		Name     string `json:"name"`
		Value    uint64 `json:"value"`
		Bytes    string `json:"bytes"`
		ExpError string `json:"exp_error"`
	} `json:"bigsize_decoding"`
	BigSizeEncoding []struct {
		Name  string `json:"name"`
		Value uint64 `json:"value"`
		Bytes string `json:"bytes"`
	} `json:"bigsize_encoding"`
	TLVDecodingFailures []bolt01TLVCase `json:"tlv_decoding_failures"`
	TLVDecodingSuccess  []bolt01TLVCase `json:"tlv_decoding_successes"`
	TLVStreamFailures   []bolt01TLVCase `json:"tlv_stream_decoding_failures"`
	MessageExtension    struct {
		Base  string `json:"base_init_message"`
		Valid []struct {
			Message     string `json:"message"`
			Description string `json:"description"`
		} `json:"valid"`
		Invalid []struct {
			Message     string `json:"message"`
			Description string `json:"description"`
		} `json:"invalid"`
	} `json:"message_extension"`
	SignedIntegers []struct {
		Value int64  `json:"value"`
		Bytes string `json:"bytes"`
	} `json:"signed_integers"`
}

// bolt01TLVCase is one TLV stream vector.
type bolt01TLVCase struct {
	Stream      string                                `json:"stream"`
	Namespaces  []string                              `json:"namespaces"`
	Reason      string                                `json:"reason"`
	Explanation string                                `json:"explanation"`
	Values      map[string]map[string]json.RawMessage `json:"values"`
	StreamSpec  string                                `json:"stream_spec"`
}

// loadBolt01Vectors reads bolt01-bigsize.json from the shared vectors
// directory next to the repository. A missing file fails the test.
func loadBolt01Vectors(t testing.TB) *bolt01Vectors {
	t.Helper()
	raw := vectors.Read(t, "bolt01-bigsize.json")
	var v bolt01Vectors
	require.NoError(t, json.Unmarshal(raw, &v))
	return &v
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestBOLT01BigSizeVectors(t *testing.T) {
	v := loadBolt01Vectors(t)
	require.Len(t, v.BigSizeDecoding, 18)
	require.Len(t, v.BigSizeEncoding, 8)
	for _, c := range v.BigSizeDecoding {
		t.Run("decode/"+c.Name, func(t *testing.T) {
			b := mustHex(t, c.Bytes)
			got, n, err := wire.ReadBigSize(b)
			if c.ExpError != "" {
				require.Error(t, err)
				if c.ExpError == "decoded bigsize is not canonical" {
					require.ErrorIs(t, err, wire.ErrNonCanonical)
				} else {
					require.ErrorIs(t, err, wire.ErrTruncated)
				}
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.Value, got)
			require.Equal(t, len(b), n)
		})
	}
	for _, c := range v.BigSizeEncoding {
		t.Run("encode/"+c.Name, func(t *testing.T) {
			want := mustHex(t, c.Bytes)
			require.Equal(t, want, wire.AppendBigSize(nil, c.Value))
			require.Equal(t, len(want), wire.BigSizeLen(c.Value))
		})
	}
}

// bolt01Namespace decodes the records of the spec's test namespaces n1 and
// n2 (BOLT 1 appendix B) and records what it decoded as strings.
type bolt01Namespace struct {
	n1, n2 bool
	got    map[string]map[string]string
}

func (ns *bolt01Namespace) set(record, field, value string) {
	if ns.got[record] == nil {
		ns.got[record] = map[string]string{}
	}
	ns.got[record][field] = value
}

func (ns *bolt01Namespace) handle(typ uint64, v []byte) (bool, error) {
	switch {
	case ns.n1 && typ == 1: // tlv1: tu64 amount_msat
		amt, err := wire.ReadTU64(v)
		ns.set("tlv1", "amount_msat", strconv.FormatUint(amt, 10))
		return true, err
	case ns.n1 && typ == 2: // tlv2: short_channel_id scid
		if len(v) != 8 {
			return true, wire.ErrTLVLength
		}
		ns.set("tlv2", "scid", wire.NewShortChannelID(binary.BigEndian.Uint64(v)).String())
		return true, nil
	case ns.n1 && typ == 3: // tlv3: point node_id, u64 amount_msat_1, u64 amount_msat_2
		if len(v) != 33+8+8 {
			return true, wire.ErrTLVLength
		}
		var p wire.Point
		copy(p[:], v)
		if !p.IsValid() {
			return true, wire.ErrInvalidPoint
		}
		ns.set("tlv3", "node_id", p.String())
		ns.set("tlv3", "amount_msat_1", strconv.FormatUint(binary.BigEndian.Uint64(v[33:]), 10))
		ns.set("tlv3", "amount_msat_2", strconv.FormatUint(binary.BigEndian.Uint64(v[41:]), 10))
		return true, nil
	case ns.n1 && typ == 254: // tlv4: u16 cltv_delta
		if len(v) != 2 {
			return true, wire.ErrTLVLength
		}
		ns.set("tlv4", "cltv_delta", strconv.Itoa(int(binary.BigEndian.Uint16(v))))
		return true, nil
	case ns.n2 && typ == 0: // tlv1: tu64 amount_msat
		amt, err := wire.ReadTU64(v)
		ns.set("tlv1", "amount_msat", strconv.FormatUint(amt, 10))
		return true, err
	case ns.n2 && typ == 11: // tlv2: tu32 cltv_expiry
		exp, err := wire.ReadTU32(v)
		ns.set("tlv2", "cltv_expiry", strconv.FormatUint(uint64(exp), 10))
		return true, err
	}
	return false, nil
}

// decodeInNamespace decodes stream with the records of namespace name.
func decodeInNamespace(stream []byte, name string) (map[string]map[string]string, wire.TLVRecords, error) {
	ns := &bolt01Namespace{n1: name == "n1", n2: name == "n2", got: map[string]map[string]string{}}
	extra, err := wire.DecodeTLVStream(stream, ns.handle)
	return ns.got, extra, err
}

// jsonValueString renders a vector value the way bolt01Namespace records it.
func jsonValueString(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var n json.Number
	require.NoError(t, json.Unmarshal(raw, &n))
	return n.String()
}

func TestBOLT01TLVDecodingFailures(t *testing.T) {
	v := loadBolt01Vectors(t)
	require.Len(t, v.TLVDecodingFailures, 33)
	for i, c := range v.TLVDecodingFailures {
		for _, ns := range c.Namespaces {
			t.Run(fmt.Sprintf("%02d/%s/%s", i, ns, c.Reason), func(t *testing.T) {
				_, _, err := decodeInNamespace(mustHex(t, c.Stream), ns)
				require.Error(t, err, c.StreamSpec)
				var de *wire.DecodeError
				require.ErrorAs(t, err, &de)
			})
		}
	}
}

func TestBOLT01TLVDecodingSuccesses(t *testing.T) {
	v := loadBolt01Vectors(t)
	require.Len(t, v.TLVDecodingSuccess, 19)
	for i, c := range v.TLVDecodingSuccess {
		for _, ns := range c.Namespaces {
			t.Run(fmt.Sprintf("%02d/%s", i, ns), func(t *testing.T) {
				stream := mustHex(t, c.Stream)
				got, extra, err := decodeInNamespace(stream, ns)
				require.NoError(t, err, c.StreamSpec)
				want := map[string]map[string]string{}
				for rec, fields := range c.Values {
					want[rec] = map[string]string{}
					for f, raw := range fields {
						want[rec][f] = jsonValueString(t, raw)
					}
				}
				require.Equal(t, want, got)
				// Unknown odd records are kept and the stream re-encodes
				// to the same bytes when nothing was known.
				if len(c.Values) == 0 {
					again, err := wire.AppendTLVStream(nil, extra)
					require.NoError(t, err)
					require.True(t, bytes.Equal(stream, again), "%x != %x", again, stream)
				}
			})
		}
	}
}

func TestBOLT01TLVStreamFailures(t *testing.T) {
	v := loadBolt01Vectors(t)
	require.Len(t, v.TLVStreamFailures, 5)
	for i, c := range v.TLVStreamFailures {
		for _, ns := range c.Namespaces {
			t.Run(fmt.Sprintf("%d/%s/%s", i, ns, c.Reason), func(t *testing.T) {
				_, _, err := decodeInNamespace(mustHex(t, c.Stream), ns)
				require.ErrorIs(t, err, wire.ErrTLVOrder)
			})
		}
	}
}

// TestBOLT01TLVStreamRules checks the two generic rules of appendix B:
// appending an invalid stream to a valid one fails, and appending a valid
// stream of higher types to a valid stream succeeds.
func TestBOLT01TLVStreamRules(t *testing.T) {
	v := loadBolt01Vectors(t)
	for _, ns := range []string{"n1", "n2"} {
		var valid [][]byte
		for _, c := range v.TLVDecodingSuccess {
			if contains(c.Namespaces, ns) {
				valid = append(valid, mustHex(t, c.Stream))
			}
		}
		for _, c := range append(append([]bolt01TLVCase(nil), v.TLVDecodingFailures...), v.TLVStreamFailures...) {
			if !contains(c.Namespaces, ns) {
				continue
			}
			for _, prefix := range valid {
				stream := append(append([]byte(nil), prefix...), mustHex(t, c.Stream)...)
				_, _, err := decodeInNamespace(stream, ns)
				require.Error(t, err, "%s: %x + %s", ns, prefix, c.Stream)
			}
		}
		for _, a := range valid {
			for _, b := range valid {
				if len(a) == 0 || len(b) == 0 || lastType(t, a) >= firstType(t, b) {
					continue
				}
				_, _, err := decodeInNamespace(append(append([]byte(nil), a...), b...), ns)
				require.NoError(t, err, "%s: %x + %x", ns, a, b)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstType(t *testing.T, stream []byte) uint64 {
	t.Helper()
	r := wire.NewTLVReader(stream)
	require.True(t, r.Next())
	return r.Record().Type
}

func lastType(t *testing.T, stream []byte) uint64 {
	t.Helper()
	r := wire.NewTLVReader(stream)
	var last uint64
	for r.Next() {
		last = r.Record().Type
	}
	require.NoError(t, r.Err())
	return last
}

func TestBOLT01MessageExtension(t *testing.T) {
	v := loadBolt01Vectors(t)
	ext := v.MessageExtension
	require.Len(t, ext.Valid, 2)
	require.Len(t, ext.Invalid, 3)
	base := mustHex(t, ext.Base)
	for _, c := range ext.Valid {
		t.Run("valid/"+c.Description, func(t *testing.T) {
			raw := mustHex(t, c.Message)
			m, err := wire.Decode(raw)
			require.NoError(t, err)
			im, ok := m.(*wire.Init)
			require.True(t, ok)
			again, err := wire.Encode(nil, im)
			require.NoError(t, err)
			require.Equal(t, raw, again, "unknown odd records are written back unchanged")
			require.Len(t, im.ExtraTLVs, (len(raw)-len(base))/3)
		})
	}
	for _, c := range ext.Invalid {
		t.Run("invalid/"+c.Description, func(t *testing.T) {
			_, err := wire.Decode(mustHex(t, c.Message))
			require.Error(t, err)
			var de *wire.DecodeError
			require.ErrorAs(t, err, &de)
			require.Equal(t, wire.MsgInit, de.Type)
		})
	}
}

func TestBOLT01SignedIntegers(t *testing.T) {
	v := loadBolt01Vectors(t)
	require.Len(t, v.SignedIntegers, 23)
	for _, c := range v.SignedIntegers {
		t.Run(strconv.FormatInt(c.Value, 10), func(t *testing.T) {
			b := mustHex(t, c.Bytes)
			var enc []byte
			var dec int64
			var err error
			switch len(b) {
			case 1:
				enc = wire.AppendS8(nil, int8(c.Value))
				var x int8
				x, err = wire.ReadS8(b)
				dec = int64(x)
			case 2:
				enc = wire.AppendS16(nil, int16(c.Value))
				var x int16
				x, err = wire.ReadS16(b)
				dec = int64(x)
			case 4:
				enc = wire.AppendS32(nil, int32(c.Value))
				var x int32
				x, err = wire.ReadS32(b)
				dec = int64(x)
			case 8:
				enc = wire.AppendS64(nil, c.Value)
				dec, err = wire.ReadS64(b)
			default:
				require.Fail(t, fmt.Sprintf("unexpected width %d", len(b)))
			}
			require.NoError(t, err)
			require.Equal(t, c.Value, dec)
			require.True(t, bytes.Equal(b, enc), "got %x want %x", enc, b)
			// The vector uses the smallest signed width holding the value.
			if len(b) > 1 {
				half := int64(1) << (8*len(b)/2 - 1)
				require.False(t, c.Value >= -half && c.Value < half, "a narrower width fits")
			}
		})
	}
}
