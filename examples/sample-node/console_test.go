package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// fakeNode is a commander that records its calls.
type fakeNode struct {
	calls []string
}

func (f *fakeNode) nodeInfo(context.Context) (nodeInfoResult, error) {
	f.calls = append(f.calls, "nodeinfo")
	return nodeInfoResult{NodeID: "02aa", Network: "regtest", ListeningOn: "127.0.0.1:9735", NumPeers: 1,
		Features:  featureBits(wire.NewFeatureVector(wire.DataLossProtectRequired, 101)),
		BestBlock: &blockResult{Height: 7, Hash: "00ff"}}, nil
}

func (f *fakeNode) connectPeer(_ context.Context, id wire.NodeID, addr string) (connectResult, error) {
	f.calls = append(f.calls, "connectpeer "+id.String()+" "+addr)
	return connectResult{Connected: id.String(), Address: addr}, nil
}

func (f *fakeNode) disconnectPeer(id wire.NodeID) (disconnectResult, error) {
	f.calls = append(f.calls, "disconnectpeer "+id.String())
	return disconnectResult{}, errors.New("not connected to " + id.String())
}

func (f *fakeNode) listPeers() listPeersResult {
	f.calls = append(f.calls, "listpeers")
	return listPeersResult{Peers: []peerResult{}}
}

func (f *fakeNode) signMessage(msg string) (signMessageResult, error) {
	f.calls = append(f.calls, "signmessage "+msg)
	return signMessageResult{Signature: "sig"}, nil
}

func (f *fakeNode) openChannel(_ context.Context, req openRequest) (openChannelResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("openchannel %s %s %d public=%v anchors=%v push=%d",
		req.Peer, req.Addr, req.AmountSat, req.Public, req.WithAnchors, req.PushMsat))
	return openChannelResult{TemporaryChannelID: "00", Counterparty: req.Peer.String(), CapacitySat: req.AmountSat}, nil
}

func (f *fakeNode) closeChannel(_ context.Context, id wire.ChannelID, peer wire.NodeID, force bool) (closeChannelResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("closechannel %s %s force=%v", id, peer, force))
	return closeChannelResult{ChannelID: id.String(), Status: "closing"}, nil
}

func (f *fakeNode) listChannels() listChannelsResult {
	f.calls = append(f.calls, "listchannels")
	return listChannelsResult{Channels: []channelResult{}}
}

func (f *fakeNode) listClosed() listClosedResult {
	f.calls = append(f.calls, "listclosed")
	return listClosedResult{Closed: []closedResult{}}
}

func (f *fakeNode) claimableBalances() balancesResult {
	f.calls = append(f.calls, "claimablebalances")
	return balancesResult{Balances: []claimableBalance{{ChannelID: "00", Kind: "maybe-timeout", AmountSat: 5, Height: 7, PaymentHash: "ab"}}, TotalSat: 5}
}

func (f *fakeNode) newAddress(context.Context) (newAddressResult, error) {
	f.calls = append(f.calls, "newaddress")
	return newAddressResult{Address: "bcrt1q"}, nil
}

func (f *fakeNode) getBalance() balanceResult {
	f.calls = append(f.calls, "getbalance")
	return balanceResult{ConfirmedSat: 5, TotalSat: 5}
}

func (f *fakeNode) sendToAddress(_ context.Context, addr string, sats int64) (sendResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("sendtoaddress %s %d", addr, sats))
	return sendResult{Txid: "ab"}, nil
}

func (f *fakeNode) listTransactions() listTransactionsResult {
	f.calls = append(f.calls, "listtransactions")
	return listTransactionsResult{Transactions: []transactionResult{}}
}

func (f *fakeNode) getInvoice(amount wire.MilliSatoshi, expirySecs uint32, description string) (invoiceResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("getinvoice %d %d %q", amount, expirySecs, description))
	return invoiceResult{Invoice: "lnbcrt1", PaymentHash: "hh", AmountMsat: uint64(amount), ExpirySecs: uint64(expirySecs)}, nil
}

