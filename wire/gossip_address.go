package wire

import (
	"crypto/sha3"
	"encoding/base32"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// AddressType is the type byte of a node_announcement address descriptor.
type AddressType uint8

// Address descriptor types of BOLT 7.
const (
	// AddressIPv4 is an IPv4 address and port (type 1, 6 bytes of data).
	AddressIPv4 AddressType = 1
	// AddressIPv6 is an IPv6 address and port (type 2, 18 bytes of data).
	AddressIPv6 AddressType = 2
	// AddressTorV2 is a Tor v2 onion service (type 3, 12 bytes of data).
	// It is deprecated: BOLT 7 says not to announce it and to ignore it.
	// lnkit decodes it so that re-encoding stays lossless.
	AddressTorV2 AddressType = 3
	// AddressTorV3 is a Tor v3 onion service (type 4, 37 bytes of data):
	// the 32-byte ed25519 key, a 2-byte checksum, the version byte 3, the port.
	AddressTorV3 AddressType = 4
	// AddressDNS is a DNS hostname and port (type 5): a length byte, at
	// most 255 ASCII bytes, the port.
	AddressDNS AddressType = 5
)

// Address lengths of the fixed-size types.
const (
	ipv4AddrLen  = 4
	ipv6AddrLen  = 16
	torV2AddrLen = 10
	torV3AddrLen = 35
	// MaxHostnameLen is the longest hostname an AddressDNS descriptor can carry.
	MaxHostnameLen = 255
)

// String returns the type's name, e.g. "ipv4", or "type(n)".
func (t AddressType) String() string {
	switch t {
	case AddressIPv4:
		return "ipv4"
	case AddressIPv6:
		return "ipv6"
	case AddressTorV2:
		return "torv2"
	case AddressTorV3:
		return "torv3"
	case AddressDNS:
		return "dns"
	default:
		return fmt.Sprintf("type(%d)", uint8(t))
	}
}

// addrLen returns the address length of a fixed-size type, -1 for DNS
// (variable) and 0 for unknown types.
func (t AddressType) addrLen() int {
	switch t {
	case AddressIPv4:
		return ipv4AddrLen
	case AddressIPv6:
		return ipv6AddrLen
	case AddressTorV2:
		return torV2AddrLen
	case AddressTorV3:
		return torV3AddrLen
	case AddressDNS:
		return -1
	default:
		return 0
	}
}

// IsKnown reports whether t is one of the types BOLT 7 defines.
func (t AddressType) IsKnown() bool { return t.addrLen() != 0 }

// NetAddress is one address descriptor of a node_announcement. It
// implements net.Addr (for onion addresses String gives the .onion name,
// which needs a Tor proxy to dial).
type NetAddress struct {
	// Type is the descriptor type.
	Type AddressType
	// Addr is the address: 4 bytes (IPv4), 16 (IPv6), 10 (Tor v2), 35
	// (Tor v3: key, checksum, version) or the hostname's bytes (DNS).
	Addr []byte
	// Port is the TCP port.
	Port uint16
}

// Network implements net.Addr; it is always "tcp".
func (a NetAddress) Network() string { return "tcp" }

// String returns host:port: "1.2.3.4:9735", "[2001:db8::1]:9735",
// "<56 base32 chars>.onion:9735" or "example.com:9735". A hostname with
// bytes outside printable ASCII is shown quoted and escaped.
func (a NetAddress) String() string {
	return net.JoinHostPort(a.Host(), strconv.Itoa(int(a.Port)))
}

// Host returns the host part of String.
func (a NetAddress) Host() string {
	switch a.Type {
	case AddressIPv4, AddressIPv6:
		if ip, ok := a.IP(); ok {
			return ip.String()
		}
	case AddressTorV2, AddressTorV3:
		if len(a.Addr) == a.Type.addrLen() {
			return strings.ToLower(onionEncoding().EncodeToString(a.Addr)) + ".onion"
		}
	case AddressDNS:
		if isPrintableASCII(a.Addr) {
			return string(a.Addr)
		}
		return strconv.QuoteToASCII(string(a.Addr))
	}
	return fmt.Sprintf("%v:%x", a.Type, a.Addr)
}

// IP returns the address of an IPv4 or IPv6 descriptor.
func (a NetAddress) IP() (netip.Addr, bool) {
	if len(a.Addr) != a.Type.addrLen() {
		return netip.Addr{}, false
	}
	switch a.Type {
	case AddressIPv4:
		return netip.AddrFrom4([4]byte(a.Addr)), true
	case AddressIPv6:
		return netip.AddrFrom16([16]byte(a.Addr)), true
	}
	return netip.Addr{}, false
}

// Validate checks the rules BOLT 7 sets for an origin node: a known type,
// the right address length, a non-zero port for IP and DNS addresses, a
// non-empty ASCII hostname, and a Tor v3 address with version 3 and a good
// checksum. Decoding does not apply it (it keeps whatever was signed).
func (a NetAddress) Validate() error {
	n := a.Type.addrLen()
	switch {
	case n == 0:
		return fmt.Errorf("wire: address %v: %w", a.Type, ErrInvalidValue)
	case n > 0 && len(a.Addr) != n:
		return fmt.Errorf("wire: %v address is %d bytes, want %d: %w", a.Type, len(a.Addr), n, ErrInvalidValue)
	}
	switch a.Type {
	case AddressDNS:
		if len(a.Addr) == 0 || len(a.Addr) > MaxHostnameLen || !isPrintableASCII(a.Addr) {
			return fmt.Errorf("wire: dns hostname must be 1 to %d printable ASCII bytes: %w", MaxHostnameLen, ErrInvalidValue)
		}
	case AddressTorV3:
		if !validTorV3(a.Addr) {
			return fmt.Errorf("wire: tor v3 address has a bad version or checksum: %w", ErrInvalidValue)
		}
	}
	if a.Port == 0 && (a.Type == AddressIPv4 || a.Type == AddressIPv6 || a.Type == AddressDNS) {
		return fmt.Errorf("wire: %v address with port 0: %w", a.Type, ErrInvalidValue)
	}
	return nil
}

// NewIPAddress returns the descriptor of an IP address and port; IPv4 and
// IPv4-mapped IPv6 addresses become AddressIPv4.
func NewIPAddress(ap netip.AddrPort) NetAddress {
	ip := ap.Addr().Unmap()
	if ip.Is4() {
		b := ip.As4()
		return NetAddress{Type: AddressIPv4, Addr: b[:], Port: ap.Port()}
	}
	b := ip.As16()
	return NetAddress{Type: AddressIPv6, Addr: b[:], Port: ap.Port()}
}

// NewTorV3Address returns the descriptor of the Tor v3 onion service of an
// ed25519 public key, computing its checksum.
func NewTorV3Address(pubkey [32]byte, port uint16) NetAddress {
	addr := make([]byte, torV3AddrLen)
	copy(addr, pubkey[:])
	sum := torV3Checksum(pubkey[:], 3)
	addr[32], addr[33], addr[34] = sum[0], sum[1], 3
	return NetAddress{Type: AddressTorV3, Addr: addr, Port: port}
}

// NewDNSAddress returns the descriptor of a hostname and port. The
// hostname must be 1 to 255 printable ASCII bytes (BOLT 7: non-ASCII
// names are Punycode-encoded by the caller).
func NewDNSAddress(host string, port uint16) (NetAddress, error) {
	a := NetAddress{Type: AddressDNS, Addr: []byte(host), Port: port}
	if len(a.Addr) == 0 || len(a.Addr) > MaxHostnameLen || !isPrintableASCII(a.Addr) {
		return NetAddress{}, fmt.Errorf("wire: dns hostname must be 1 to %d printable ASCII bytes: %w", MaxHostnameLen, ErrInvalidValue)
	}
	return a, nil
}

// ParseNetAddress parses "host:port": an IP literal, a Tor v3 (56
// characters) or v2 (16 characters) ".onion" name, or else a DNS hostname.
// The result passes Validate, except that Tor v2 names are accepted.
func ParseNetAddress(s string) (NetAddress, error) {
	host, portStr, err := net.SplitHostPort(s)
	if err != nil {
		return NetAddress{}, fmt.Errorf("wire: address %q: %v: %w", s, err, ErrInvalidValue)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil || port == 0 {
		return NetAddress{}, fmt.Errorf("wire: address %q: bad port: %w", s, ErrInvalidValue)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return NetAddress{}, fmt.Errorf("wire: address %q: zoned IPv6 address: %w", s, ErrInvalidValue)
		}
		return NewIPAddress(netip.AddrPortFrom(ip, uint16(port))), nil
	}
	if name, ok := strings.CutSuffix(strings.ToLower(host), ".onion"); ok {
		addr, err := onionEncoding().DecodeString(strings.ToUpper(name))
		if err != nil {
			return NetAddress{}, fmt.Errorf("wire: address %q: bad onion name: %w", s, ErrInvalidValue)
		}
		switch len(addr) {
		case torV3AddrLen:
			a := NetAddress{Type: AddressTorV3, Addr: addr, Port: uint16(port)}
			if !validTorV3(addr) {
				return NetAddress{}, fmt.Errorf("wire: address %q: bad tor v3 checksum or version: %w", s, ErrInvalidValue)
			}
			return a, nil
		case torV2AddrLen:
			return NetAddress{Type: AddressTorV2, Addr: addr, Port: uint16(port)}, nil
		}
		return NetAddress{}, fmt.Errorf("wire: address %q: onion name of %d bytes: %w", s, len(addr), ErrInvalidValue)
	}
	a, err := NewDNSAddress(host, uint16(port))
	if err != nil {
		return NetAddress{}, fmt.Errorf("wire: address %q: %w", s, errors.Unwrap(err))
	}
	return a, nil
}

// onionEncoding returns the RFC 4648 base32 encoding without padding that
// onion names use (lower-cased for display).
func onionEncoding() *base32.Encoding { return base32.StdEncoding.WithPadding(base32.NoPadding) }

// torV3Checksum returns SHA3-256(".onion checksum" || pubkey || version)[:2].
func torV3Checksum(pubkey []byte, version byte) [2]byte {
	h := sha3.New256()
	h.Write([]byte(".onion checksum"))
	h.Write(pubkey)
	h.Write([]byte{version})
	var sum [32]byte
	h.Sum(sum[:0])
	return [2]byte{sum[0], sum[1]}
}

// validTorV3 checks the version byte and the checksum of a 35-byte address.
func validTorV3(addr []byte) bool {
	if len(addr) != torV3AddrLen || addr[34] != 3 {
		return false
	}
	sum := torV3Checksum(addr[:32], 3)
	return addr[32] == sum[0] && addr[33] == sum[1]
}

func isPrintableASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// appendNetAddress appends an address descriptor. It fails for unknown
// types and wrong lengths, which could not be decoded back; field names the
// field in the error ("node_announcement.addresses", "init.remote_addr").
func appendNetAddress(b []byte, field string, a NetAddress) ([]byte, error) {
	n := a.Type.addrLen()
	switch {
	case n == 0:
		return b, fmt.Errorf("wire: %s: address of %v: %w", field, a.Type, ErrInvalidValue)
	case n > 0 && len(a.Addr) != n:
		return b, fmt.Errorf("wire: %s: %v address is %d bytes, want %d: %w", field, a.Type, len(a.Addr), n, ErrInvalidValue)
	case n < 0 && len(a.Addr) > MaxHostnameLen:
		return b, fmt.Errorf("wire: %s: hostname is %d bytes, more than %d: %w", field, len(a.Addr), MaxHostnameLen, ErrInvalidValue)
	}
	b = append(b, byte(a.Type))
	if n < 0 {
		b = append(b, byte(len(a.Addr)))
	}
	b = append(b, a.Addr...)
	return appendU16(b, a.Port), nil
}

// decodeNetAddress parses the address descriptor at the start of b and
// returns it with its encoded length. known is false for an unknown type
// (whose length cannot be known); err is ErrTruncated when b ends inside
// the descriptor. Addr aliases b.
func decodeNetAddress(b []byte) (a NetAddress, n int, known bool, err error) {
	t := AddressType(b[0])
	size := t.addrLen()
	if size == 0 {
		return NetAddress{}, 0, false, nil
	}
	hdr := 1
	if size < 0 {
		if len(b) < 2 {
			return NetAddress{}, 0, true, ErrTruncated
		}
		size, hdr = int(b[1]), 2
	}
	if len(b) < hdr+size+2 {
		return NetAddress{}, 0, true, ErrTruncated
	}
	addr := b[hdr : hdr+size : hdr+size]
	port := uint16(b[hdr+size])<<8 | uint16(b[hdr+size+1])
	return NetAddress{Type: t, Addr: addr, Port: port}, hdr + size + 2, true, nil
}

// decodeAddresses parses the addresses field. It stops at the first
// descriptor of an unknown type (BOLT 7: receivers ignore it and what
// follows) and returns that tail raw. The descriptors' Addr slices share
// one copy of the field.
func decodeAddresses(field []byte) ([]NetAddress, []byte, error) {
	if len(field) == 0 {
		return nil, nil, nil
	}
	b := append([]byte(nil), field...)
	var out []NetAddress
	for len(b) > 0 {
		a, n, known, err := decodeNetAddress(b)
		if err != nil {
			return nil, nil, err
		}
		if !known {
			return out, b, nil
		}
		out = append(out, a)
		b = b[n:]
	}
	return out, nil, nil
}
