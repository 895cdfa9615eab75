package fsstore

import "github.com/lnkit/lnkit/internal/configerr"

// ErrInvalidConfig is matched by every error Open returns for a bad Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the Config field Open refused.
type ConfigError = configerr.Error

// Defaults of Config.
const (
	// DefaultSyncParallelism is the default Config.SyncParallelism.
	DefaultSyncParallelism = 32
	// DefaultCheckpointBytes is the default Config.CheckpointBytes.
	DefaultCheckpointBytes = 16 << 20
	// DefaultSegmentBytes is the default Config.SegmentBytes.
	DefaultSegmentBytes = 8 << 20
)

// segmentAlign divides every segment's size.
const segmentAlign = 4096

// Config configures a Store. Only Root is required.
type Config struct {
	// Root is the directory holding the store; it is created (0700) when
	// missing. Required.
	Root string
	// FS is the file system; nil means OSFS, the operating system's.
	FS FS
	// SyncParallelism is how many directories a checkpoint fsyncs at once
	// after removing key files of earlier versions; 0 means
	// DefaultSyncParallelism.
	SyncParallelism int
	// CheckpointBytes is how many bytes of log records may wait, their
	// ops held in memory (the memtable), before a checkpoint writes them
	// to a pack; 0 means DefaultCheckpointBytes. It bounds the
	// memtable's memory and the work of replaying after a crash.
	CheckpointBytes int
	// SegmentBytes is the size of a log segment, preallocated when it is
	// created: a multiple of 4096, at least 4096; 0 means
	// DefaultSegmentBytes. A commit group larger than a segment gets a
	// segment of its own size.
	SegmentBytes int
}

func (c Config) withDefaults() (Config, error) {
	if c.Root == "" {
		return c, configerr.New("fsstore", "Root", "required")
	}
	if c.SyncParallelism < 0 {
		return c, configerr.New("fsstore", "SyncParallelism", "negative")
	}
	if c.SyncParallelism == 0 {
		c.SyncParallelism = DefaultSyncParallelism
	}
	if c.CheckpointBytes < 0 {
		return c, configerr.New("fsstore", "CheckpointBytes", "negative")
	}
	if c.CheckpointBytes == 0 {
		c.CheckpointBytes = DefaultCheckpointBytes
	}
	if c.SegmentBytes < 0 || c.SegmentBytes%segmentAlign != 0 {
		return c, configerr.New("fsstore", "SegmentBytes", "not a multiple of 4096")
	}
	if c.SegmentBytes == 0 {
		c.SegmentBytes = DefaultSegmentBytes
	}
	if c.FS == nil {
		c.FS = OSFS{}
	}
	return c, nil
}
