package tcp

import (
	"errors"
	"net"
	"os"

	"github.com/lnkit/lnkit/peer"
)

// DialError is Connect's error when the TCP dial fails. Its text names the
// address once ("tcp: dial 127.0.0.1:9735: connection refused"); Unwrap
// gives the net package's error (a *net.OpError, ...), so errors.Is works
// with syscall.ECONNREFUSED and context.DeadlineExceeded.
type DialError struct {
	// Addr is the address dialed.
	Addr string
	// Err is the net package's error.
	Err error
}

// Error implements error.
func (e *DialError) Error() string { return "tcp: dial " + e.Addr + ": " + dialReason(e.Err) }

// Unwrap returns the net package's error.
func (e *DialError) Unwrap() error { return e.Err }

// dialReason returns the innermost text of a dial error, without the
// "dial tcp <addr>:" and "connect:" layers that repeat what Error says.
func dialReason(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	var sys *os.SyscallError
	if errors.As(err, &sys) && sys.Err != nil {
		err = sys.Err
	}
	return err.Error()
}

// SetupError is Connect's error when the connection closed before the
// peer was connected (handshake and init exchange done).
type SetupError struct {
	// Addr is the address dialed.
	Addr string
	// DuringHandshake reports that the peer closed the connection before
	// answering the BOLT 8 handshake: the node id given to Connect is
	// probably not that of the node at Addr (a node cannot decrypt a
	// handshake meant for another key and hangs up), or no Lightning node
	// listens there. errors.Is(err, peer.ErrHandshake) is then true.
	DuringHandshake bool
	// Err is why the connection closed (peer.ErrSocketClosed when the
	// peer hung up, or the peer.Manager's error).
	Err error
}

// Error implements error.
func (e *SetupError) Error() string {
	if e.DuringHandshake {
		return "tcp: handshake with " + e.Addr + " failed: the peer closed the connection; " +
			"the node id may be wrong, or no Lightning node listens there"
	}
	return "tcp: connection to " + e.Addr + " closed before the init exchange: " + e.Err.Error()
}

// Unwrap returns the cause, and peer.ErrHandshake for a handshake failure.
func (e *SetupError) Unwrap() []error {
	if e.DuringHandshake {
		return []error{peer.ErrHandshake, e.Err}
	}
	return []error{e.Err}
}
