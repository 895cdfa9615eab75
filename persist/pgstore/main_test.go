package pgstore

import (
	"os"
	"testing"

	"github.com/lnkit/lnkit/internal/pgtest"
)

// TestMain starts the package's PostgreSQL server (see internal/pgtest).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
