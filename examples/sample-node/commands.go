package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lnkit/lnkit/wire"
)

// commander is what the console's commands ask of the node.
type commander interface {
	nodeInfo(ctx context.Context) (nodeInfoResult, error)
	connectPeer(ctx context.Context, id wire.NodeID, addr string) (connectResult, error)
	disconnectPeer(id wire.NodeID) (disconnectResult, error)
	listPeers() listPeersResult
	signMessage(msg string) (signMessageResult, error)
}

// commands lists the console commands, in help order.
func commands() []commandHelp {
	return []commandHelp{
		{"help", "show this list"},
		{"nodeinfo", "node id, listening address, peer count, best block"},
		{"connectpeer <pubkey>@<host>:<port>", "connect to a Lightning node"},
		{"disconnectpeer <pubkey>", "disconnect a peer"},
		{"listpeers", "connected peers: address, direction, features, connected since"},
		{"signmessage <message>", "sign the rest of the line with the node key (lncli verifymessage checks it)"},
		{"quit", "stop the node"},
	}
}

// notYet lists the commands of ldk-sample that lnkit cannot do yet (they
// need channels, payments or an on-chain wallet): each answers that it is
// not available yet rather than "unknown command".
func notYet() []string {
	return []string{
		"openchannel", "closechannel", "forceclosechannel", "listchannels",
		"sendpayment", "keysend", "listpayments", "getinvoice", "getoffer",
		"sendonionmessage", "newaddress", "getbalance",
	}
}

// errQuit is returned by execute for quit.
var errQuit = errors.New("sample-node: quit")

// execute runs one command line and returns its result. Blank lines give
// (nil, nil); quit gives quitResult and errQuit.
func execute(ctx context.Context, node commander, line string) (result, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil, nil
	}
	name, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	args := strings.Fields(rest)
	switch name {
	case "help":
		return helpResult{Commands: commands(), NotYet: notYet()}, nil
	case "nodeinfo":
		if len(args) != 0 {
			return nil, errors.New("usage: nodeinfo")
		}
		return node.nodeInfo(ctx)
	case "connectpeer":
		if len(args) != 1 {
			return nil, errors.New("usage: connectpeer <pubkey>@<host>:<port>")
		}
		id, addr, err := parsePeerAddress(args[0])
		if err != nil {
			return nil, err
		}
		return node.connectPeer(ctx, id, addr)
	case "disconnectpeer":
		if len(args) != 1 {
			return nil, errors.New("usage: disconnectpeer <pubkey>")
		}
		id, err := wire.ParseNodeID(args[0])
		if err != nil {
			return nil, err
		}
		return node.disconnectPeer(id)
	case "listpeers":
		if len(args) != 0 {
			return nil, errors.New("usage: listpeers")
		}
		return node.listPeers(), nil
	case "signmessage":
		if rest == "" {
			return nil, errors.New("usage: signmessage <message>")
		}
		return node.signMessage(rest)
	case "quit":
		return quitResult{Quit: true}, errQuit
	default:
		if slices.Contains(notYet(), name) {
			return nil, fmt.Errorf("%s is not available yet: lnkit's sample node has no channels, payments or wallet so far (help lists what works)", name)
		}
		return nil, fmt.Errorf("unknown command %q (try help)", name)
	}
}

// parsePeerAddress parses <pubkey>@<host>:<port>.
func parsePeerAddress(s string) (wire.NodeID, string, error) {
	pub, addr, ok := strings.Cut(s, "@")
	if !ok {
		return wire.NodeID{}, "", fmt.Errorf("peer %q: want <pubkey>@<host>:<port>", s)
	}
	id, err := wire.ParseNodeID(pub)
	if err != nil {
		return wire.NodeID{}, "", err
	}
	if _, err := parseHostPort(addr); err != nil {
		return wire.NodeID{}, "", fmt.Errorf("peer address: %w", err)
	}
	return id, addr, nil
}
