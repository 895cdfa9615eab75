package pgtest

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
)

// debianRoot is where Debian's postgresql-<version> packages put their
// binaries: debianRoot/<version>/bin.
const debianRoot = "/usr/lib/postgresql"

// findBinDir returns the bin directory of the newest PostgreSQL version
// installed under root (debianRoot outside tests) that has both initdb and
// postgres.
func findBinDir(root string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(root, "*", "bin", "postgres"))
	if err != nil {
		return "", fmt.Errorf("pgtest: look for postgres: %w", err)
	}
	type found struct {
		version float64
		dir     string
	}
	var dirs []found
	for _, m := range matches {
		dir := filepath.Dir(m)
		if ok, _ := filepath.Glob(filepath.Join(dir, "initdb")); len(ok) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		if err != nil {
			continue
		}
		dirs = append(dirs, found{v, dir})
	}
	if len(dirs) == 0 {
		return "", fmt.Errorf("pgtest: no PostgreSQL in %s/*/bin (install Debian's postgresql package: make pgserver)", root)
	}
	best := slices.MaxFunc(dirs, func(a, b found) int { return int(a.version*1000 - b.version*1000) })
	return best.dir, nil
}
