package wire

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// extendedQueryVector is one entry of bolt07-extended-queries.json: lnd-
// style JSON of a message and its hex encoding (type included).
type extendedQueryVector struct {
	Hex string `json:"hex"`
	Msg struct {
		Type            string `json:"type"`
		ChainHash       string `json:"chainHash"`
		FirstBlockNum   uint32 `json:"firstBlockNum"`
		NumberOfBlocks  uint32 `json:"numberOfBlocks"`
		Complete        *uint8 `json:"complete"`
		ShortChannelIDs *extendedQueryArray[string]
		TLVStream       *struct {
			Records []json.RawMessage `json:"records"`
			Unknown []json.RawMessage `json:"unknown"`
		} `json:"tlvStream"`
		Timestamps *struct {
			Encoding   string `json:"encoding"`
			Timestamps []struct {
				Timestamp1 uint32 `json:"timestamp1"`
				Timestamp2 uint32 `json:"timestamp2"`
			} `json:"timestamps"`
		} `json:"timestamps"`
		Checksums *struct {
			Checksums []struct {
				Checksum1 uint32 `json:"checksum1"`
				Checksum2 uint32 `json:"checksum2"`
			} `json:"checksums"`
		} `json:"checksums"`
	} `json:"msg"`
}

type extendedQueryArray[T any] struct {
	Array    []T    `json:"array"`
	Encoding string `json:"encoding"`
}

func parseVectorEncoding(t *testing.T, s string) QueryEncoding {
	t.Helper()
	switch s {
	case "UNCOMPRESSED":
		return QueryEncodingUncompressed
	case "COMPRESSED_ZLIB":
		return QueryEncodingZlib
	}
	require.Fail(t, fmt.Sprintf("unknown encoding %q", s))
	return 0
}

func parseVectorSCIDs(t *testing.T, ids []string) []ShortChannelID {
	t.Helper()
	out := make([]ShortChannelID, len(ids))
	for i, s := range ids {
		id, err := ParseShortChannelID(s)
		require.NoError(t, err)
		out[i] = id
	}
	return out
}

