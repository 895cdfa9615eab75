package persist_test

import (
	"fmt"

	"github.com/lnkit/lnkit/persist"
	"github.com/lnkit/lnkit/wire"
)

// A caller's value, version 1.2: type 0 is its amount (tu64), type 2 its
// label, type 3 (odd) was added in minor version 2.
func ExampleRecordFormat() {
	format := persist.RecordFormat{Type: 1, Major: 1, Minor: 2}
	rec, err := format.Append(nil, wire.TLVRecords{
		{Type: 0, Value: wire.AppendTU64(nil, 50_000)},
		{Type: 2, Value: []byte("coffee")},
		{Type: 3, Value: []byte("new in 1.2")},
	})
	if err != nil {
		panic(err)
	}

	// A reader of version 1.0 knows types 0 and 2 only: type 3 is skipped
	// and handed back.
	var amount uint64
	var label string
	older := persist.RecordFormat{Type: 1, Major: 1}
	h, unknown, err := older.Decode(rec, func(typ uint64, v []byte) (bool, error) {
		switch typ {
		case 0:
			amount, err = wire.ReadTU64(v)
			return true, err
		case 2:
			label = string(v)
			return true, nil
		}
		return false, nil
	})
	fmt.Println(h, amount, label, len(unknown), err)

	// A record of major version 2 is refused.
	_, _, err = older.Decode([]byte{1, 2, 0}, nil)
	fmt.Println(err)
	// Output:
	// {1 1 2} 50000 coffee 1 <nil>
	// persist: record type 1 version 2.0 is newer than the 1.x this reader knows
}
