package keys

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// seedFileMode is the permission of a seed file: read and write by the owner only.
const seedFileMode = 0o600

// WriteSeedFile writes seed as a new file of exactly 32 bytes at path, with
// mode 0600. It refuses to overwrite an existing file (the error then
// matches fs.ErrExist), and syncs the file and its directory before
// returning, so the seed survives a crash. If writing fails the partial file
// is removed.
func WriteSeedFile(path string, seed Seed) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, seedFileMode)
	if err != nil {
		return fmt.Errorf("keys: create seed file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(path)
		}
	}()
	// The umask can only clear bits; make the mode exact anyway.
	if runtime.GOOS != "windows" {
		if err := f.Chmod(seedFileMode); err != nil {
			return fmt.Errorf("keys: chmod seed file: %w", err)
		}
	}
	if _, err := f.Write(seed[:]); err != nil {
		return fmt.Errorf("keys: write seed file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("keys: sync seed file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keys: close seed file: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("keys: sync seed file directory: %w", err)
	}
	return nil
}

// syncDir fsyncs a directory so a new entry in it is durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	return errors.Join(serr, cerr)
}

// ReadSeedFile reads a seed written by WriteSeedFile. It returns a
// *SeedFileError matching ErrSeedFilePermissions if the file is not a
// regular file or its group or others have any permission (on systems with
// Unix permissions), and one matching ErrSeedFileSize unless it holds
// exactly 32 bytes.
func ReadSeedFile(path string) (Seed, error) {
	f, err := os.Open(path)
	if err != nil {
		return Seed{}, fmt.Errorf("keys: open seed file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Seed{}, fmt.Errorf("keys: stat seed file: %w", err)
	}
	mode := info.Mode()
	if !mode.IsRegular() || (runtime.GOOS != "windows" && mode.Perm()&0o077 != 0) {
		return Seed{}, &SeedFileError{Path: path, Mode: mode, Size: info.Size(), Err: ErrSeedFilePermissions}
	}
	if info.Size() != int64(len(Seed{})) {
		return Seed{}, &SeedFileError{Path: path, Mode: mode, Size: info.Size(), Err: ErrSeedFileSize}
	}
	// Read one byte more than a seed to catch a file that grew after Stat.
	var buf [33]byte
	n, err := io.ReadFull(f, buf[:])
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) && n == 32:
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		clear(buf[:])
		return Seed{}, &SeedFileError{Path: path, Mode: mode, Size: int64(n), Err: ErrSeedFileSize}
	default:
		return Seed{}, fmt.Errorf("keys: read seed file: %w", err)
	}
	var seed Seed
	copy(seed[:], buf[:32])
	clear(buf[:])
	return seed, nil
}
