package peer

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"github.com/lnkit/lnkit/wire"
)

// ourInit builds the init we send on c: our features, our chains in the
// networks record, and c's remote address in remote_addr when it is a
// public address.
func (m *Manager) ourInit(c *conn) *wire.Init {
	init := &wire.Init{
		Features: m.cfg.Features,
		Networks: wire.Some(m.cfg.Chains),
	}
	if a, ok := remoteAddr(c.addr); ok {
		init.RemoteAddr = wire.Some(a)
	}
	return init
}

// handleInit checks the peer's init and, if it is acceptable, tells the
// handlers that the peer is connected. BOLT 1: unknown even feature bits,
// missing feature dependencies, or a networks record with none of our
// chains close the connection with an error message: no channel can work
// with such a peer. (Violations after init are answered with a warning
// instead, so that a peer's bug does not make it fail every channel.)
func (m *Manager) handleInit(c *conn, init *wire.Init) error {
	c.theirInit = init // allows the error messages below
	features := init.CombinedFeatures()
	if err := features.CheckRequired(m.known); err != nil {
		m.sendError(c, "lnkit: "+trimWire(err.Error()))
		return fmt.Errorf("%w: %w", ErrIncompatibleInit, err)
	}
	if err := features.CheckDependencies(); err != nil {
		m.sendError(c, "lnkit: "+trimWire(err.Error()))
		return fmt.Errorf("%w: %w", ErrIncompatibleInit, err)
	}
	if chains, ok := init.Networks.Get(); ok && !m.commonChain(chains) {
		m.sendError(c, "lnkit: no common chain")
		return &joinedError{ErrIncompatibleInit, ErrNoCommonChain}
	}
	c.theirFeatures = features
	c.state = stateConnected
	c.since = m.cfg.Now()
	c.idleTicks, c.recvSinceTick = 0, false
	if err := m.cfg.ChannelHandler.PeerConnected(c.id, init, c.inbound); err != nil {
		return fmt.Errorf("%w: %w", ErrHandler, err)
	}
	c.handlers |= handlerChannel
	if err := m.cfg.RoutingHandler.PeerConnected(c.id, init, c.inbound); err != nil {
		return fmt.Errorf("%w: %w", ErrHandler, err)
	}
	c.handlers |= handlerRouting
	if err := m.cfg.CustomHandler.PeerConnected(c.id, init, c.inbound); err != nil {
		return fmt.Errorf("%w: %w", ErrHandler, err)
	}
	c.handlers |= handlerCustom
	m.log.Info("peer: connected", "node_id", c.id, "addr", addrString(c.addr), "inbound", c.inbound, "features", features)
	return nil
}

// commonChain reports whether chains contains one of ours.
func (m *Manager) commonChain(chains []chainhash.Hash) bool {
	for i := range chains {
		for j := range m.cfg.Chains {
			if chains[i] == m.cfg.Chains[j] {
				return true
			}
		}
	}
	return false
}

// trimWire drops the "wire: " prefix of an error text.
func trimWire(s string) string {
	if len(s) > 6 && s[:6] == "wire: " {
		return s[6:]
	}
	return s
}

// remoteAddr returns a as the remote_addr of init when a is worth
// reporting: a public IP address (BOLT 1: SHOULD NOT set private
// addresses), or a valid wire.NetAddress that is not an IP address (Tor v3,
// DNS).
func remoteAddr(a net.Addr) (wire.NetAddress, bool) {
	var ap netip.AddrPort
	switch a := a.(type) {
	case nil:
		return wire.NetAddress{}, false
	case *net.TCPAddr:
		if a == nil {
			return wire.NetAddress{}, false
		}
		ap = a.AddrPort()
	case wire.NetAddress:
		return reportable(a)
	case *wire.NetAddress:
		if a == nil {
			return wire.NetAddress{}, false
		}
		return reportable(*a)
	default:
		var err error
		if ap, err = netip.ParseAddrPort(a.String()); err != nil {
			return wire.NetAddress{}, false
		}
	}
	ip := ap.Addr().Unmap()
	if !ip.IsValid() || ap.Port() == 0 || ip.Zone() != "" {
		return wire.NetAddress{}, false
	}
	return reportable(wire.NewIPAddress(netip.AddrPortFrom(ip, ap.Port())))
}

// reportable returns a when it is valid, not deprecated Tor v2, and not a
// private or non-unicast IP address.
func reportable(a wire.NetAddress) (wire.NetAddress, bool) {
	if a.Validate() != nil || a.Type == wire.AddressTorV2 {
		return wire.NetAddress{}, false
	}
	if ip, ok := a.IP(); ok && (!ip.IsGlobalUnicast() || ip.IsPrivate()) {
		return wire.NetAddress{}, false
	}
	return a, true
}
