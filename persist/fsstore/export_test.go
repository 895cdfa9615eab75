package fsstore

// OpenInline is Open preparing log segments when a record needs one rather
// than ahead, in the background: the crash tests' calls then come in the
// same order every run.
func OpenInline(cfg Config) (*Store, error) { return open(cfg, true) }
