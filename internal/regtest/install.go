package regtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Paths holds the absolute paths of the installed peer programs.
type Paths struct {
	Btcd   string // btcd full node
	Btcctl string // btcd's command-line RPC client
	Lnd    string // lnd Lightning node
	Lncli  string // lnd's command-line RPC client
	// LndFastFee is lnd built from the same source with its links' fee
	// update timer at LndFastFeeMinUpdate to LndFastFeeMaxUpdate instead
	// of 10 to 60 minutes (see the package documentation).
	LndFastFee string
}

// InstallConfig configures Install. The zero value is ready to use.
type InstallConfig struct {
	// CacheDir is the directory under which each program set is installed
	// in its own versioned sub-directory. Default: DefaultCacheDir().
	CacheDir string

	// Log receives one line per installer step (what is being built, how
	// long it took). Default: discarded.
	Log io.Writer

	// GoOutput receives the go tool's own output (downloads, compiler
	// errors) as it runs. Default: discarded; the tail of it is part of the
	// returned error either way.
	GoOutput io.Writer

	// Go is the go command to build with. Default: "go" from PATH.
	Go string
}

// DefaultCacheDir returns ${XDG_CACHE_HOME:-$HOME/.cache}/lnkit/peers, the
// directory outside the work tree where the peers are cached.
func DefaultCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("regtest: no cache directory: %w", err)
	}
	return filepath.Join(base, "lnkit", "peers"), nil
}

// BtcdDirName is the name of btcd's and btcctl's directory under the cache
// directory: btcd-<version>.
func BtcdDirName() string {
	return "btcd-" + BtcdVersion
}

// LndDirName is the name of lnd's, lncli's and lnd-fastfee's directory
// under the cache directory: lnd-<version>-<first 8 hex digits of
// sha256(tags and variants)>. The variants (lnd-fastfee's patch) are part
// of the hash so that a cache holding only lnd and lncli from before
// lnd-fastfee existed is not taken for a complete set.
func LndDirName() string {
	sum := sha256.Sum256([]byte(strings.Join(LndBuildTags(), ",") + ";" + lndFastFeeVariant()))
	return "lnd-" + LndVersion + "-" + hex.EncodeToString(sum[:4])
}

// Install makes sure the pinned btcd, btcctl, lnd, lncli and lnd-fastfee are
// built in the cache and returns their paths. The first call on a machine
// builds them from the Go module proxy (several minutes); later calls only
// check that the files are there. Concurrent calls, also from different
// processes, are serialized with a file lock in the cache directory, and
// each program set is built in a temporary directory that is renamed into
// place only when complete, so a reader never sees half an installation.
func Install(ctx context.Context, cfg InstallConfig) (Paths, error) {
	return install(ctx, cfg, true)
}

// install is Install; without withLnd it only makes sure btcd and btcctl
// are there (the paths of lnd, lncli and lnd-fastfee are returned but may
// not exist), so that btcd-only tests on a fresh machine need not wait for
// lnd's build.
func install(ctx context.Context, cfg InstallConfig, withLnd bool) (Paths, error) {
	if cfg.CacheDir == "" {
		dir, err := DefaultCacheDir()
		if err != nil {
			return Paths{}, err
		}
		cfg.CacheDir = dir
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.GoOutput == nil {
		cfg.GoOutput = io.Discard
	}
	if cfg.Go == "" {
		cfg.Go = "go"
	}
	btcdDir := filepath.Join(cfg.CacheDir, BtcdDirName())
	lndDir := filepath.Join(cfg.CacheDir, LndDirName())
	paths := Paths{
		Btcd:       filepath.Join(btcdDir, "btcd"),
		Btcctl:     filepath.Join(btcdDir, "btcctl"),
		Lnd:        filepath.Join(lndDir, "lnd"),
		Lncli:      filepath.Join(lndDir, "lncli"),
		LndFastFee: filepath.Join(lndDir, "lnd-fastfee"),
	}
	lndDone := func() bool { return !withLnd || installed(paths.Lnd, paths.Lncli, paths.LndFastFee) }
	if installed(paths.Btcd, paths.Btcctl) && lndDone() {
		return paths, nil
	}

	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		return Paths{}, fmt.Errorf("regtest: create cache directory: %w", err)
	}
	lock, err := lockFile(ctx, filepath.Join(cfg.CacheDir, ".install.lock"))
	if err != nil {
		return Paths{}, err
	}
	defer lock.unlock()

	in := &installer{cfg: cfg}
	// Re-check under the lock: another process may have finished meanwhile.
	if !installed(paths.Btcd, paths.Btcctl) {
		if err := in.installDir(ctx, btcdDir, "btcd "+BtcdVersion, in.buildBtcd); err != nil {
			return Paths{}, err
		}
	}
	if !lndDone() {
		if err := in.installDir(ctx, lndDir, "lnd "+LndVersion, in.buildLnd); err != nil {
			return Paths{}, err
		}
	}
	if !installed(paths.Btcd, paths.Btcctl) || !lndDone() {
		return Paths{}, fmt.Errorf("regtest: installation in %s is incomplete after building", cfg.CacheDir)
	}
	return paths, nil
}