func (f *fakeNode) sendPayment(_ context.Context, inv string, amount wire.MilliSatoshi) (paymentResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("sendpayment %s %d", inv, amount))
	return paymentResult{PaymentID: "ii", PaymentHash: "hh", AmountMsat: uint64(amount), Status: "pending"}, nil
}

func (f *fakeNode) keysend(_ context.Context, payee wire.NodeID, amount wire.MilliSatoshi) (paymentResult, error) {
	f.calls = append(f.calls, fmt.Sprintf("keysend %s %d", payee, amount))
	return paymentResult{PaymentID: "ii", PaymentHash: "hh", AmountMsat: uint64(amount), Status: "pending"}, nil
}

func (f *fakeNode) holdInvoices(on bool) holdResult {
	f.calls = append(f.calls, fmt.Sprintf("holdinvoices %v", on))
	return holdResult{Hold: on}
}

func (f *fakeNode) claimPayment(hash wire.PaymentHash) (claimResult, error) {
	f.calls = append(f.calls, "claim "+hash.String())
	return claimResult{PaymentHash: hash.String(), Status: "claiming"}, nil
}

func (f *fakeNode) listPayments(context.Context) (listPaymentsResult, error) {
	f.calls = append(f.calls, "listpayments")
	return listPaymentsResult{Payments: []paymentEntry{}}, nil
}

// testNodeID is a valid compressed public key (the secp256k1 generator).
const testNodeID = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"

func runConsole(t *testing.T, input string, jsonOut bool) (*fakeNode, string) {
	t.Helper()
	f, out, errOut := runConsoleSplit(t, input, jsonOut)
	require.Empty(t, errOut, "nothing on stderr in --json mode")
	return f, out
}

// runConsoleSplit runs the console and returns what went to stdout and to
// stderr.
func runConsoleSplit(t *testing.T, input string, jsonOut bool) (f *fakeNode, out, errOut string) {
	t.Helper()
	f = &fakeNode{}
	var o, e bytes.Buffer
	c := console{node: f, in: strings.NewReader(input), out: printer{w: &o, errW: &e, json: jsonOut}}
	c.run(context.Background())
	return f, o.String(), e.String()
}

func TestConsoleJSON(t *testing.T) {
	input := strings.Join([]string{
		"help",
		"",
		"   ",
		"nodeinfo",
		"nodeinfo extra",
		"connectpeer " + testNodeID + "@127.0.0.1:9735",
		"connectpeer " + testNodeID,
		"connectpeer nothex@127.0.0.1:1",
		"disconnectpeer " + testNodeID,
		"disconnectpeer",
		"listpeers",
		"signmessage   hello   lightning  ",
		"signmessage",
		"frobnicate",
		"openchannel " + testNodeID + " 100000",
		"getoffer",
		"quit",
		"nodeinfo", // after quit: never run
	}, "\n")
	f, out := runConsole(t, input, true)

	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	want := []string{
		`"commands"`, `"node_id":"02aa"`, `usage: nodeinfo`, `"connected":"` + testNodeID, `want <pubkey>@<host>:<port>`,
		`{"error":"wire: node id \"nothex\" is 6 characters, want 66 hex characters"}`, `not connected to`,
		`usage: disconnectpeer`, `{"peers":[]}`, `{"signature":"sig"}`,
		`usage: signmessage`, `unknown command \"frobnicate\"`, `want <pubkey>@<host>:<port>`, `getoffer is not available yet`, `{"quit":true}`,
	}
	require.Len(t, lines, len(want), out)
	for i, line := range lines {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &v), "line %d: %s", i, line)
		require.Contains(t, line, want[i], "line %d", i)
	}
	require.Equal(t, []string{
		"nodeinfo",
		"connectpeer " + testNodeID + " 127.0.0.1:9735",
		"disconnectpeer " + testNodeID,
		"listpeers",
		"signmessage hello   lightning",
	}, f.calls)
}

