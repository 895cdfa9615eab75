package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/wire"
)

// story prints the demo's narrative: numbered steps, indented details.
type story struct {
	w    io.Writer
	step int
}

func (s *story) title(text string) {
	fmt.Fprintf(s.w, "%s\n%s\n", text, strings.Repeat("=", len(text)))
}

func (s *story) stepf(format string, args ...any) {
	s.step++
	fmt.Fprintf(s.w, "\n%d. %s\n", s.step, fmt.Sprintf(format, args...))
}

func (s *story) say(format string, args ...any) {
	fmt.Fprintf(s.w, "     %s\n", fmt.Sprintf(format, args...))
}

// command shows a command typed into a node's console.
func (s *story) command(node, line string) {
	fmt.Fprintf(s.w, "   %s> %s\n", node, line)
}

// lncli shows an lncli command run against carol.
func (s *story) lncli(args string) {
	fmt.Fprintf(s.w, "   carol$ lncli %s\n", args)
}

// indented returns a writer that indents every line written to it.
func (s *story) indented() io.Writer { return &indentWriter{w: s.w} }

// stopper wraps a stop function so that it reports what it stops.
func (s *story) stopper(name string, pid int, stop func() error) func() error {
	return func() error {
		t := time.Now()
		err := stop()
		status := "stopped"
		if err != nil {
			status = "stopped with error: " + err.Error()
		}
		fmt.Fprintf(s.w, "     %s (pid %d) %s in %s\n", name, pid, status, since(t))
		return err
	}
}

// indentWriter indents each line.
type indentWriter struct{ w io.Writer }

