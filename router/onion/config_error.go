package onion

import "github.com/lnkit/lnkit/internal/configerr"

// ErrInvalidConfig is matched (errors.Is) by every error a constructor of
// this package returns for a bad Config field.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError names the Config field a constructor refused and why.
type ConfigError = configerr.Error

// configError returns the *ConfigError of field.
func configError(field, reason string) error {
	return configerr.New("onion", field, reason)
}