// installed reports whether every path is an executable regular file.
func installed(paths ...string) bool {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// installer runs the go tool for Install.
type installer struct {
	cfg InstallConfig
}

// installDir builds into a fresh temporary directory next to final and
// renames it to final when build succeeds.
func (in *installer) installDir(ctx context.Context, final, what string, build func(ctx context.Context, dst string) error) error {
	start := time.Now()
	fmt.Fprintf(in.cfg.Log, "regtest: building %s into %s (first run on this machine; takes minutes)\n", what, final)
	tmp, err := os.MkdirTemp(filepath.Dir(final), ".build-"+filepath.Base(final)+"-")
	if err != nil {
		return fmt.Errorf("regtest: create build directory: %w", err)
	}
	defer os.RemoveAll(tmp) // no-op after a successful rename
	if err := build(ctx, tmp); err != nil {
		return fmt.Errorf("regtest: build %s: %w", what, err)
	}
	elapsed := time.Since(start).Round(time.Second)
	info := fmt.Sprintf("%s\nbuilt %s with %s in %s\n", what, time.Now().UTC().Format(time.RFC3339), runtime.Version(), elapsed)
	if err := os.WriteFile(filepath.Join(tmp, "BUILDINFO"), []byte(info), 0o644); err != nil {
		return fmt.Errorf("regtest: write build info: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("regtest: chmod build directory: %w", err)
	}
	// A leftover directory (from a manual copy, say) that failed the
	// installed check is replaced.
	if err := os.RemoveAll(final); err != nil {
		return fmt.Errorf("regtest: remove stale %s: %w", final, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("regtest: install %s: %w", what, err)
	}
	fmt.Fprintf(in.cfg.Log, "regtest: built %s in %s\n", what, elapsed)
	return nil
}

// buildBtcd installs btcd and btcctl with `go install pkg@version`; btcd's
// go.mod has no replace directives, so that works directly.
func (in *installer) buildBtcd(ctx context.Context, dst string) error {
	work, err := os.MkdirTemp("", "lnkit-btcd-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	_, err = in.goCmd(ctx, work, []string{"GOBIN=" + dst}, "install", "-trimpath",
		BtcdModule+"@"+BtcdVersion, BtcdModule+"/cmd/btcctl@"+BtcdVersion)
	return err
}

// buildLnd builds lnd and lncli through a throw-away wrapper module: lnd's
// go.mod has replace directives, which `go install pkg@version` refuses, so
// the wrapper requires lnd and repeats its versioned replaces. Then it
// builds lnd-fastfee from the same module versions with the same flags,
// with htlcswitch/link.go patched (vendorFastFee); the go build cache makes
// that second build recompile only the packages that depend on htlcswitch.
func (in *installer) buildLnd(ctx context.Context, dst string) error {
	work, err := os.MkdirTemp("", "lnkit-lnd-wrapper-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	if _, err := in.goCmd(ctx, work, nil, "mod", "init", "lnkit.invalid/lndwrapper"); err != nil {
		return err
	}
	out, err := in.goCmd(ctx, work, nil, "mod", "download", "-json", LndModule+"@"+LndVersion)
	if err != nil {
		return err
	}
	var dl struct {
		GoMod  string
		Error  string
		Origin struct{ Hash string }
	}
	if err := json.Unmarshal(out, &dl); err != nil {
		return fmt.Errorf("parse go mod download output: %w", err)
	}
	if dl.Error != "" || dl.GoMod == "" {
		return fmt.Errorf("go mod download %s@%s: %s", LndModule, LndVersion, dl.Error)
	}
	out, err = in.goCmd(ctx, work, nil, "mod", "edit", "-json", dl.GoMod)
	if err != nil {
		return err
	}
	var lndMod struct {
		Go      string
		Replace []struct {
			Old, New struct{ Path, Version string }
		}
	}
	if err := json.Unmarshal(out, &lndMod); err != nil {
		return fmt.Errorf("parse lnd's go.mod: %w", err)
	}
	edit := []string{"mod", "edit"}
	if lndMod.Go != "" {
		edit = append(edit, "-go="+lndMod.Go)
	}
	for _, r := range lndMod.Replace {
		if r.New.Version == "" {
			continue // a local path: only meaningful inside lnd's repository
		}
		old := r.Old.Path
		if r.Old.Version != "" {
			old += "@" + r.Old.Version
		}
		edit = append(edit, "-replace="+old+"="+r.New.Path+"@"+r.New.Version)
	}
	if _, err := in.goCmd(ctx, work, nil, edit...); err != nil {
		return err
	}
	lndPkg, lncliPkg := LndModule+"/cmd/lnd", LndModule+"/cmd/lncli"
	if _, err := in.goCmd(ctx, work, nil, "get", lndPkg+"@"+LndVersion, lncliPkg+"@"+LndVersion); err != nil {
		return err
	}
	goVersion, err := in.goCmd(ctx, work, nil, "env", "GOVERSION")
	if err != nil {
		return err
	}
	tags := LndBuildTags()
	ldflags := func(commit string) string {
		flags := []string{
			"-X", LndModule + "/build.Commit=" + commit,
			"-X", LndModule + "/build.GoVersion=" + strings.TrimSpace(string(goVersion)),
			"-X", LndModule + "/build.RawTags=" + strings.Join(tags, ","),
		}
		if dl.Origin.Hash != "" {
			flags = append(flags, "-X", LndModule+"/build.CommitHash="+dl.Origin.Hash)
		}
		return "-ldflags=" + strings.Join(flags, " ")
	}
	start := time.Now()
	if _, err := in.goCmd(ctx, work, nil, "build", "-trimpath",
		"-tags="+strings.Join(tags, " "), ldflags(LndVersion),
		"-o", dst+string(filepath.Separator), lndPkg, lncliPkg); err != nil {
		return err
	}
	fmt.Fprintf(in.cfg.Log, "regtest: built lnd and lncli in %s\n", time.Since(start).Round(time.Second))

	start = time.Now()
	if err := in.vendorFastFee(ctx, work, lndPkg); err != nil {
		return err
	}
	fastFee := filepath.Join(dst, "lnd-fastfee")
	if _, err := in.goCmd(ctx, work, nil, "build", "-mod=vendor", "-trimpath",
		"-tags="+strings.Join(tags, " "), ldflags(LndVersion+"-"+lndFastFeeVariant()),
		"-o", fastFee, lndPkg); err != nil {
		return err
	}
	out, err = exec.CommandContext(ctx, fastFee, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), lndFastFeeVariant()) {
		return fmt.Errorf("lnd-fastfee --version: %v: %q does not name %s", err, truncate(out, 300), lndFastFeeVariant())
	}
	fmt.Fprintf(in.cfg.Log, "regtest: built lnd-fastfee in %s\n", time.Since(start).Round(time.Second))
	return nil
}

// vendorFastFee vendors, in the wrapper module work, the packages lndPkg
// needs and patches the vendored htlcswitch/link.go
// (patchLinkFeeTimeouts). go build refuses an -overlay of a file in the
// module cache, and a copy of lnd's module put in place with a replace
// directive would have no version, which makes every lnd package miss the
// build cache; vendored packages keep their module version, so only the
// packages that import htlcswitch are compiled again. The vendor directory
// (a few hundred MB) goes away with work.
func (in *installer) vendorFastFee(ctx context.Context, work, lndPkg string) error {
	// The wrapper module has no package of its own: a file excluded from
	// builds gives `go mod vendor` lnd's command to collect.
	tools := "//go:build tools\n\npackage tools\n\nimport _ \"" + lndPkg + "\"\n"
	if err := os.WriteFile(filepath.Join(work, "tools.go"), []byte(tools), 0o644); err != nil {
		return fmt.Errorf("lnd-fastfee: %w", err)
	}
	if _, err := in.goCmd(ctx, work, nil, "mod", "vendor"); err != nil {
		return err
	}
	link := filepath.Join(work, "vendor", filepath.FromSlash(LndModule), filepath.FromSlash(lndLinkFile))
	src, err := os.ReadFile(link)
	if err != nil {
		return fmt.Errorf("lnd-fastfee: %w", err)
	}
	patched, err := patchLinkFeeTimeouts(src)
	if err != nil {
		return err
	}
	if err := os.WriteFile(link, patched, 0o644); err != nil {
		return fmt.Errorf("lnd-fastfee: %w", err)
	}
	return nil
}

// goCmd runs the go tool in dir with a controlled environment and returns
// its standard output. Standard error goes to cfg.GoOutput; on failure its
// tail is part of the error.
func (in *installer) goCmd(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, in.cfg.Go, args...)
	cmd.Dir = dir
	cmd.Env = append(goEnv(), env...)
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 8 << 10}
	cmd.Stdout = &stdout
	cmd.Stderr = io.MultiWriter(stderr, in.cfg.GoOutput)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// goEnv is the caller's environment with the settings that would make the
// build depend on the caller's module, workspace or flags overridden: no
// workspace, no GOFLAGS, no toolchain download, no cgo, the host platform.
func goEnv() []string {
	override := map[string]string{
		"GOWORK":      "off",
		"GOFLAGS":     "",
		"GOTOOLCHAIN": "local",
		"GO111MODULE": "on",
		"CGO_ENABLED": "0",
		"GOOS":        runtime.GOOS,
		"GOARCH":      runtime.GOARCH,
	}
	env := make([]string, 0, len(os.Environ())+len(override))
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := override[k]; ok {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range override {
		env = append(env, k+"="+v)
	}
	return env
}
