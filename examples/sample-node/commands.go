package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
	openChannel(ctx context.Context, req openRequest) (openChannelResult, error)
	closeChannel(ctx context.Context, id wire.ChannelID, peer wire.NodeID, force bool) (closeChannelResult, error)
	listChannels() listChannelsResult
	listClosed() listClosedResult
	claimableBalances() balancesResult
	newAddress(ctx context.Context) (newAddressResult, error)
	getBalance() balanceResult
	sendToAddress(ctx context.Context, addr string, sats int64) (sendResult, error)
	listTransactions() listTransactionsResult
	getInvoice(amount wire.MilliSatoshi, expirySecs uint32, description string) (invoiceResult, error)
	sendPayment(ctx context.Context, invoice string, amount wire.MilliSatoshi) (paymentResult, error)
	keysend(ctx context.Context, payee wire.NodeID, amount wire.MilliSatoshi) (paymentResult, error)
	listPayments(ctx context.Context) (listPaymentsResult, error)
	holdInvoices(on bool) holdResult
	claimPayment(hash wire.PaymentHash) (claimResult, error)
}

// openRequest is a parsed openchannel command.
type openRequest struct {
	Peer        wire.NodeID
	Addr        string
	AmountSat   int64
	Public      bool
	WithAnchors bool
	PushMsat    uint64
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
		{openChannelUsage, "open a channel funded from the wallet (static_remotekey unless --with-anchors)"},
		{"closechannel <channel_id> <peer_pubkey>", "close a channel cooperatively"},
		{"forceclosechannel <channel_id> <peer_pubkey>", "broadcast our commitment; our funds are swept to the wallet after the delay"},
		{"listchannels", "channels with state, balances, reserves, confirmations"},
		{"listclosed", "channels closed since the node started, with the reason"},
		{"claimablebalances", "what each channel may still give us: balances while open, outputs awaiting confirmations, HTLCs at stake on chain"},
		{"newaddress", "a new on-chain address of the wallet"},
		{"getbalance", "the wallet's balance: confirmed, unconfirmed, immature, locked"},
		{"sendtoaddress <address> <amount_sats>", "pay an address from the wallet"},
		{"listtransactions", "the wallet's transactions"},
		{getInvoiceUsage, "an invoice for a payment to this node (amount 0: the payer chooses)"},
		{sendPaymentUsage, "pay an invoice over a channel with its payee; EVENT payment_sent or payment_failed follows"},
		{keysendUsage, "pay a node without an invoice over a channel with it (keysend)"},
		{"listpayments", "payments sent and received, with their status"},
		{"holdinvoices on|off", "on: payments that become claimable are held (listed claimable) until claim; off: claimed at once (the default)"},
		{"claim <payment_hash>", "claim a payment held by holdinvoices on; EVENT payment_claimed follows once the peer takes the fulfill"},
		{"quit", "stop the node"},
	}
}

