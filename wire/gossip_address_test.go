package wire

import (
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGossipNetAddressParseAndString(t *testing.T) {
	tests := []struct {
		in   string
		typ  AddressType
		out  string // "" means same as in
		host string
	}{
		{in: "1.2.3.4:9735", typ: AddressIPv4, host: "1.2.3.4"},
		{in: "[2001:db8::1]:9735", typ: AddressIPv6, host: "2001:db8::1"},
		{in: "[::ffff:10.0.0.1]:1", typ: AddressIPv4, out: "10.0.0.1:1"},
		{in: "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion:9735", typ: AddressTorV3},
		{in: "DUCKDUCKGOGG42XJOC72X3SJASOWOARFBGCMVFIMAFTT6TWAGSWZCZAD.ONION:80", typ: AddressTorV3, out: "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion:80"},
		{in: "3g2upl4pq6kufc4m.onion:9735", typ: AddressTorV2},
		{in: "example.com:9735", typ: AddressDNS, host: "example.com"},
		{in: "xn--bcher-kva.example:65535", typ: AddressDNS},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := ParseNetAddress(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.typ, a.Type)
			want := tt.out
			if want == "" {
				want = tt.in
			}
			require.Equal(t, want, a.String())
			require.Equal(t, "tcp", a.Network())
			if tt.host != "" {
				require.Equal(t, tt.host, a.Host())
			}
			if a.Type != AddressTorV2 {
				require.NoError(t, a.Validate())
			}
			var _ net.Addr = a
			// The descriptor encodes and decodes back.
			b, err := appendNetAddress(nil, "addresses", a)
			require.NoError(t, err)
			got, rest, err := decodeAddresses(b)
			require.NoError(t, err)
			require.Empty(t, rest)
			require.Equal(t, []NetAddress{a}, got)
		})
	}
}

func TestGossipNetAddressParseErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"example.com",
		"example.com:0",
		"example.com:65536",
		"example.com:port",
		"1.2.3.4:0",
		"[fe80::1%eth0]:9735",
		"ex ample.com:1",
		"exämple.com:1",
		"duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczaa.onion:9735", // bad checksum
		"abc.onion:9735",
		"0000000000000000.onion:1x",
		"!!!!!!!!!!!!!!!!.onion:1",
	} {
		_, err := ParseNetAddress(in)
		require.ErrorIs(t, err, ErrInvalidValue, in)
	}
}

func TestGossipNetAddressTorV3(t *testing.T) {
	var key [32]byte
	for i := range key {
		key[i] = byte(i)
	}
	a := NewTorV3Address(key, 9735)
	require.NoError(t, a.Validate())
	back, err := ParseNetAddress(a.String())
	require.NoError(t, err)
	require.Equal(t, a, back)
	a.Addr[33] ^= 1
	require.ErrorIs(t, a.Validate(), ErrInvalidValue)
}

func TestGossipNetAddressValidateAndHost(t *testing.T) {
	require.NoError(t, NewIPAddress(netip.MustParseAddrPort("127.0.0.1:9735")).Validate())
	require.ErrorIs(t, NewIPAddress(netip.MustParseAddrPort("127.0.0.1:0")).Validate(), ErrInvalidValue)
	require.ErrorIs(t, NetAddress{Type: 7}.Validate(), ErrInvalidValue)
	require.ErrorIs(t, NetAddress{Type: AddressIPv6, Addr: []byte{1}, Port: 1}.Validate(), ErrInvalidValue)
	_, err := NewDNSAddress("", 1)
	require.ErrorIs(t, err, ErrInvalidValue)
	_, err = NewDNSAddress(string(make([]byte, 256)), 1)
	require.ErrorIs(t, err, ErrInvalidValue)

	// Hostile hostnames are shown escaped, never raw.
	evil := NetAddress{Type: AddressDNS, Addr: []byte("a\nb\x1b[31m"), Port: 1}
	require.ErrorIs(t, evil.Validate(), ErrInvalidValue)
	require.Equal(t, `"a\nb\x1b[31m"`, evil.Host())
	// Wrong lengths and unknown types still print something.
	require.Equal(t, "ipv4:0102", NetAddress{Type: AddressIPv4, Addr: []byte{1, 2}}.Host())
	require.Equal(t, "type(9):ff", NetAddress{Type: 9, Addr: []byte{0xff}}.Host())
	_, ok := NetAddress{Type: AddressDNS, Addr: []byte("a")}.IP()
	require.False(t, ok)
	for _, typ := range []AddressType{AddressIPv4, AddressIPv6, AddressTorV2, AddressTorV3, AddressDNS} {
		require.True(t, typ.IsKnown())
		require.NotContains(t, typ.String(), "type(")
	}
	require.False(t, AddressType(0).IsKnown())
}

func TestGossipNodeAliasAndColor(t *testing.T) {
	a, err := NewNodeAlias("IRATEMONK")
	require.NoError(t, err)
	require.Equal(t, "IRATEMONK", a.String())
	a, err = NewNodeAlias("ナンセンス")
	require.NoError(t, err)
	require.Equal(t, "ナンセンス", a.String())
	_, err = NewNodeAlias(string(make([]byte, 33)))
	require.ErrorIs(t, err, ErrInvalidValue)
	_, err = NewNodeAlias("\xff")
	require.ErrorIs(t, err, ErrInvalidValue)
	var raw NodeAlias
	copy(raw[:], "ok\xffok")
	require.Equal(t, "ok\uFFFDok", raw.String())
	require.Equal(t, "#ff8000", RGBColor{0xff, 0x80, 0x00}.String())
}

func FuzzParseNetAddress(f *testing.F) {
	for _, s := range []string{"1.2.3.4:9735", "[::1]:1", "example.com:9735", "3g2upl4pq6kufc4m.onion:9735",
		"duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion:9735", "x:0", ":", "[::1%x]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseNetAddress(s)
		if err != nil {
			return
		}
		b, err := appendNetAddress(nil, "addresses", a)
		require.NoError(t, err)
		got, rest, err := decodeAddresses(b)
		require.NoError(t, err)
		require.Empty(t, rest)
		require.Equal(t, []NetAddress{a}, got)
		back, err := ParseNetAddress(a.String())
		require.NoError(t, err, a.String())
		require.Equal(t, a, back)
	})
}
