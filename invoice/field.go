package invoice

// Tag is the type of a tagged field: a 5-bit value, written in the invoice
// as one bech32 character (String).
type Tag byte

// The tagged fields of BOLT 11.
const (
	// TagPaymentHash is p: the SHA-256 payment hash (52 groups).
	TagPaymentHash Tag = 1
	// TagRouteHint is r: one private route of hop hints (may repeat).
	TagRouteHint Tag = 3
	// TagFeatures is 9: the feature bits for this payment.
	TagFeatures Tag = 5
	// TagExpiry is x: seconds after the timestamp the invoice expires.
	TagExpiry Tag = 6
	// TagFallback is f: an on-chain fallback address (may repeat).
	TagFallback Tag = 9
	// TagDescription is d: the UTF-8 description.
	TagDescription Tag = 13
	// TagPaymentSecret is s: the payment secret (52 groups).
	TagPaymentSecret Tag = 16
	// TagPayee is n: the payee's node id (53 groups).
	TagPayee Tag = 19
	// TagDescriptionHash is h: the SHA-256 of a longer description (52 groups).
	TagDescriptionHash Tag = 23
	// TagMinFinalCLTVExpiry is c: min_final_cltv_expiry_delta.
	TagMinFinalCLTVExpiry Tag = 24
	// TagMetadata is m: payment metadata the payer must put in the onion.
	TagMetadata Tag = 27
)

// Fixed data lengths, in groups.
const (
	hashGroups   = 52 // 256 bits + 4 padding bits
	payeeGroups  = 53 // 264 bits + 1 padding bit
	maxFieldData = 1023
	// maxFieldBytes is the most bytes a field can carry: 1023 * 5 / 8.
	maxFieldBytes = maxFieldData * 5 / 8
)

// String returns the tag's bech32 character, e.g. "p" or "9".
func (t Tag) String() string { return bech32Charset[t&31 : t&31+1] }

// Field is one tagged field as written in the invoice.
type Field struct {
	// Tag is the field's type.
	Tag Tag
	// Data is the field's data as 5-bit groups (values 0 to 31).
	Data []byte
	// Skipped reports that the reader ignored the field: an unknown tag,
	// a fallback address of unknown version, a p, h, s or n field of the
	// wrong length, or a repeat of a single-valued field already read (the
	// first one counts).
	Skipped bool
}

// fieldRef locates a tagged field's data in Invoice.data.
type fieldRef struct {
	tag        Tag
	start, end int
	skipped    bool
}
