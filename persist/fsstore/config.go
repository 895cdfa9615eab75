package fsstore

import "github.com/lnkit/lnkit/internal/configerr"

// ErrInvalidConfig is matched by every error Open returns for a bad Config.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the Config field Open refused.
type ConfigError = configerr.Error

// DefaultSyncParallelism is the default Config.SyncParallelism.
const DefaultSyncParallelism = 32

// Config configures a Store. Only Root is required.
type Config struct {
	// Root is the directory holding the store; it is created (0700) when
	// missing. Required.
	Root string
	// FS is the file system; nil means OSFS, the operating system's.
	FS FS
	// SyncParallelism is how many files of one commit group are written
	// and fsynced at once; 0 means DefaultSyncParallelism.
	SyncParallelism int
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
	if c.FS == nil {
		c.FS = OSFS{}
	}
	return c, nil
}
