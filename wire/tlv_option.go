package wire

// Option is an optional TLV field of a message: Value is meaningful only
// when Present is true. The zero Option is absent. Unlike a pointer it needs
// no allocation, and unlike a nil slice it tells an absent record from a
// present empty one (BOLT 2 upfront_shutdown_script, for instance, gives
// meaning to a zero-length value).
type Option[T any] struct {
	// Value is the record's value.
	Value T
	// Present reports whether the record is in the stream.
	Present bool
}

// Some returns a present Option holding v.
func Some[T any](v T) Option[T] { return Option[T]{Value: v, Present: true} }

// Get returns the value and whether it is present.
func (o Option[T]) Get() (T, bool) { return o.Value, o.Present }