func (iw *indentWriter) Write(p []byte) (int, error) {
	for line := range bytes.Lines(p) {
		if _, err := fmt.Fprintf(iw.w, "     %s", line); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// The sample node's JSON answers (the fields the demo shows).
type (
	feature struct {
		Bit      uint16 `json:"bit"`
		Name     string `json:"name"`
		Required bool   `json:"required"`
	}
	nodeInfo struct {
		NodeID      string    `json:"node_id"`
		Alias       string    `json:"alias"`
		ListeningOn string    `json:"listening_on"`
		NumPeers    int       `json:"num_peers"`
		Features    []feature `json:"features"`
		BestBlock   *struct {
			Height int32  `json:"height"`
			Hash   string `json:"hash"`
		} `json:"best_block"`
	}
	peerEntry struct {
		NodeID         string    `json:"node_id"`
		Address        string    `json:"address"`
		Inbound        bool      `json:"inbound"`
		Features       []feature `json:"features"`
		ConnectedSince time.Time `json:"connected_since"`
	}
	peerList struct {
		Peers []peerEntry `json:"peers"`
	}
)

// featureList formats features as bit numbers, "!" marking required ones.
func featureList(fs []feature) string {
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		s := fmt.Sprint(f.Bit)
		if f.Required {
			s += "!"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ") + " (! = required)"
}

// tellStory drives alice, bob and (if not nil) carol through the demo.
func tellStory(ctx context.Context, s *story, alice, bob *sampleNode, carol *lnd) error {
	names := map[string]string{}
	infos := map[string]nodeInfo{}
	for _, n := range []*sampleNode{alice, bob} {
		var info nodeInfo
		s.command(n.name, "nodeinfo")
		if err := n.run("nodeinfo", &info); err != nil {
			return err
		}
		names[info.NodeID] = n.name
		infos[n.name] = info
		s.say("node id %s, listening on %s", info.NodeID, info.ListeningOn)
		if info.BestBlock != nil {
			s.say("chain: best block %d %s (read from btcd)", info.BestBlock.Height, info.BestBlock.Hash)
		}
		s.say("features %s", featureList(info.Features))
	}
	if carol != nil {
		names[carol.nodeID] = "carol (lnd)"
	}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return id
	}
	listPeers := func(n *sampleNode) ([]peerEntry, error) {
		var pl peerList
		s.command(n.name, "listpeers")
		if err := n.run("listpeers", &pl); err != nil {
			return nil, err
		}
		if len(pl.Peers) == 0 {
			s.say("no peers")
		}
		for _, p := range pl.Peers {
			dir := "outbound"
			if p.Inbound {
				dir = "inbound"
			}
			s.say("%s at %s, %s, connected since %s", name(p.NodeID), p.Address, dir, p.ConnectedSince.Local().Format(time.TimeOnly))
			s.say("  features %s", featureList(p.Features))
		}
		return pl.Peers, nil
	}

	s.stepf("alice connects to bob (BOLT 8 handshake, then init with features)")
	line := "connectpeer " + infos["bob"].NodeID + "@" + infos["bob"].ListeningOn
	s.command("alice", line)
	var conn struct {
		Connected string `json:"connected"`
	}
	if err := alice.run(line, &conn); err != nil {
		return err
	}
	s.say("connected to %s", name(conn.Connected))
	if _, err := listPeers(alice); err != nil {
		return err
	}
	// Bob's side completes the init exchange a moment later.
	for range 50 {
		var pl peerList
		if err := bob.run("listpeers", &pl); err != nil {
			return err
		}
		if len(pl.Peers) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := listPeers(bob); err != nil {
		return err
	}

	s.stepf("alice signs a message with her node key (lnd's signmessage format)")
	const msg = "lnkit demo: hello from alice"
	s.command("alice", "signmessage "+msg)
	var sig struct {
		Signature string `json:"signature"`
	}
	if err := alice.run("signmessage "+msg, &sig); err != nil {
		return err
	}
	s.say("signature %s", sig.Signature)
	aliceID, err := wire.ParseNodeID(infos["alice"].NodeID)
	if err != nil {
		return err
	}
	if err := keys.VerifyMessageFrom([]byte(msg), sig.Signature, aliceID); err != nil {
		return fmt.Errorf("demo: alice's signature does not verify: %w", err)
	}
	s.say("keys.VerifyMessageFrom: signed by alice ✓")
	if carol != nil {
		var v struct {
			Valid  bool   `json:"valid"`
			Pubkey string `json:"pubkey"`
		}
		if err := carol.cliJSON(ctx, &v, "verifymessage", "--msg="+msg, "--sig="+sig.Signature); err != nil {
			return err
		}
		if v.Pubkey != infos["alice"].NodeID {
			return fmt.Errorf("demo: lncli verifymessage recovered %s, not alice", v.Pubkey)
		}
		s.say("lncli verifymessage (carol): pubkey %s = alice ✓", v.Pubkey)
		s.say("  (valid=%v: lnd also wants the signer in its channel graph, and alice has no public channel yet)", v.Valid)

		s.stepf("alice connects to carol, an lnd v0.20 node")
		line := "connectpeer " + carol.nodeID + "@" + carol.p2pAddr
		s.command("alice", line)
		if err := alice.run(line, &conn); err != nil {
			return err
		}
		s.say("connected to %s", name(conn.Connected))
		if _, err := listPeers(alice); err != nil {
			return err
		}
		var lp struct {
			Peers []struct {
				PubKey   string `json:"pub_key"`
				Address  string `json:"address"`
				Inbound  bool   `json:"inbound"`
				Features map[string]struct {
					Name       string `json:"name"`
					IsRequired bool   `json:"is_required"`
				} `json:"features"`
			} `json:"peers"`
		}
		fmt.Fprintf(s.w, "   carol$ lncli listpeers\n")
		if err := carol.cliJSON(ctx, &lp, "listpeers"); err != nil {
			return err
		}
		for _, p := range lp.Peers {
			var fs []string
			for _, f := range p.Features {
				fs = append(fs, f.Name)
			}
			s.say("%s at %s, inbound=%v, features %s", name(p.PubKey), p.Address, p.Inbound, strings.Join(sorted(fs), ", "))
		}
	}

	s.stepf("bob disconnects from alice")
	line = "disconnectpeer " + infos["alice"].NodeID
	s.command("bob", line)
	var dis struct {
		Disconnected string `json:"disconnected"`
	}
	if err := bob.run(line, &dis); err != nil {
		return err
	}
	s.say("disconnected from %s", name(dis.Disconnected))
	for range 50 {
		var pl peerList
		if err := alice.run("listpeers", &pl); err != nil {
			return err
		}
		if !hasPeer(pl.Peers, infos["bob"].NodeID) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := listPeers(alice); err != nil {
		return err
	}
	return nil
}

// hasPeer reports whether peers lists the node id.
func hasPeer(peers []peerEntry, id string) bool {
	for _, p := range peers {
		if p.NodeID == id {
			return true
		}
	}
	return false
}

// sorted returns s sorted.
func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
