package rpc

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// maxCookieSize bounds a cookie file: bitcoind's is "__cookie__:" and 64 hex
// digits.
const maxCookieSize = 1024

// readCookie reads a bitcoind cookie file, "user:password".
func readCookie(path string) (user, password string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", fmt.Errorf("rpc: cookie file: %w", err)
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxCookieSize+1))
	if err != nil {
		return "", "", fmt.Errorf("rpc: cookie file: %w", err)
	}
	if len(buf) > maxCookieSize {
		return "", "", fmt.Errorf("rpc: cookie file %s is too large", path)
	}
	line := bytes.TrimSpace(buf)
	u, p, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(u) == 0 {
		return "", "", fmt.Errorf("rpc: cookie file %s is not user:password", path)
	}
	return string(u), string(p), nil
}

// credentials returns the user and password to send. With a cookie file it
// reads the file when nothing is cached or reload is set.
func (c *Client) credentials(reload bool) (string, string, error) {
	if c.cfg.CookieFile == "" {
		return c.cfg.User, c.cfg.Password, nil
	}
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if reload || c.cookieUser == "" {
		u, p, err := readCookie(c.cfg.CookieFile)
		if err != nil {
			return "", "", err
		}
		c.cookieUser, c.cookiePass = u, p
	}
	return c.cookieUser, c.cookiePass, nil
}
