package rpc

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"
)

// fixtureSeeds returns every recorded response, as fuzz seeds.
func fixtureSeeds(f *testing.F) [][]byte {
	f.Helper()
	names := []string{"getnetworkinfo", "getblockchaininfo", "getblockchaininfo_regtest", "getbestblockhash",
		"getblockheader_raw", "getblockheader_verbose", "getblock", "getrawtransaction", "gettxout", "gettxout_spent",
		"estimatesmartfee", "estimatesmartfee_nodata", "error_block_not_found", "sendraw_already_known"}
	out := make([][]byte, len(names))
	for i, n := range names {
		out[i] = fixture(f, n)
	}
	return out
}

// FuzzDecodeResponse feeds arbitrary bodies to the JSON-RPC response decoder
// and the result decoders behind it: none may panic, and every failure must
// be typed.
func FuzzDecodeResponse(f *testing.F) {
	for _, s := range fixtureSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"result":null,"error":"bare string","id":1}`))
	f.Add([]byte(`{"result":"00","error":null,"id":"1"}`))
	f.Add([]byte(`{"result":"\u0030\u0030","error":null,"id":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		result, err := decodeResponse("m", body, 1)
		if err != nil {
			var rpcErr *RPCError
			require.True(t, errors.Is(err, ErrMalformedResponse) || errors.As(err, &rpcErr), "untyped error %v", err)
			return
		}
		typed := func(err error) {
			t.Helper()
			require.True(t, err == nil || errors.Is(err, ErrMalformedResponse) || errors.Is(err, ErrNoFeeEstimate), "untyped error %v", err)
		}
		if b, err := decodeHexResult("m", result); err == nil {
			_, err = parseBlock(b)
			typed(err)
			_, err = parseHeader(b)
			typed(err)
			_, err = parseTx(b)
			typed(err)
		} else {
			typed(err)
		}
		_, err = decodeHashResult("m", result)
		typed(err)
		_, err = parseVerboseHeader(result)
		typed(err)
		_, err = parseTxOut(result)
		typed(err)
		var j smartFeeJSON
		if decodeResult("m", result, &j) == nil && j.FeeRate != nil {
			_, err = positiveRate("m", string(*j.FeeRate))
			typed(err)
		}
	})
}

// FuzzParseBlockHex feeds arbitrary hex results to the block and header
// decoders (the getblock / getblockheader verbose=false path). A block that
// decodes must re-encode to the same bytes.
func FuzzParseBlockHex(f *testing.F) {
	var buf bytes.Buffer
	for _, params := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams, &chaincfg.SigNetParams} {
		buf.Reset()
		params.GenesisBlock.Serialize(&buf)
		f.Add(hex.EncodeToString(buf.Bytes()))
		f.Add(hex.EncodeToString(buf.Bytes()[:80]))
	}
	f.Add("")
	f.Add("0")
	f.Add(strings.Repeat("ff", 90))
	f.Fuzz(func(t *testing.T, s string) {
		raw, _ := json.Marshal(s)
		b, err := decodeHexResult("getblock", raw)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformedResponse)
			return
		}
		if block, err := parseBlock(b); err == nil {
			var out bytes.Buffer
			require.NoError(t, block.Serialize(&out), "re-encode")
			require.Equal(t, b, out.Bytes(), "block does not round-trip")
		} else {
			require.ErrorIs(t, err, ErrMalformedResponse)
		}
		if h, err := parseHeader(b); err == nil {
			var out bytes.Buffer
			require.NoError(t, h.Serialize(&out), "re-encode")
			require.Equal(t, b, out.Bytes(), "header does not round-trip")
		}
	})
}

// FuzzBTCToSat checks the amount parser never panics, and agrees with
// formatting for every amount it produces.
func FuzzBTCToSat(f *testing.F) {
	for _, s := range []string{"0", "50.00000000", "0.00012345", "1e-05", "-1", "21000000", "1.5E+2", "0.000000001", "1e-300", "99999999999.99999999"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, roundUp bool) {
		v, err := btcToSat(s, roundUp)
		if err != nil {
			return
		}
		if v < 0 {
			v = -v
		}
		formatted := fmt.Sprintf("%d.%08d", v/1e8, v%1e8)
		back, err := btcToSat(formatted, false)
		require.NoError(t, err, "%q -> %d -> %q", s, v, formatted)
		require.Equal(t, v, back, "%q -> %d -> %q", s, v, formatted)
	})
}

// FuzzFastResponse checks the hand-written envelope parser against
// encoding/json: whenever it accepts a body, encoding/json must accept it
// too, with the same result and id.
func FuzzFastResponse(f *testing.F) {
	for _, s := range fixtureSeeds(f) {
		f.Add(s)
	}
	for _, s := range []string{
		`{"result":"00ff","error":null,"id":7}`,
		` { "id" : 7 , "result" : null , "error" : null } `,
		`{"jsonrpc":"2.0","result":true,"id":0}`,
		`{"result":-12,"error":null,"id":1}`,
		`{"result":"a","result":"b","id":1}`,
		`{"result":"a\u0041","id":1}`,
		`{"result":01,"id":1}`,
		`{"result":"a","RESULT":"b","id":1}`,
		`{"result":"a","Id":2,"id":1}`,
		`{"result":"x","id":1}garbage`,
		`{"result":nullx,"id":1}`,
		"{\"result\":\"\x01\",\"id\":1}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		result, id, ok := fastResponse(body)
		if !ok {
			return
		}
		var resp response
		require.NoError(t, json.Unmarshal(body, &resp), "fast path accepted %q", body)
		require.True(t, bytes.Equal(result, resp.Result) && bytes.Equal(id, resp.ID),
			"fast path %q/%q, encoding/json %q/%q", result, id, resp.Result, resp.ID)
		require.True(t, len(resp.Error) == 0 || isNull(resp.Error), "fast path accepted an error answer %q", body)
	})
}
