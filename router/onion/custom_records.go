package onion

import (
	"fmt"

	"github.com/lnkit/lnkit/wire"
)

// checkCustomRecords fails the first even custom record of pl that is not
// in ProcessorConfig.KnownCustomTypes (BOLT 1: an unknown even type is a
// failure; BOLT 4: with invalid_onion_payload naming the type and the
// record's offset). raw is the payload pl was decoded from.
func (p *Processor) checkCustomRecords(pl *HopPayload, raw []byte) error {
	for _, r := range pl.Custom {
		if r.Type%2 != 0 {
			continue
		}
		if _, ok := p.known[r.Type]; ok {
			continue
		}
		return &PayloadError{
			Type:   r.Type,
			Offset: recordOffset(raw, r.Type),
			Err:    fmt.Errorf("even custom record the application does not know: %w", wire.ErrUnknownEvenType),
		}
	}
	return nil
}

// recordOffset returns the byte offset in raw, a valid TLV stream, of the
// record of type typ (0 if there is none).
func recordOffset(raw []byte, typ uint64) int {
	r := tlvReader{b: raw}
	for {
		t, _, start, ok, err := r.next()
		if err != nil || !ok {
			return 0
		}
		if t == typ {
			return start
		}
	}
}