// TestGossipExtendedQueriesVectors decodes every message of
// bolt07-extended-queries.json, checks each field against the JSON, and
// re-encodes it to the exact same bytes (zlib arrays included).
func TestGossipExtendedQueriesVectors(t *testing.T) {
	var vectors []extendedQueryVector
	require.NoError(t, json.Unmarshal(gossipTestVector(t, "bolt07-extended-queries.json"), &vectors))
	require.Len(t, vectors, 10)
	counts := map[string]int{}
	for i, v := range vectors {
		t.Run(fmt.Sprintf("%d_%s", i, v.Msg.Type), func(t *testing.T) {
			raw, err := hex.DecodeString(v.Hex)
			require.NoError(t, err)
			m, err := Decode(raw)
			require.NoError(t, err)
			counts[v.Msg.Type]++

			var chainHash string
			var ids []ShortChannelID
			switch v.Msg.Type {
			case "QueryChannelRange":
				q, ok := m.(*QueryChannelRange)
				require.True(t, ok, "%T", m)
				chainHash = hex.EncodeToString(q.ChainHash[:])
				require.Equal(t, v.Msg.FirstBlockNum, q.FirstBlockHeight)
				require.Equal(t, v.Msg.NumberOfBlocks, q.NumBlocks)
				require.NotNil(t, v.Msg.TLVStream)
				require.Empty(t, v.Msg.TLVStream.Unknown)
				require.Empty(t, q.ExtraTLVs)
				if len(v.Msg.TLVStream.Records) == 0 {
					require.False(t, q.QueryOption.Present)
					break
				}
				require.Len(t, v.Msg.TLVStream.Records, 1)
				var rec string
				require.NoError(t, json.Unmarshal(v.Msg.TLVStream.Records[0], &rec))
				var want QueryOption
				for _, name := range strings.Split(rec, "|") {
					switch strings.TrimSpace(name) {
					case "WANT_TIMESTAMPS":
						want |= QueryOptionWantTimestamps
					case "WANT_CHECKSUMS":
						want |= QueryOptionWantChecksums
					default:
						require.Fail(t, fmt.Sprintf("unknown query option %q", name))
					}
				}
				require.Equal(t, Some(want), q.QueryOption)

			case "ReplyChannelRange":
				r, ok := m.(*ReplyChannelRange)
				require.True(t, ok, "%T", m)
				chainHash = hex.EncodeToString(r.ChainHash[:])
				ids = r.ShortChannelIDs
				require.Equal(t, v.Msg.FirstBlockNum, r.FirstBlockHeight)
				require.Equal(t, v.Msg.NumberOfBlocks, r.NumBlocks)
				require.NotNil(t, v.Msg.Complete)
				require.Equal(t, *v.Msg.Complete == 1, r.SyncComplete)
				require.Equal(t, parseVectorEncoding(t, v.Msg.ShortChannelIDs.Encoding), r.Encoding)
				if v.Msg.Timestamps == nil {
					require.False(t, r.Timestamps.Present)
				} else {
					require.True(t, r.Timestamps.Present)
					require.Equal(t, parseVectorEncoding(t, v.Msg.Timestamps.Encoding), r.Timestamps.Value.Encoding)
					var want []ChannelUpdateTimestamps
					for _, ts := range v.Msg.Timestamps.Timestamps {
						want = append(want, ChannelUpdateTimestamps{Node1: ts.Timestamp1, Node2: ts.Timestamp2})
					}
					require.Equal(t, want, r.Timestamps.Value.Timestamps)
				}
				if v.Msg.Checksums == nil {
					require.False(t, r.Checksums.Present)
				} else {
					var want []ChannelUpdateChecksums
					for _, c := range v.Msg.Checksums.Checksums {
						want = append(want, ChannelUpdateChecksums{Node1: c.Checksum1, Node2: c.Checksum2})
					}
					require.Equal(t, Some(want), r.Checksums)
				}
				require.Empty(t, r.ExtraTLVs)

			case "QueryShortChannelIds":
				q, ok := m.(*QueryShortChanIDs)
				require.True(t, ok, "%T", m)
				chainHash = hex.EncodeToString(q.ChainHash[:])
				ids = q.ShortChannelIDs
				require.Equal(t, parseVectorEncoding(t, v.Msg.ShortChannelIDs.Encoding), q.Encoding)
				require.NotNil(t, v.Msg.TLVStream)
				require.Empty(t, v.Msg.TLVStream.Unknown)
				require.Empty(t, q.ExtraTLVs)
				if len(v.Msg.TLVStream.Records) == 0 {
					require.False(t, q.QueryFlags.Present)
					break
				}
				require.Len(t, v.Msg.TLVStream.Records, 1)
				var rec extendedQueryArray[uint64]
				require.NoError(t, json.Unmarshal(v.Msg.TLVStream.Records[0], &rec))
				require.True(t, q.QueryFlags.Present)
				require.Equal(t, parseVectorEncoding(t, rec.Encoding), q.QueryFlags.Value.Encoding)
				var want []QueryFlag
				for _, f := range rec.Array {
					want = append(want, QueryFlag(f))
				}
				require.Equal(t, want, q.QueryFlags.Value.Flags)

			default:
				require.Fail(t, fmt.Sprintf("unexpected message type %q", v.Msg.Type))
			}

			require.Equal(t, v.Msg.ChainHash, chainHash)
			if v.Msg.ShortChannelIDs != nil {
				require.Equal(t, parseVectorSCIDs(t, v.Msg.ShortChannelIDs.Array), ids)
			}

			// Lossless re-encoding, also of the zlib arrays.
			out, err := Encode(nil, m)
			require.NoError(t, err)
			require.Equal(t, v.Hex, hex.EncodeToString(out))

			// A copy without the remembered zlib bytes re-compresses with
			// Go's zlib: different bytes, same contents.
			fresh := cloneWithoutOrigins(t, m)
			out2, err := Encode(nil, fresh)
			require.NoError(t, err)
			m2, err := Decode(out2)
			require.NoError(t, err)
			require.Equal(t, fresh, cloneWithoutOrigins(t, m2))
		})
	}
	require.Equal(t, map[string]int{"QueryChannelRange": 2, "ReplyChannelRange": 4, "QueryShortChannelIds": 4}, counts)
}

// cloneWithoutOrigins returns a copy of a gossip query message with the
// remembered zlib bytes dropped, so that encoding compresses afresh and
// values compare with require.Equal.
func cloneWithoutOrigins(t *testing.T, m Message) Message {
	t.Helper()
	switch m := m.(type) {
	case *QueryShortChanIDs:
		c := *m
		c.origin = nil
		c.QueryFlags.Value.origin = nil
		return &c
	case *ReplyChannelRange:
		c := *m
		c.origin = nil
		c.Timestamps.Value.origin = nil
		return &c
	default:
		return m
	}
}
