package wire

// MaxPongBytes is the largest num_pong_bytes a ping can ask for: a pong
// carrying 65531 ignored bytes fills a whole message. Pings asking for more
// (65532 and up) must be ignored, not answered (BOLT 1).
const MaxPongBytes = 65531

// Ping is the ping message (BOLT 1, type 18). The ignored bytes carry no
// information, so only their count is kept, and they are always sent as
// zeros, as BOLT 1 asks (this also rules out leaking memory through them).
type Ping struct {
	// NumPongBytes is the number of ignored bytes the pong must carry.
	NumPongBytes uint16
	// IgnoredLen is the number of ignored (zero) bytes in the ping.
	IgnoredLen uint16
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *Ping) Type() MessageType { return MsgPing }

// WantsPong reports whether the ping must be answered: num_pong_bytes is
// below 65532.
func (m *Ping) WantsPong() bool { return m.NumPongBytes <= MaxPongBytes }

// Encode implements Message.
func (m *Ping) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("ping", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = appendU16(b, m.NumPongBytes)
	b = appendU16(b, m.IgnoredLen)
	b = append(b, make([]byte, m.IgnoredLen)...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *Ping) Decode(payload []byte) error {
	*m = Ping{}
	r := newReader(MsgPing, payload)
	m.NumPongBytes = r.u16("num_pong_bytes")
	m.IgnoredLen = r.u16("byteslen")
	r.take("ignored", int(m.IgnoredLen))
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}

// Pong is the pong message (BOLT 1, type 19), the answer to a ping. As in
// Ping, only the number of ignored bytes is kept; they are sent as zeros.
type Pong struct {
	// IgnoredLen is the number of ignored (zero) bytes: the ping's
	// NumPongBytes.
	IgnoredLen uint16
	// ExtraTLVs holds the unknown odd records of the extension.
	ExtraTLVs TLVRecords
}

// Type implements Message.
func (m *Pong) Type() MessageType { return MsgPong }

// Encode implements Message.
func (m *Pong) Encode(b []byte) ([]byte, error) {
	if err := validateExtraTLVs("pong", m.ExtraTLVs); err != nil {
		return b, err
	}
	b = appendU16(b, m.IgnoredLen)
	b = append(b, make([]byte, m.IgnoredLen)...)
	w := tlvWriter{b: b, extra: m.ExtraTLVs}
	return w.finish(), nil
}

// Decode implements Message.
func (m *Pong) Decode(payload []byte) error {
	*m = Pong{}
	r := newReader(MsgPong, payload)
	m.IgnoredLen = r.u16("byteslen")
	r.take("ignored", int(m.IgnoredLen))
	m.ExtraTLVs = r.tlvs(nil)
	return r.done()
}
