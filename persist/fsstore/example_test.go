package fsstore_test

import (
	"context"
	"fmt"
	"os"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/persist/fsstore"
)

func Example() {
	root, err := os.MkdirTemp("", "fsstore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(root)

	store, err := fsstore.Open(fsstore.Config{Root: root})
	if err != nil {
		panic(err)
	}
	defer store.Close()

	ctx := context.Background()
	monitors := persist.Namespace{Primary: "monitors"}
	// Durable when Write returns nil.
	if err := store.Write(ctx, monitors, "chan1", []byte("state 1")); err != nil {
		panic(err)
	}
	// Two keys together, or neither, even across a crash.
	if err := store.Apply(ctx, []persist.Op{
		persist.WriteOp(monitors, "chan1", []byte("state 2")),
		persist.WriteOp(persist.Namespace{Primary: "manager"}, "state", []byte("m")),
	}); err != nil {
		panic(err)
	}
	v, err := store.Read(ctx, monitors, "chan1")
	fmt.Println(string(v), err)
	// Output: state 2 <nil>
}
