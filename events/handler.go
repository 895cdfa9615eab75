package events

import "context"

// Handler is what the application gives Queue.Process to act on events.
type Handler interface {
	// HandleEvent acts on e. A nil error means e is handled and will not be
	// delivered again (unless the node stops before its removal is
	// durable). An error means "not handled": Process stops, and e is
	// delivered again, first, at the next Process. HandleEvent must be
	// idempotent: see the package documentation.
	HandleEvent(ctx context.Context, e Event) error
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, e Event) error

// HandleEvent calls f(ctx, e).
func (f HandlerFunc) HandleEvent(ctx context.Context, e Event) error { return f(ctx, e) }
