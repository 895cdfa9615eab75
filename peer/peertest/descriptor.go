package peertest

import "sync"

// Descriptor is an in-memory peer.Descriptor. What the Manager sends piles
// up until the test takes it (Take, Bytes and Discard, or a Link). Limits
// simulate a socket that pushes back. It is safe for concurrent use; the
// zero value is ready, with no limits.
type Descriptor struct {
	mu           sync.Mutex
	out          []byte
	capacity     int // max bytes held in out; 0 = unlimited
	perCall      int // max bytes accepted per SendData; 0 = unlimited
	refused      bool
	disconnected bool
	readPaused   bool
	resumes      int
	sendCalls    int
}

// SendData implements peer.Descriptor: it accepts what the limits allow
// and returns how much. After Disconnect it accepts nothing.
func (d *Descriptor) SendData(data []byte, resumeRead bool) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sendCalls++
	if resumeRead {
		d.resumes++
		d.readPaused = false
	}
	if d.disconnected {
		return 0
	}
	n := len(data)
	if d.perCall > 0 {
		n = min(n, d.perCall)
	}
	if d.capacity > 0 {
		n = max(0, min(n, d.capacity-len(d.out)))
	}
	d.out = append(d.out, data[:n]...)
	if n < len(data) {
		d.refused = true
	}
	return n
}

// Disconnect implements peer.Descriptor. Bytes already accepted stay
// readable.
func (d *Descriptor) Disconnect() {
	d.mu.Lock()
	d.disconnected = true
	d.mu.Unlock()
}

// SetLimits makes SendData accept at most perCall bytes per call and hold
// at most capacity bytes not yet taken (0: no limit).
func (d *Descriptor) SetLimits(capacity, perCall int) {
	d.mu.Lock()
	d.capacity, d.perCall = capacity, perCall
	d.mu.Unlock()
}

// Take removes and returns up to n of the bytes sent (all of them when n
// <= 0).
func (d *Descriptor) Take(n int) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n <= 0 || n > len(d.out) {
		n = len(d.out)
	}
	b := append([]byte(nil), d.out[:n]...)
	d.out = d.out[n:]
	return b
}

// Bytes returns the bytes sent and not yet taken, without copying: they
// are valid until the next call of a method of d. Benchmarks use it with
// Discard to move bytes without allocating.
func (d *Descriptor) Bytes() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out
}

// Discard drops every byte sent and not yet taken.
func (d *Descriptor) Discard() {
	d.mu.Lock()
	d.out = d.out[:0]
	d.mu.Unlock()
}

// Len returns how many bytes were sent and not yet taken.
func (d *Descriptor) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.out)
}

// Disconnected reports whether Disconnect was called.
func (d *Descriptor) Disconnected() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.disconnected
}

// PauseRead records that ReadEvent asked to stop reading from this
// descriptor; a SendData with resumeRead set clears it.
func (d *Descriptor) PauseRead() {
	d.mu.Lock()
	d.readPaused = true
	d.mu.Unlock()
}

// ReadPaused reports whether reading is paused (see PauseRead).
func (d *Descriptor) ReadPaused() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.readPaused
}

// Resumes returns how many SendData calls had resumeRead set.
func (d *Descriptor) Resumes() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.resumes
}

// SendCalls returns how many times SendData was called.
func (d *Descriptor) SendCalls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sendCalls
}

// Writable reports, once, that SendData refused bytes and there is room
// again: the moment to call Manager.WriteBufferSpaceAvailable.
func (d *Descriptor) Writable() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.refused || (d.capacity > 0 && len(d.out) >= d.capacity) {
		return false
	}
	d.refused = false
	return true
}
