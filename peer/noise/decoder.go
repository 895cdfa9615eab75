package noise

// Decoder turns the ciphertext stream received from a peer, in chunks of
// any size, into plaintext messages. It buffers partial headers and bodies
// itself, so the caller can pass whatever a socket read returned:
//
//	for len(chunk) > 0 {
//		n, msg, err := dec.Decode(chunk)
//		if err != nil {
//			// close the connection
//		}
//		chunk = chunk[n:]
//		if msg != nil {
//			// handle msg before the next Decode call
//		}
//	}
//
// Its buffer grows to the largest message received (at most
// MaxMessageSize+MACSize bytes) and is then reused, so decoding does not
// allocate in steady state. A Decoder uses the receiving side of its Cipher;
// do not call the Cipher's decrypt methods while it is in use.
type Decoder struct {
	c      *Cipher
	header [HeaderSize]byte
	headN  int    // bytes of a partial header held in header
	body   []byte // body buffer: ciphertext of a partial body, then plaintext
	bodyN  int    // bytes of a partial body held in body
	need   int    // length of the expected body with its tag
	inBody bool   // the header has been decrypted; reading the body
}

// NewDecoder returns a Decoder that decrypts with c's receiving side.
func NewDecoder(c *Cipher) *Decoder { return &Decoder{c: c} }

// Decode consumes bytes from in until one message is complete or in is
// exhausted. It returns the number of bytes consumed and, if a message was
// completed, its plaintext (non-nil, possibly empty). msg is valid only
// until the next call to Decode. Bytes after a complete message are not
// consumed; call Decode again with in[n:].
//
// An error means the stream is corrupt or forged; it is permanent, and the
// connection must be closed.
func (d *Decoder) Decode(in []byte) (n int, msg []byte, err error) {
	if d.c.recvErr != nil {
		return 0, nil, d.c.recvErr
	}
	if !d.inBody {
		var header []byte
		if d.headN == 0 && len(in) >= HeaderSize {
			header = in[:HeaderSize]
			n = HeaderSize
		} else {
			k := copy(d.header[d.headN:], in)
			d.headN += k
			n = k
			if d.headN < HeaderSize {
				return n, nil, nil
			}
			header = d.header[:]
			d.headN = 0
		}
		l, err := d.c.DecryptHeader(header)
		if err != nil {
			return n, nil, err
		}
		d.need = l + MACSize
		d.bodyN = 0
		d.inBody = true
		if cap(d.body) < d.need {
			d.body = make([]byte, d.need)
		}
	}

	rest := in[n:]
	if d.bodyN == 0 && len(rest) >= d.need {
		// The whole body is in the input: decrypt it straight from there.
		msg, err = d.c.DecryptBody(d.body[:0], rest[:d.need])
		n += d.need
	} else {
		k := copy(d.body[d.bodyN:d.need], rest)
		d.bodyN += k
		n += k
		if d.bodyN < d.need {
			return n, nil, nil
		}
		msg, err = d.c.DecryptBody(d.body[:0], d.body[:d.need])
	}
	d.inBody = false
	d.bodyN = 0
	if err != nil {
		return n, nil, err
	}
	if msg == nil {
		msg = d.header[:0] // an empty message: return a non-nil empty slice
	}
	return n, msg, nil
}

// Buffered returns how many bytes of an incomplete frame the Decoder has
// consumed: zero between frames.
func (d *Decoder) Buffered() int {
	if d.inBody {
		return HeaderSize + d.bodyN
	}
	return d.headN
}
