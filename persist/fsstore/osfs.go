package fsstore

import (
	"io/fs"
	"os"
)

// OSFS is the operating system's file system, through package os.
type OSFS struct{}

var _ FS = OSFS{}

// Create implements FS.
func (OSFS) Create(name string, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// osFile is an OSFS file: an *os.File with Datasync.
type osFile struct{ *os.File }

// Datasync implements File.
func (f osFile) Datasync() error { return fdatasync(f.File) }

// ReadFile implements FS.
func (OSFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// Open implements FS.
func (OSFS) Open(name string) (FileReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ReadDir implements FS.
func (OSFS) ReadDir(name string) ([]DirEntry, error) {
	entries, err := os.ReadDir(name)
	if err != nil {
		return nil, err
	}
	out := make([]DirEntry, len(entries))
	for i, e := range entries {
		out[i] = DirEntry{Name: e.Name(), IsDir: e.IsDir()}
	}
	return out, nil
}

// Rename implements FS.
func (OSFS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// Remove implements FS.
func (OSFS) Remove(name string) error { return os.Remove(name) }

// Mkdir implements FS.
func (OSFS) Mkdir(name string, perm fs.FileMode) error { return os.Mkdir(name, perm) }

// SyncDir implements FS.
func (OSFS) SyncDir(name string) error { return syncPath(name) }

// SyncFile implements FS.
func (OSFS) SyncFile(name string) error { return syncPath(name) }

// syncPath opens name read-only and fsyncs it.
func syncPath(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
