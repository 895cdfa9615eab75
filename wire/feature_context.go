package wire

import (
	"fmt"
	"strings"
)

// FeatureContext is a set of the places a feature vector appears in: the
// Context column of the BOLT 9 table. Contexts combine with |.
type FeatureContext uint8

// The contexts of BOLT 9. Their letters in the feature table are given in
// brackets.
const (
	// ContextInit is the features field of init (I).
	ContextInit FeatureContext = 1 << iota
	// ContextNodeAnnouncement is the features field of node_announcement (N).
	ContextNodeAnnouncement
	// ContextChannelAnnouncement is the features field of
	// channel_announcement (C).
	ContextChannelAnnouncement
	// ContextChannelAnnouncementOddOnly marks a channel_announcement feature
	// that is always presented odd (C-). It is only meaningful together with
	// ContextChannelAnnouncement.
	ContextChannelAnnouncementOddOnly
	// ContextChannelAnnouncementEvenOnly marks a channel_announcement
	// feature that is always presented even (C+). It is only meaningful
	// together with ContextChannelAnnouncement.
	ContextChannelAnnouncementEvenOnly
	// ContextInvoice is the features of a BOLT 11 invoice (9).
	ContextInvoice
	// ContextBlindedPath is the allowed_features field of a blinded path (B).
	ContextBlindedPath
	// ContextChannelType is the channel_type field of open_channel and
	// accept_channel (T).
	ContextChannelType
)

// Has reports whether every context of o is in c.
func (c FeatureContext) Has(o FeatureContext) bool { return c&o == o }

// String returns the contexts as the letters of the BOLT 9 table, in the
// table's order, e.g. "IN9" or "INT"; the empty set is "".
func (c FeatureContext) String() string {
	var sb strings.Builder
	if c.Has(ContextInit) {
		sb.WriteByte('I')
	}
	if c.Has(ContextNodeAnnouncement) {
		sb.WriteByte('N')
	}
	if c.Has(ContextChannelAnnouncement) {
		sb.WriteByte('C')
		switch {
		case c.Has(ContextChannelAnnouncementOddOnly):
			sb.WriteByte('-')
		case c.Has(ContextChannelAnnouncementEvenOnly):
			sb.WriteByte('+')
		}
	}
	if c.Has(ContextInvoice) {
		sb.WriteByte('9')
	}
	if c.Has(ContextBlindedPath) {
		sb.WriteByte('B')
	}
	if c.Has(ContextChannelType) {
		sb.WriteByte('T')
	}
	return sb.String()
}

// ParseFeatureContext parses the letters of a BOLT 9 Context column, e.g.
// "IN9", "C-" or "INT". Each letter may appear once; '-' and '+' may only
// follow 'C'.
func ParseFeatureContext(s string) (FeatureContext, error) {
	var c FeatureContext
	for i := 0; i < len(s); i++ {
		var bit FeatureContext
		switch s[i] {
		case 'I':
			bit = ContextInit
		case 'N':
			bit = ContextNodeAnnouncement
		case 'C':
			bit = ContextChannelAnnouncement
			if i+1 < len(s) && (s[i+1] == '-' || s[i+1] == '+') {
				if s[i+1] == '-' {
					bit |= ContextChannelAnnouncementOddOnly
				} else {
					bit |= ContextChannelAnnouncementEvenOnly
				}
				i++
			}
		case '9':
			bit = ContextInvoice
		case 'B':
			bit = ContextBlindedPath
		case 'T':
			bit = ContextChannelType
		default:
			return 0, fmt.Errorf("wire: feature context %q: unknown letter %q: %w", s, s[i], ErrInvalidValue)
		}
		if c&bit != 0 {
			return 0, fmt.Errorf("wire: feature context %q: repeated letter %q: %w", s, s[i], ErrInvalidValue)
		}
		c |= bit
	}
	return c, nil
}
