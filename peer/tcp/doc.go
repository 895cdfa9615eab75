// Package tcp connects a peer.Manager to TCP sockets, like LDK's
// lightning-net-tokio. A Transport listens and dials; each connection gets a
// reader goroutine, which feeds received bytes to Manager.ReadEvent, and a
// writer goroutine, which writes what the Manager handed to SendData. Run
// calls Manager.ProcessEvents whenever a connection received data (or
// Notify was called) and Manager.TimerTick on a ticker.
//
//	t, err := tcp.New(mgr, tcp.Config{})
//	if err != nil { ... }
//	defer t.Close()
//	go t.Run(ctx)
//	addr, err := t.Listen(ctx, "127.0.0.1:9735")
//	err = t.Connect(ctx, theirID, "203.0.113.5:9735") // returns once init is exchanged
//
// Close stops the listeners, closes every connection of the Transport and
// waits until all its goroutines have exited.
package tcp
