package fsstore

import (
	"io"
	"io/fs"
)

// FS is the file system the store works on: each method is one operation
// of the operating system's (OSFS). Tests substitute one that can crash
// between any two calls. Errors for a missing file match fs.ErrNotExist and
// for an existing directory fs.ErrExist.
type FS interface {
	// Create opens name for writing, creating it with perm or truncating it.
	Create(name string, perm fs.FileMode) (File, error)
	// ReadFile returns the contents of name.
	ReadFile(name string) ([]byte, error)
	// Open opens name for reading at offsets (pread(2)).
	Open(name string) (FileReader, error)
	// ReadDir returns the entries of directory name.
	ReadDir(name string) ([]DirEntry, error)
	// Rename replaces newpath with oldpath atomically.
	Rename(oldpath, newpath string) error
	// Remove deletes the file or empty directory name.
	Remove(name string) error
	// Mkdir creates directory name with perm.
	Mkdir(name string, perm fs.FileMode) error
	// SyncDir makes the entries of directory name durable (fsync of the
	// directory).
	SyncDir(name string) error
	// SyncFile makes the contents of file name durable (fsync).
	SyncFile(name string) error
	// Lock takes an exclusive lock on file name, creating it, for as long
	// as the process lives or until the returned Closer is closed. It fails
	// with an error matching persist.ErrLocked when another holder has it.
	Lock(name string) (io.Closer, error)
}

// File is a file open for writing.
type File interface {
	io.Writer
	io.WriterAt
	// Sync makes the file's contents and metadata durable (fsync).
	Sync() error
	// Datasync makes the file's contents durable, and of its metadata only
	// what reading them back needs (fdatasync(2) on Linux, fsync
	// elsewhere): after an overwrite in place, no journal commit.
	Datasync() error
	// Close closes the file.
	Close() error
}

// FileReader is a file open for reading.
type FileReader interface {
	io.ReaderAt
	io.Closer
}

// DirEntry is one entry of a directory.
type DirEntry struct {
	// Name is the entry's name.
	Name string
	// IsDir is set for a directory.
	IsDir bool
}
