package channel

import (
	"errors"
	"fmt"

	"github.com/lnkit/lnkit/internal/configerr"
)

// ErrInvalidConfig is matched (errors.Is) by every configuration error of
// this package.
var ErrInvalidConfig = configerr.ErrInvalidConfig

// ConfigError reports one invalid field of a [UserConfig].
type ConfigError = configerr.Error

// ErrRuleViolated is matched (errors.Is) by every [*RuleError]: a message
// from the peer broke a rule of BOLT 2 or one of our configured limits.
var ErrRuleViolated = errors.New("channel: channel establishment rule violated")

// RuleError reports that a message from the peer broke a rule: a
// requirement of BOLT 2 or one of the limits of our [HandshakeLimits].
//
// errors.Is(err, ErrRuleViolated) matches every RuleError, and
// errors.Is(err, &RuleError{Rule: r}) matches the RuleErrors of rule r
// whatever their Msg. The manager sends [RuleError.PeerMessage] to the peer
// in an error message, so the peer learns which rule failed.
type RuleError struct {
	// Rule names the rule, "message.field" as in BOLT 2.
	Rule Rule
	// Msg says what was wrong, with the values involved.
	Msg string
}

// Error implements error: "channel: open_channel.to_self_delay: msg".
func (e *RuleError) Error() string {
	return "channel: " + string(e.Rule) + ": " + e.Msg
}

// PeerMessage is the text for the data of the error message sent to the
// peer: the rule and what was wrong, without the package prefix.
func (e *RuleError) PeerMessage() string { return string(e.Rule) + ": " + e.Msg }

// Is reports whether target is ErrRuleViolated or a *RuleError of the same
// Rule.
func (e *RuleError) Is(target error) bool {
	if target == ErrRuleViolated {
		return true
	}
	t, ok := target.(*RuleError)
	return ok && t != nil && t.Rule == e.Rule
}

// ruleErr returns a *RuleError of rule with a formatted message.
func ruleErr(rule Rule, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Msg: fmt.Sprintf(format, args...)}
}