// notYet lists the commands of ldk-sample that lnkit cannot do yet (they
// need offers or onion messages): each answers that it is not available
// yet rather than "unknown command".
func notYet() []string {
	return []string{"getoffer", "sendonionmessage"}
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
	case "openchannel":
		req, err := parseOpenChannel(args)
		if err != nil {
			return nil, err
		}
		return node.openChannel(ctx, req)
	case "closechannel", "forceclosechannel":
		if len(args) != 2 {
			return nil, fmt.Errorf("usage: %s <channel_id> <peer_pubkey>", name)
		}
		id, err := parseChannelID(args[0])
		if err != nil {
			return nil, err
		}
		peer, err := wire.ParseNodeID(args[1])
		if err != nil {
			return nil, err
		}
		return node.closeChannel(ctx, id, peer, name == "forceclosechannel")
	case "listchannels", "listclosed", "claimablebalances", "getbalance", "listtransactions", "newaddress":
		if len(args) != 0 {
			return nil, fmt.Errorf("usage: %s", name)
		}
		return noArgCommand(ctx, node, name)
	case "sendtoaddress":
		if len(args) != 2 {
			return nil, errors.New("usage: sendtoaddress <address> <amount_sats>")
		}
		sats, err := parseSats(args[1])
		if err != nil {
			return nil, err
		}
		return node.sendToAddress(ctx, args[0], sats)
	case "getinvoice", "sendpayment", "keysend", "listpayments":
		return paymentCommand(ctx, node, name, rest)
	case "holdinvoices":
		if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
			return nil, errors.New("usage: holdinvoices on|off")
		}
		return node.holdInvoices(args[0] == "on"), nil
	case "claim":
		if len(args) != 1 {
			return nil, errors.New("usage: claim <payment_hash>")
		}
		hash, err := parsePaymentHash(strings.ToLower(args[0]))
		if err != nil {
			return nil, fmt.Errorf("claim: payment hash %q: %w (listpayments shows the hashes)", args[0], err)
		}
		return node.claimPayment(hash)
	case "quit":
		return quitResult{Quit: true}, errQuit
	default:
		if slices.Contains(notYet(), name) {
			return nil, fmt.Errorf("%s is not available yet: lnkit's sample node has no offers or onion messages so far (help lists what works)", name)
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

// openChannelUsage is openchannel's usage line.
const openChannelUsage = "openchannel <pubkey>@<host>:<port> <amount_sats> [--public] [--with-anchors] [--push-msat N]"

// noArgCommand runs the commands without arguments that read the node's
// channels or wallet.
func noArgCommand(ctx context.Context, node commander, name string) (result, error) {
	switch name {
	case "listchannels":
		return node.listChannels(), nil
	case "listclosed":
		return node.listClosed(), nil
	case "claimablebalances":
		return node.claimableBalances(), nil
	case "getbalance":
		return node.getBalance(), nil
	case "listtransactions":
		return node.listTransactions(), nil
	default:
		return node.newAddress(ctx)
	}
}

// parseOpenChannel parses openchannel's arguments; the options may come
// anywhere after the command.
func parseOpenChannel(args []string) (openRequest, error) {
	var req openRequest
	var pos []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--public":
			req.Public = true
		case a == "--with-anchors":
			req.WithAnchors = true
		case a == "--push-msat" || strings.HasPrefix(a, "--push-msat="):
			v, ok := strings.CutPrefix(a, "--push-msat=")
			if !ok {
				if i+1 == len(args) {
					return openRequest{}, errors.New("openchannel: --push-msat needs a value in millisatoshis")
				}
				i++
				v = args[i]
			}
			push, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return openRequest{}, fmt.Errorf("openchannel: --push-msat %q: want a whole number of millisatoshis", v)
			}
			req.PushMsat = push
		case strings.HasPrefix(a, "--"):
			return openRequest{}, fmt.Errorf("openchannel: unknown option %q (usage: %s)", a, openChannelUsage)
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		return openRequest{}, errors.New("usage: " + openChannelUsage)
	}
	id, addr, err := parsePeerAddress(pos[0])
	if err != nil {
		return openRequest{}, err
	}
	sats, err := parseSats(pos[1])
	if err != nil {
		return openRequest{}, err
	}
	if req.PushMsat > uint64(sats)*1000 {
		return openRequest{}, fmt.Errorf("openchannel: --push-msat %d is more than the channel's %d sat", req.PushMsat, sats)
	}
	req.Peer, req.Addr, req.AmountSat = id, addr, sats
	return req, nil
}

// maxSats is 21 million bitcoin, in satoshis.
const maxSats = 21_000_000 * 100_000_000

// parseSats parses a positive amount of satoshis.
func parseSats(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 || v > maxSats {
		return 0, fmt.Errorf("amount %q: want a whole number of satoshis, from 1 to %d", s, int64(maxSats))
	}
	return v, nil
}

// parseChannelID parses a channel id: 64 hex characters, as listchannels
// prints it.
func parseChannelID(s string) (wire.ChannelID, error) {
	var id wire.ChannelID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("channel id %q: want 64 hex characters (listchannels shows the ids)", s)
	}
	copy(id[:], b)
	return id, nil
}
