package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
)

// fileLogger is the node's log: slog's text format appended to a file, the
// counterpart of ldk-sample's FilesystemLogger.
type fileLogger struct {
	*slog.Logger
	f *os.File
}

// openLog opens (appending) or creates the log file and its directory.
func openLog(path string, level slog.Level) (*fileLogger, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sample-node: log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sample-node: log file: %w", err)
	}
	h := slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})
	return &fileLogger{Logger: slog.New(h), f: f}, nil
}

// Close flushes the log to disk and closes it.
func (l *fileLogger) Close() error {
	return errors.Join(l.f.Sync(), l.f.Close())
}
