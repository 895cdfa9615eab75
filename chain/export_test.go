package chain

// CachedHeaders returns how many headers p holds, for the tests of package
// chain_test.
func CachedHeaders(p *Poller) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cache.len()
}