func TestConsoleText(t *testing.T) {
	_, out, errOut := runConsoleSplit(t, "nodeinfo\nlistpeers\nbogus\nsignmessage hi\ngetoffer\nhelp\n", false)
	require.Contains(t, out, "node_id:      02aa\n")
	require.Contains(t, out, "best_block:   7 00ff\n")
	require.Contains(t, out, "data_loss_protect(0)!")
	require.Contains(t, out, "unknown(101)")
	require.Contains(t, out, "no peers\n")
	require.Contains(t, out, "signature: sig\n")
	require.Contains(t, out, "not available yet: getoffer, sendonionmessage")
	require.Contains(t, out, "  "+sendPaymentUsage+"  ")
	require.False(t, strings.HasPrefix(out, "> ") || strings.Contains(out, "\n> "), "not a terminal: no prompt")
	require.NotContains(t, out, "ERROR", "errors go to stderr in text mode")
	require.Equal(t, "ERROR: unknown command \"bogus\" (try help)\n"+
		"ERROR: getoffer is not available yet: lnkit's sample node has no offers or onion messages so far (help lists what works)\n", errOut)
}

func TestConnectResultText(t *testing.T) {
	tests := []struct {
		r    connectResult
		want string
	}{
		{connectResult{Connected: "02aa", Address: "1.2.3.4:9735"}, "SUCCESS: connected to peer 02aa at 1.2.3.4:9735\n"},
		{connectResult{Connected: "02aa", Address: "1.2.3.4:9735", AlreadyConnected: true}, "already connected to peer 02aa at 1.2.3.4:9735\n"},
	}
	for _, tc := range tests {
		var b bytes.Buffer
		tc.r.writeText(&b)
		require.Equal(t, tc.want, b.String())
	}
}

func TestNotYetCommandsAreNotCommands(t *testing.T) {
	for _, name := range notYet() {
		for _, c := range commands() {
			require.False(t, strings.HasPrefix(c.Usage, name+" ") || c.Usage == name, "%s is built: drop it from notYet", name)
		}
		_, err := execute(context.Background(), &fakeNode{}, name)
		require.ErrorContains(t, err, name+" is not available yet")
	}
}

func TestConsolePrompt(t *testing.T) {
	f := &fakeNode{}
	var out bytes.Buffer
	c := console{node: f, in: strings.NewReader("listpeers\n"), out: printer{w: &out}, prompt: true}
	c.run(context.Background())
	require.Equal(t, "> no peers\n> ", out.String())
}

func TestConsoleStopsOnContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pr, pw := ioPipe()
	defer pw.Close()
	c := console{node: &fakeNode{}, in: pr, out: printer{w: &bytes.Buffer{}}}
	c.run(ctx) // returns although the input never ends
}

// TestConsoleLineTooLong: an over-long line is refused with a message and
// the console goes on with the next line.
func TestConsoleLineTooLong(t *testing.T) {
	tests := []struct {
		name  string
		input string
		calls int // listpeers answered
	}{
		{"2,000,000 bytes", "listpeers\n" + strings.Repeat("x", 2_000_000) + "\nlistpeers\n", 2},
		{"one byte over", "listpeers\n" + strings.Repeat("x", maxLineBytes+1) + "\r\nlistpeers", 2},
		{"last line, no newline", "listpeers\n" + strings.Repeat("x", maxLineBytes+1), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, out := runConsole(t, tc.input, true)
			sc := bufio.NewScanner(strings.NewReader(out))
			var lines []string
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			require.Len(t, lines, tc.calls+1)
			require.Equal(t, `{"error":"sample-node: input line longer than 1048576 bytes refused"}`, lines[1])
			require.Len(t, f.calls, tc.calls)
		})
	}
	// A line of exactly maxLineBytes is a line like any other.
	f, out := runConsole(t, "signmessage "+strings.Repeat("y", maxLineBytes-len("signmessage "))+"\n", true)
	require.Equal(t, "{\"signature\":\"sig\"}\n", out)
	require.Len(t, f.calls, 1)
}

