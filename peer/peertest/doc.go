// Package peertest connects peer.Managers in memory, in the manner of
// testing/fstest: a Descriptor that keeps what a Manager sends until the
// test delivers it, and a Link that carries bytes between two Managers
// step by step, so that users can test their own handlers (and the Manager
// itself is tested) without sockets, goroutines or clocks.
//
//	l, err := peertest.Connect(a, b) // a dials b; handshake and init done
//	...queue messages through a's handlers...
//	l.Pump()                         // deliver until nothing moves
//
// Nothing in it starts a goroutine; every call runs the Managers' methods on
// the caller's goroutine.
package peertest
