package sqlrow

import (
	"context"
	"time"

	"github.com/lnkit/lnkit/persist"
)

// MaxGroup is the most requests one group commit carries.
const MaxGroup = 128

// Request is one call's operations (a Write, a Remove or an Apply) waiting
// for a group commit.
type Request struct {
	Ops []persist.Op
	// Deadline is the caller's context's deadline (zero: none), for a
	// store that bounds a group by its callers' deadlines.
	Deadline time.Time
	// Done receives the outcome, once; buffered, so the committer never
	// waits for the caller.
	Done chan error
}

// NewRequest returns a Request for ops.
func NewRequest(ops []persist.Op) *Request {
	return &Request{Ops: ops, Done: make(chan error, 1)}
}

// Committer is a store's one writer (group commit): a goroutine that takes
// a request, then every other request already waiting (up to MaxGroup), and
// gives them to the store's commit function together, so that writers
// arriving while a commit's fsync runs share the next one instead of
// queueing for one each.
type Committer struct {
	reqs chan *Request // unbuffered: a request is either taken or not sent
	done chan struct{} // closed when the goroutine has returned
}

// StartCommitter starts the goroutine. commit must send every request of
// the group its outcome on Done, and may not keep the group slice.
func StartCommitter(commit func(group []*Request)) *Committer {
	c := &Committer{reqs: make(chan *Request), done: make(chan struct{})}
	go c.run(commit)
	return c
}

func (c *Committer) run(commit func([]*Request)) {
	defer close(c.done)
	group := make([]*Request, 0, MaxGroup)
	for req := range c.reqs {
		group = append(group[:0], req)
	more:
		for len(group) < MaxGroup {
			select {
			case r, ok := <-c.reqs:
				if !ok {
					break more
				}
				group = append(group, r)
			default:
				break more
			}
		}
		commit(group)
	}
}

// Commit hands ops to the committer and waits for their outcome. The wait
// for the committer to take them ends with ctx; once taken, the call waits
// for the commit's outcome, since the ops may be durable by then. The
// caller must keep Stop from running meanwhile (a Gate does).
func (c *Committer) Commit(ctx context.Context, ops []persist.Op) error {
	req := NewRequest(ops)
	req.Deadline, _ = ctx.Deadline()
	select {
	case c.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.Done
}

// GroupDeadline is the latest deadline of the group's requests, or zero if
// one of them has none: a group's commit may run that long without cutting
// any caller's allowance short.
func GroupDeadline(group []*Request) time.Time {
	var latest time.Time
	for _, r := range group {
		if r.Deadline.IsZero() {
			return time.Time{}
		}
		if r.Deadline.After(latest) {
			latest = r.Deadline
		}
	}
	return latest
}

// Hand gives req to the committer, waiting until it is taken (for tests
// that need the committer busy).
func (c *Committer) Hand(req *Request) { c.reqs <- req }

// Stop ends the goroutine after the group it is committing. No Commit may
// run during or after Stop.
func (c *Committer) Stop() {
	close(c.reqs)
	<-c.done
}
