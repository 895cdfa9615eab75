package peer

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/peer/noise"
	"github.com/lnkit/lnkit/wire"
)

// ReadEvent processes bytes received on d: handshake acts, then encrypted
// messages, which are handled (pings answered, init checked, messages passed
// to the handlers) before ReadEvent returns. It may call d.SendData.
//
// pause reports that the peer's send buffer is over Config.PauseReadBytes:
// the caller should stop reading from d until SendData is called with
// resumeRead set. An error means the connection is closed (see the package
// documentation); the caller must not call ReadEvent for d again.
func (m *Manager) ReadEvent(d Descriptor, data []byte) (pause bool, err error) {
	c := m.lookup(d)
	if c == nil {
		d.Disconnect()
		return false, ErrUnknownDescriptor
	}
	var drops []Descriptor
	c.mu.Lock()
	if c.state == stateClosed {
		c.mu.Unlock()
		d.Disconnect()
		return false, ErrUnknownDescriptor
	}
	err = m.readLocked(c, data, &drops)
	if err == nil {
		m.flushLocked(c)
		if c.pending() > m.cfg.PauseReadBytes {
			c.readPaused, pause = true, true
		}
	} else {
		m.closeLocked(c, err, true)
	}
	c.mu.Unlock()
	if err != nil {
		m.forget(c)
		drops = append(drops, d)
	}
	for _, x := range drops {
		x.Disconnect()
	}
	return pause, err
}

// WriteBufferSpaceAvailable tells the Manager that d can take data again
// after SendData accepted less than offered. The Manager hands it what is
// pending (and resumes reading if it had paused it).
func (m *Manager) WriteBufferSpaceAvailable(d Descriptor) error {
	c := m.lookup(d)
	if c == nil {
		d.Disconnect()
		return ErrUnknownDescriptor
	}
	c.mu.Lock()
	if c.state == stateClosed {
		c.mu.Unlock()
		d.Disconnect()
		return ErrUnknownDescriptor
	}
	c.blocked = false
	m.flushLocked(c)
	c.mu.Unlock()
	return nil
}

// flushLocked hands pending ciphertext to the Descriptor, topping it up with
// queued gossip, until everything is sent or the Descriptor is full.
func (m *Manager) flushLocked(c *conn) {
	if c.cipher == nil && c.pending() == 0 {
		return
	}
	gossipTarget := m.cfg.PauseReadBytes / 2
	for !c.blocked {
		if c.cipher != nil && c.state == stateConnected {
			c.moveGossip(c.cipher, gossipTarget)
		}
		pending := c.pending()
		if pending == 0 {
			if c.readPaused {
				c.readPaused = false
				c.desc.SendData(nil, true)
			}
			break
		}
		resume := c.readPaused && pending <= m.cfg.PauseReadBytes
		if resume {
			c.readPaused = false
		}
		n := c.desc.SendData(c.wbuf[c.woff:], resume)
		n = max(0, min(n, pending))
		c.woff += n
		if n < pending {
			c.blocked = true
		}
	}
	c.compact()
}

// readLocked consumes data: handshake acts, then frames.
func (m *Manager) readLocked(c *conn, data []byte, drops *[]Descriptor) error {
	for len(data) > 0 {
		switch c.state {
		case stateActOne, stateActTwo, stateActThree:
			need := actSize(c.state)
			k := copy(c.act[c.actN:need], data)
			c.actN += k
			data = data[k:]
			if c.actN < need {
				return nil
			}
			c.actN = 0
			if err := m.handshakeStep(c, c.act[:need], drops); err != nil {
				return err
			}
		case stateInit, stateConnected:
			n, msg, err := c.dec.Decode(data)
			data = data[n:]
			if err != nil {
				return fmt.Errorf("%w: %w", ErrTransport, err)
			}
			if msg != nil {
				if err := m.handleMessage(c, msg); err != nil {
					return err
				}
			}
		default:
			return ErrUnknownDescriptor
		}
	}
	return nil
}

// handshakeStep processes one complete act.
func (m *Manager) handshakeStep(c *conn, act []byte, drops *[]Descriptor) error {
	switch c.state {
	case stateActOne:
		act2, err := c.responder.ProcessActOne(act)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrHandshake, err)
		}
		c.appendRaw(act2[:])
		c.state = stateActThree
		return nil
	case stateActTwo:
		act3, err := c.initiator.ProcessActTwo(act)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrHandshake, err)
		}
		cipher, err := c.initiator.Cipher()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrHandshake, err)
		}
		c.appendRaw(act3[:])
		return m.transportUp(c, cipher, drops)
	default: // stateActThree
		id, err := c.responder.ProcessActThree(act)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrHandshake, err)
		}
		cipher, err := c.responder.Cipher()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrHandshake, err)
		}
		c.id = id
		return m.transportUp(c, cipher, drops)
	}
}

// transportUp installs the transport cipher, claims the node id and sends
// our init.
func (m *Manager) transportUp(c *conn, cipher *noise.Cipher, drops *[]Descriptor) error {
	c.initiator, c.responder = nil, nil
	clear(c.act[:])
	c.cipher = cipher
	c.dec = noise.NewDecoder(cipher)
	c.state = stateInit
	if err := m.claimNodeID(c, drops); err != nil {
		return err
	}
	m.log.Debug("peer: handshake complete", "node_id", c.id, "inbound", c.inbound)
	return c.encrypt(c.cipher, m.ourInit(c), m.cfg.MaxSendBufferBytes)
}

