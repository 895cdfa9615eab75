package rpc

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

// request is a JSON-RPC 1.0 request, the dialect both bitcoind and btcd
// accept (bitcoind's 2.0 mode changes error status codes).
type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      uint64 `json:"id"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
}

// encodeRequest returns the body of a call.
func encodeRequest(id uint64, method string, params []any) ([]byte, error) {
	if params == nil {
		params = []any{}
	}
	return json.Marshal(request{JSONRPC: "1.0", ID: id, Method: method, Params: params})
}

// response is a JSON-RPC response as decoded; fields are kept raw.
type response struct {
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// rpcErrorObject is the error member of a response.
type rpcErrorObject struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// decodeResponse parses a JSON-RPC response body to a call with id wantID. It
// returns the raw result (the JSON literal null when the result is null), an
// *RPCError when the daemon answered an error, or an error matching
// ErrMalformedResponse.
func decodeResponse(method string, body []byte, wantID uint64) (json.RawMessage, error) {
	var resp response
	if result, id, ok := fastResponse(body); ok {
		resp.Result, resp.ID = result, id
	} else if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformedResponse, method, err)
	}
	if len(resp.Error) > 0 && !isNull(resp.Error) {
		var obj rpcErrorObject
		if err := json.Unmarshal(resp.Error, &obj); err != nil {
			// Some servers answer the error as a bare string.
			var msg string
			if json.Unmarshal(resp.Error, &msg) != nil {
				return nil, fmt.Errorf("%w: %s: error member is neither object nor string", ErrMalformedResponse, method)
			}
			obj.Message = msg
		}
		return nil, &RPCError{Method: method, Code: obj.Code, Message: obj.Message}
	}
	id, err := strconv.ParseUint(string(resp.ID), 10, 64)
	if err != nil || id != wantID {
		return nil, fmt.Errorf("%w: %s: response id %.40q, want %d", ErrMalformedResponse, method, resp.ID, wantID)
	}
	if len(resp.Result) == 0 {
		return nil, fmt.Errorf("%w: %s: no result", ErrMalformedResponse, method)
	}
	return resp.Result, nil
}

// isNull reports whether raw is the JSON literal null.
func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// decodeHexResult decodes a result that must be a JSON string of hex digits.
// The common case (no escapes) decodes straight from the raw bytes.
func decodeHexResult(method string, raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	var s []byte
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 {
		s = raw[1 : len(raw)-1]
	} else {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return nil, fmt.Errorf("%w: %s: result is not a string", ErrMalformedResponse, method)
		}
		s = []byte(str)
	}
	out := make([]byte, hex.DecodedLen(len(s)))
	if _, err := hex.Decode(out, s); err != nil || len(s)%2 != 0 {
		return nil, fmt.Errorf("%w: %s: result is not hex", ErrMalformedResponse, method)
	}
	return out, nil
}

// decodeResult unmarshals a JSON result into v.
func decodeResult(method string, raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformedResponse, method, err)
	}
	return nil
}
