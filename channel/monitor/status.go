package monitor

import "fmt"

// UpdateStatus is the outcome of persisting a monitor or an update.
type UpdateStatus uint8

// The outcomes.
const (
	// Completed: the change is durable; the messages it gates may leave.
	Completed UpdateStatus = iota + 1
	// InProgress: the change is being persisted; ChainMonitor's
	// ChannelMonitorUpdated reports when it is durable.
	InProgress
	// Failed: the change could not be persisted. The channel must stop
	// (a persistence failure is never papered over).
	Failed
)

// String names the status.
func (s UpdateStatus) String() string {
	switch s {
	case Completed:
		return "completed"
	case InProgress:
		return "in-progress"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}