// ioPipe is io.Pipe; a function so the test reads clearly.
func ioPipe() (*io.PipeReader, *io.PipeWriter) { return io.Pipe() }

func TestIsTerminal(t *testing.T) {
	require.False(t, isTerminal(strings.NewReader("")))
	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	require.False(t, isTerminal(null), "/dev/null is a character device but not a terminal")
	f, err := os.CreateTemp(t.TempDir(), "in")
	require.NoError(t, err)
	defer f.Close()
	require.False(t, isTerminal(f))
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	defer pr.Close()
	defer pw.Close()
	require.False(t, isTerminal(pr))
}

// TestChannelAndWalletCommands: the new commands parse their arguments
// and refuse bad input with a message that says what to do.
func TestChannelAndWalletCommands(t *testing.T) {
	chanID := strings.Repeat("ab", 32)
	tests := []struct {
		line string
		call string // the node call, "" when the line is refused
		err  string
	}{
		{"openchannel " + testNodeID + "@127.0.0.1:9735 100000", "openchannel " + testNodeID + " 127.0.0.1:9735 100000 public=false anchors=false push=0", ""},
		{"openchannel " + testNodeID + "@h:1 200000 --public --with-anchors --push-msat 5000", "openchannel " + testNodeID + " h:1 200000 public=true anchors=true push=5000", ""},
		{"openchannel --push-msat=7 " + testNodeID + "@h:1 200000", "openchannel " + testNodeID + " h:1 200000 public=false anchors=false push=7", ""},
		{"openchannel " + testNodeID + "@h:1", "", "usage: openchannel"},
		{"openchannel " + testNodeID + "@h:1 lots", "", `amount "lots": want a whole number of satoshis`},
		{"openchannel " + testNodeID + "@h:1 0", "", "want a whole number of satoshis"},
		{"openchannel " + testNodeID + "@h:1 100 --push-msat 100001", "", "more than the channel's 100 sat"},
		{"openchannel " + testNodeID + "@h:1 100 --push-msat", "", "--push-msat needs a value"},
		{"openchannel " + testNodeID + "@h:1 100 --zeroconf", "", `unknown option "--zeroconf"`},
		{"openchannel 02ab@h:1 100", "", "node id"},
		{"closechannel " + chanID + " " + testNodeID, "closechannel " + chanID + " " + testNodeID + " force=false", ""},
		{"forceclosechannel " + chanID + " " + testNodeID, "closechannel " + chanID + " " + testNodeID + " force=true", ""},
		{"closechannel " + chanID, "", "usage: closechannel <channel_id> <peer_pubkey>"},
		{"closechannel abc " + testNodeID, "", "want 64 hex characters (listchannels shows the ids)"},
		{"forceclosechannel " + chanID + " 02", "", "node id"},
		{"listchannels", "listchannels", ""},
		{"listchannels all", "", "usage: listchannels"},
		{"listclosed", "listclosed", ""},
		{"claimablebalances", "claimablebalances", ""},
		{"claimablebalances all", "", "usage: claimablebalances"},
		{"newaddress", "newaddress", ""},
		{"getbalance", "getbalance", ""},
		{"listtransactions", "listtransactions", ""},
		{"sendtoaddress bcrt1qxyz 1000", "sendtoaddress bcrt1qxyz 1000", ""},
		{"sendtoaddress bcrt1qxyz", "", "usage: sendtoaddress"},
		{"sendtoaddress bcrt1qxyz -5", "", "want a whole number of satoshis"},
		{"sendtoaddress bcrt1qxyz 2100000000000001", "", "want a whole number of satoshis"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			f := &fakeNode{}
			r, err := execute(context.Background(), f, tc.line)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.Empty(t, f.calls)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, r)
			require.Equal(t, []string{tc.call}, f.calls)
		})
	}
}
