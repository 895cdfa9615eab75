// Package vectors reads the BOLT test vectors that every test of lnkit's
// protocol code checks itself against.
//
// The vectors live outside the repository, in ../shared/vectors beside the
// repository root (the directory holding go.mod); LNKIT_VECTORS_DIR names
// another directory. A missing file fails the test: a vector test never
// skips.
package vectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the directory holding the vector files.
func Dir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("LNKIT_VECTORS_DIR"); dir != "" {
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("vectors: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "vectors")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("vectors: go.mod not found above %s", dir)
		}
		dir = parent
	}
}

// Read returns the contents of the vector file name, failing the test if
// it cannot be read.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatalf("vectors: %v", err)
	}
	return data
}

// Load decodes the JSON vector file name into v, failing the test on any
// error.
func Load(t testing.TB, name string, v any) {
	t.Helper()
	if err := json.Unmarshal(Read(t, name), v); err != nil {
		t.Fatalf("vectors: %s: %v", name, err)
	}
}
