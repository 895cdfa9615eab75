package regtest

import (
	"fmt"
	"net"
)

// freeAddrs returns n distinct "127.0.0.1:<port>" addresses whose ports
// were free a moment ago: the kernel picks them for listeners that are closed
// right away. Another process can take one before the daemon binds it;
// start-up detects that and retries with fresh ports.
func freeAddrs(n int) ([]string, error) {
	// Hold every listener until all ports are picked so they are distinct.
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	addrs := make([]string, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("regtest: find a free port: %w", err)
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}
