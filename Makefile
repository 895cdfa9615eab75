# lnkit — build, test, benchmark and fuzz.
#
#   make test    gofmt check, go vet, staticcheck, then every test with -race
#                (installs the pinned btcd/lnd test peers first; cached)
#   make check   gofmt check, go vet, every fast test (go test -short: no
#                btcd/lnd/PostgreSQL, no -race); well under a minute
#   make peers   build the pinned btcd/lnd test peers into
#                $XDG_CACHE_HOME/lnkit/peers (only the first run builds)
#   make pgserver install Debian's postgresql when missing (pgstore's tests
#                start their own private server from its binaries)
#   make bench   every benchmark, with allocations
#   make fuzz    every fuzz target for FUZZTIME each
#   make demo    the README's "run" command
#   make bench-payments  payments/s and latency of two lnkit nodes next to
#                two lnds on regtest (BENCHPAY_FLAGS, e.g. "-n 200 -forward")

GO              ?= go
CACHE_DIR       ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/lnkit
STATICCHECK_VER ?= v0.8.2
STATICCHECK     := $(CACHE_DIR)/tools/staticcheck-$(STATICCHECK_VER)/staticcheck
FUZZTIME        ?= 10s
FUZZMINIMIZE    ?= 20x
BENCHTIME       ?= 1s
BENCHPAY_FLAGS  ?=
TESTFLAGS       ?=

.PHONY: test fmtcheck vet staticcheck peers pgserver unit bench fuzz demo bench-payments

test: fmtcheck vet staticcheck peers pgserver unit

# make check: the fast loop. gofmt check, go vet and every fast test:
# -short skips the tests that start btcd/lnd (so it never builds them) and
# trims the long randomised ones; no -race. Well under a minute.
.PHONY: check
check: fmtcheck vet
	$(GO) test -short $(TESTFLAGS) ./...

fmtcheck:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

$(STATICCHECK):
	GOBIN=$(dir $(STATICCHECK)) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VER)

staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

# btcd and lnd for internal/regtest's interop tests; see that package's doc.
peers:
	$(GO) run ./internal/regtest/cmd/installpeers

# PostgreSQL for persist/pgstore's tests (internal/pgtest starts a private
# server from Debian's binaries): installs Debian's package when missing,
# without the system-wide "main" cluster the package would create and start.
pgserver:
	@if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
	  mkdir -p /etc/postgresql-common/createcluster.d && \
	  echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/lnkit-no-main.conf && \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	fi

# -race, then the allocation tests again without it (the race detector
# allocates, so they skip themselves under -race).
unit:
	$(GO) test -race -count=1 -timeout 30m $(TESTFLAGS) ./...
	$(GO) test -count=1 -run 'Alloc|Bounded' $(TESTFLAGS) ./wire/... ./peer/...

bench: pgserver
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

# Runs every Fuzz* target of every package for FUZZTIME. Minimizing a new
# input is bounded (FUZZMINIMIZE executions) so that targets with large
# inputs spend their time fuzzing, not shrinking.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/func //'); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg; \
	  done; \
	done

# The README's "run": btcd, an lnd and two sample nodes (alice, bob) on a
# private regtest chain, driven through the sample node's command line; see
# internal/demo. Builds the pinned btcd/lnd first if this machine has not.
demo:
	$(GO) run ./internal/demo -go=$(GO)

# Issue 19's payments benchmark: two lnkit nodes (filesystem store, real
# fsync, loopback TCP) and two lnds with a channel each on one regtest
# chain pay -n invoices at concurrency 1 and 32; prints payments/s, p50
# and p99 and the lnkit/lnd ratios. -forward: three lnkit nodes, the
# middle one forwarding. See internal/benchpay. Needs `make peers`.
bench-payments:
	$(GO) run ./internal/benchpay $(BENCHPAY_FLAGS)
