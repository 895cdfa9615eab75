package rpc

import (
	"bytes"
	"encoding/json"
	"strings"
)

// fastResponse parses the common shape of a successful answer,
// {"result":<string or literal>,"error":null,"id":<integer>} in any member
// order, without encoding/json, whose validation pass dominates the cost of a
// multi-megabyte getblock answer. Strings must contain no escapes or control
// characters. ok is false for anything else (errors, objects, arrays,
// escapes, duplicates): the caller then uses encoding/json, so this only ever
// decides the easy cases and agrees with encoding/json on them.
func fastResponse(body []byte) (result json.RawMessage, id []byte, ok bool) {
	p := skipSpace(body, 0)
	if p >= len(body) || body[p] != '{' {
		return nil, nil, false
	}
	p++
	var haveResult, haveError, haveID bool
	for {
		p = skipSpace(body, p)
		key, next, okKey := scanString(body, p)
		if !okKey {
			return nil, nil, false
		}
		p = skipSpace(body, next)
		if p >= len(body) || body[p] != ':' {
			return nil, nil, false
		}
		p = skipSpace(body, p+1)
		start := p
		p, ok = scanScalar(body, p)
		if !ok {
			return nil, nil, false
		}
		val := body[start:p]
		switch string(key[1 : len(key)-1]) {
		case "result":
			if haveResult {
				return nil, nil, false
			}
			haveResult, result = true, val
		case "error":
			if haveError || string(val) != "null" {
				return nil, nil, false
			}
			haveError = true
		case "id":
			if haveID || !isJSONUint(val) {
				return nil, nil, false
			}
			haveID, id = true, val
		default:
			// Other members ("jsonrpc") are ignored, as encoding/json
			// does. encoding/json also matches member names without
			// regard to case: leave such bodies to it.
			name := string(key[1 : len(key)-1])
			if strings.EqualFold(name, "result") || strings.EqualFold(name, "error") || strings.EqualFold(name, "id") {
				return nil, nil, false
			}
		}
		p = skipSpace(body, p)
		if p >= len(body) {
			return nil, nil, false
		}
		if body[p] == ',' {
			p++
			continue
		}
		if body[p] != '}' {
			return nil, nil, false
		}
		p++
		break
	}
	if skipSpace(body, p) != len(body) || !haveResult || !haveID {
		return nil, nil, false
	}
	return result, id, true
}

// skipSpace returns the index of the first non-whitespace byte at or after p.
func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r') {
		p++
	}
	return p
}

// scanString scans a JSON string without escapes or control characters
// starting at p; it returns the string with its quotes and the index after
// it.
func scanString(b []byte, p int) ([]byte, int, bool) {
	if p >= len(b) || b[p] != '"' {
		return nil, 0, false
	}
	end := bytes.IndexByte(b[p+1:], '"')
	if end < 0 {
		return nil, 0, false
	}
	s := b[p : p+1+end+1]
	for _, c := range s[1 : len(s)-1] {
		if c < 0x20 || c == '\\' {
			return nil, 0, false
		}
	}
	return s, p + 1 + end + 1, true
}

// scanScalar scans a string, null, true, false or an integer starting at p
// and returns the index after it.
func scanScalar(b []byte, p int) (int, bool) {
	if p >= len(b) {
		return 0, false
	}
	switch c := b[p]; {
	case c == '"':
		_, next, ok := scanString(b, p)
		return next, ok
	case bytes.HasPrefix(b[p:], []byte("null")), bytes.HasPrefix(b[p:], []byte("true")):
		return p + 4, true
	case bytes.HasPrefix(b[p:], []byte("false")):
		return p + 5, true
	case c == '-' || (c >= '0' && c <= '9'):
		q := p
		if b[q] == '-' {
			q++
		}
		digits := q
		for q < len(b) && b[q] >= '0' && b[q] <= '9' {
			q++
		}
		if q == digits || (b[digits] == '0' && q-digits > 1) {
			return 0, false
		}
		if q < len(b) && (b[q] == '.' || b[q] == 'e' || b[q] == 'E') {
			return 0, false // fractions and exponents: leave to encoding/json
		}
		return q, true
	default:
		return 0, false
	}
}

// isJSONUint reports whether v is a non-negative JSON integer.
func isJSONUint(v []byte) bool {
	return len(v) > 0 && v[0] >= '0' && v[0] <= '9'
}
