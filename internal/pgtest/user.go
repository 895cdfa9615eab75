package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// serverUser is the unprivileged system user postgres runs as when the
// tests run as root.
const serverUser = "lnkit-pg"

// runAs returns the credential the server's processes run with: nil (the
// test's own user) unless the test runs as root, then serverUser's, creating
// that user when missing.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		useradd, lookErr := exec.LookPath("useradd")
		if lookErr != nil {
			useradd = "/usr/sbin/useradd" // root's PATH without sbin
		}
		out, addErr := exec.Command(useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", serverUser).CombinedOutput()
		// Another test binary may have created it meanwhile: look again
		// before reporting useradd's failure.
		if u, err = user.Lookup(serverUser); err != nil {
			return nil, fmt.Errorf("pgtest: postgres cannot run as root and user %s is missing; useradd: %v: %s", serverUser, addErr, out)
		}
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgtest: user %s: uid %q: %w", serverUser, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgtest: user %s: gid %q: %w", serverUser, u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}