// queue encrypts m into c's send buffer.
func (m *Manager) queue(c *conn, msg wire.Message) error {
	return c.encrypt(c.cipher, msg, m.cfg.MaxSendBufferBytes)
}

// warn queues a warning for all channels, to explain a disconnection. It
// does nothing before the peer's init (BOLT 1: nothing but init may be sent
// before it is received).
func (m *Manager) warn(c *conn, text string) {
	if c.state != stateConnected && c.theirInit == nil {
		return
	}
	_ = m.queue(c, &wire.Warning{Data: []byte(text)})
}

// sendError queues an error message for all channels (channel_id zero), to
// explain a disconnection the peer cannot recover from. Like warn, it does
// nothing before the peer's init.
func (m *Manager) sendError(c *conn, text string) {
	if c.state != stateConnected && c.theirInit == nil {
		return
	}
	_ = m.queue(c, &wire.Error{Data: []byte(text)})
}

// handleMessage handles one decrypted message.
func (m *Manager) handleMessage(c *conn, plain []byte) error {
	c.recvSinceTick = true
	msg, err := wire.Decode(plain)
	if c.state == stateInit {
		return m.handleFirstMessage(c, msg, err)
	}
	if err != nil {
		m.warn(c, "lnkit: cannot decode message: "+err.Error())
		return fmt.Errorf("%w: %w", ErrMalformedMessage, err)
	}
	switch msg := msg.(type) {
	case *wire.Ping:
		if msg.WantsPong() {
			return m.queue(c, &wire.Pong{IgnoredLen: msg.NumPongBytes})
		}
		return nil
	case *wire.Pong:
		if !c.pingOut {
			m.log.Debug("peer: unsolicited pong ignored", "node_id", c.id)
			return nil
		}
		if msg.IgnoredLen != c.pongLen {
			m.warn(c, fmt.Sprintf("lnkit: pong has %d bytes, ping asked for %d", msg.IgnoredLen, c.pongLen))
			return fmt.Errorf("%w: got %d bytes, want %d", ErrBadPong, msg.IgnoredLen, c.pongLen)
		}
		c.pingOut, c.pingTicks = false, 0
		return nil
	case *wire.Init:
		m.warn(c, "lnkit: second init")
		return ErrDuplicateInit
	case *wire.Unknown:
		m.log.Debug("peer: unknown odd message ignored", "node_id", c.id, "type", uint16(msg.MsgType))
		return nil
	case *wire.Custom:
		if err := m.cfg.CustomHandler.HandleCustomMessage(c.id, msg); err != nil {
			if errors.Is(err, wire.ErrUnknownMessage) {
				m.warn(c, fmt.Sprintf("lnkit: unknown message type %d", uint16(msg.MsgType)))
			}
			return fmt.Errorf("%w: %w", ErrHandler, err)
		}
		return nil
	case *wire.Error:
		m.log.Info("peer: error message received", "node_id", c.id, "channel_id", msg.ChannelID, "text", msg.Text())
		if err := m.cfg.ChannelHandler.HandleChannelMessage(c.id, msg); err != nil {
			return fmt.Errorf("%w: %w", ErrHandler, err)
		}
		if msg.ChannelID.IsAll() {
			return fmt.Errorf("%w: %q", ErrRemoteError, msg.Text())
		}
		return nil
	case *wire.Warning:
		m.log.Info("peer: warning received", "node_id", c.id, "channel_id", msg.ChannelID, "text", msg.Text())
	}
	var handlerErr error
	if isGossip(msg.Type()) {
		handlerErr = m.cfg.RoutingHandler.HandleRoutingMessage(c.id, msg)
	} else {
		handlerErr = m.cfg.ChannelHandler.HandleChannelMessage(c.id, msg)
	}
	if handlerErr != nil {
		return fmt.Errorf("%w: %w", ErrHandler, handlerErr)
	}
	return nil
}

// handleFirstMessage handles the first message, which must be init.
func (m *Manager) handleFirstMessage(c *conn, msg wire.Message, decodeErr error) error {
	if decodeErr != nil {
		var de *wire.DecodeError
		if errors.As(decodeErr, &de) && de.Type == wire.MsgInit {
			return fmt.Errorf("%w: %w", ErrMalformedMessage, decodeErr)
		}
		return fmt.Errorf("%w: %w", ErrNoInit, decodeErr)
	}
	switch msg := msg.(type) {
	case *wire.Init:
		return m.handleInit(c, msg)
	case *wire.Error:
		return fmt.Errorf("%w: got error %q", ErrNoInit, msg.Text())
	case *wire.Warning:
		return fmt.Errorf("%w: got warning %q", ErrNoInit, msg.Text())
	default:
		return fmt.Errorf("%w: got %v", ErrNoInit, msg.Type())
	}
}

// isGossip reports whether t is a BOLT 7 message, owned by the
// RoutingMessageHandler. announcement_signatures is BOLT 7's but goes
// to the ChannelMessageHandler: only a channel's endpoints exchange it,
// and the channel manager holds the funding key that answers it.
func isGossip(t wire.MessageType) bool {
	return t >= 256 && t < 512 && t != wire.MsgAnnouncementSignatures
}
