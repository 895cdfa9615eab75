package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lnkit/lnkit/wire"
)

// result is what a command prints: a JSON object in --json mode (the
// struct's json tags), human-readable text otherwise.
type result interface {
	// writeText prints the result for a person.
	writeText(w io.Writer)
}

// printer writes command results and errors in the chosen format: one JSON
// object per line on w (errors included, so that the stream stays one
// object per line), or text, with errors on errW.
type printer struct {
	w    io.Writer
	errW io.Writer // text mode's errors; w when nil
	json bool
}

// result prints r.
func (p printer) result(r result) {
	if p.json {
		p.writeJSON(r)
		return
	}
	r.writeText(p.w)
}

// error prints err as {"error": "..."} on w, or "ERROR: ..." on errW.
func (p printer) error(err error) {
	if p.json {
		p.writeJSON(errorResult{Error: err.Error()})
		return
	}
	w := p.errW
	if w == nil {
		w = p.w
	}
	fmt.Fprintf(w, "ERROR: %v\n", err)
}

// writeJSON prints v on one line (without HTML escaping: the output is for
// scripts, and "<" reads better than "\u003c").
func (p printer) writeJSON(v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		b.Reset()
		_ = enc.Encode(errorResult{Error: "sample-node: encoding result: " + err.Error()})
	}
	_, _ = p.w.Write(b.Bytes())
}

// errorResult is a failed command in --json mode.
type errorResult struct {
	Error string `json:"error"`
}

// helpResult lists the commands.
type helpResult struct {
	Commands []commandHelp `json:"commands"`
	// NotYet lists ldk-sample's commands that lnkit cannot do yet.
	NotYet []string `json:"not_available_yet"`
}

// commandHelp describes one command.
type commandHelp struct {
	Usage       string `json:"usage"`
	Description string `json:"description"`
}

func (r helpResult) writeText(w io.Writer) {
	width := 0
	for _, c := range r.Commands {
		width = max(width, len(c.Usage))
	}
	for _, c := range r.Commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.Usage, c.Description)
	}
	if len(r.NotYet) > 0 {
		fmt.Fprintf(w, "not available yet: %s\n", strings.Join(r.NotYet, ", "))
	}
}

// nodeInfoResult is the answer of nodeinfo.
type nodeInfoResult struct {
	NodeID        string   `json:"node_id"`
	Alias         string   `json:"alias,omitempty"`
	Network       string   `json:"network"`
	ListeningOn   string   `json:"listening_on"`
	AnnounceAddrs []string `json:"announce_addrs,omitempty"`
	NumPeers      int      `json:"num_peers"`
	// NumChannels, NumUsableChannels and LocalBalanceMsat sum up our
	// channels, as ldk-sample's nodeinfo does.
	NumChannels       int    `json:"num_channels"`
	NumUsableChannels int    `json:"num_usable_channels"`
	LocalBalanceMsat  uint64 `json:"local_balance_msat"`
	// GraphNodes and GraphChannels are the size of our network graph.
	GraphNodes    int          `json:"graph_nodes"`
	GraphChannels int          `json:"graph_channels"`
	Features      []featureBit `json:"features"`
	BestBlock     *blockResult `json:"best_block,omitempty"`
	// SyncedTo is the block the channel manager processed last (it
	// trails BestBlock until the next poll of the chain).
	SyncedTo blockResult `json:"synced_to"`
	// BestBlockError says why BestBlock is missing (chain daemon
	// unreachable).
	BestBlockError string `json:"best_block_error,omitempty"`
}

// blockResult identifies a block.
type blockResult struct {
	Height int32  `json:"height"`
	Hash   string `json:"hash"`
}

func (r nodeInfoResult) writeText(w io.Writer) {
	fmt.Fprintf(w, "node_id:      %s\n", r.NodeID)
	if r.Alias != "" {
		fmt.Fprintf(w, "alias:        %s\n", r.Alias)
	}
	fmt.Fprintf(w, "network:      %s\n", r.Network)
	fmt.Fprintf(w, "listening_on: %s\n", r.ListeningOn)
	if len(r.AnnounceAddrs) > 0 {
		fmt.Fprintf(w, "announcing:   %s\n", strings.Join(r.AnnounceAddrs, " "))
	}
	fmt.Fprintf(w, "peers:        %d\n", r.NumPeers)
	fmt.Fprintf(w, "channels:     %d (%d usable), local balance %d msat\n", r.NumChannels, r.NumUsableChannels, r.LocalBalanceMsat)
	fmt.Fprintf(w, "graph:        %d nodes, %d channels\n", r.GraphNodes, r.GraphChannels)
	fmt.Fprintf(w, "features:     %s\n", featuresText(r.Features))
	switch {
	case r.BestBlock != nil:
		fmt.Fprintf(w, "best_block:   %d %s\n", r.BestBlock.Height, r.BestBlock.Hash)
	case r.BestBlockError != "":
		fmt.Fprintf(w, "best_block:   unavailable: %s\n", r.BestBlockError)
	}
}

// featureBit is one feature bit of a peer or of this node.
type featureBit struct {
	Bit      uint16 `json:"bit"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Known    bool   `json:"known"`
}

// featureBits lists the bits set in f, lowest first.
func featureBits(f wire.FeatureVector) []featureBit {
	bits := f.Bits()
	out := make([]featureBit, 0, len(bits))
	for _, b := range bits {
		name := b.Name()
		out = append(out, featureBit{Bit: uint16(b), Name: name, Required: b.IsRequired(), Known: name != ""})
	}
	return out
}

// featuresText formats feature bits as "name(bit)", required ones marked.
func featuresText(bits []featureBit) string {
	parts := make([]string, 0, len(bits))
	for _, b := range bits {
		name := b.Name
		if name == "" {
			name = "unknown"
		}
		s := fmt.Sprintf("%s(%d)", name, b.Bit)
		if b.Required {
			s += "!"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ") + "  (! = required)"
}

// peerResult is one connected peer.
type peerResult struct {
	NodeID         string       `json:"node_id"`
	Address        string       `json:"address"`
	Inbound        bool         `json:"inbound"`
	Features       []featureBit `json:"features"`
	ConnectedSince time.Time    `json:"connected_since"`
}

// listPeersResult is the answer of listpeers.
type listPeersResult struct {
	Peers []peerResult `json:"peers"`
}

func (r listPeersResult) writeText(w io.Writer) {
	if len(r.Peers) == 0 {
		fmt.Fprintln(w, "no peers")
		return
	}
	for _, p := range r.Peers {
		dir := "outbound"
		if p.Inbound {
			dir = "inbound"
		}
		fmt.Fprintf(w, "%s@%s %s, connected since %s\n", p.NodeID, p.Address, dir,
			p.ConnectedSince.Format(time.RFC3339))
		fmt.Fprintf(w, "    features: %s\n", featuresText(p.Features))
	}
}

// connectResult is the answer of connectpeer.
type connectResult struct {
	Connected string `json:"connected"`
	Address   string `json:"address"`
	// AlreadyConnected reports that the peer was connected before the
	// command (Address is then the existing connection's).
	AlreadyConnected bool `json:"already_connected,omitempty"`
}

func (r connectResult) writeText(w io.Writer) {
	if r.AlreadyConnected {
		fmt.Fprintf(w, "already connected to peer %s at %s\n", r.Connected, r.Address)
		return
	}
	fmt.Fprintf(w, "SUCCESS: connected to peer %s at %s\n", r.Connected, r.Address)
}

// disconnectResult is the answer of disconnectpeer.
type disconnectResult struct {
	Disconnected string `json:"disconnected"`
}

func (r disconnectResult) writeText(w io.Writer) {
	fmt.Fprintf(w, "SUCCESS: disconnected from peer %s\n", r.Disconnected)
}

// signMessageResult is the answer of signmessage.
type signMessageResult struct {
	Signature string `json:"signature"`
}

func (r signMessageResult) writeText(w io.Writer) {
	fmt.Fprintf(w, "signature: %s\n", r.Signature)
}

// quitResult acknowledges quit (text mode prints nothing).
type quitResult struct {
	Quit bool `json:"quit"`
}

func (quitResult) writeText(io.Writer) {}
