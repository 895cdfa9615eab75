package monitor

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/persist"
	lnwire "github.com/lnkit/lnkit/wire"
)

// Update is one change the channel hands its monitor. IDs are strictly
// increasing per channel, starting at 1 (the monitor's creation is update
// 0). Applying an update whose ID the monitor already has is a no-op; an ID
// further than the next one is a *GapError.
type Update struct {
	// ID is the update's id.
	ID uint64
	// Steps are applied in order.
	Steps []Step
}

// StepKind says what a Step is. Its values are persisted: fixed forever.
type StepKind uint8

// The kinds of step.
const (
	StepNewHolderCommitment       StepKind = 1
	StepNewCounterpartyCommitment StepKind = 2
	StepCommitmentSecret          StepKind = 3
	StepShutdownScript            StepKind = 4
	StepChannelForceClosed        StepKind = 5
	StepDataLossDetected          StepKind = 6
	StepPaymentPreimage           StepKind = 7
)

// String names the kind.
func (k StepKind) String() string {
	switch k {
	case StepNewHolderCommitment:
		return "NewHolderCommitment"
	case StepNewCounterpartyCommitment:
		return "NewCounterpartyCommitment"
	case StepCommitmentSecret:
		return "CommitmentSecret"
	case StepShutdownScript:
		return "ShutdownScript"
	case StepChannelForceClosed:
		return "ChannelForceClosed"
	case StepDataLossDetected:
		return "DataLossDetected"
	case StepPaymentPreimage:
		return "PaymentPreimage"
	}
	return fmt.Sprintf("StepKind(%d)", uint8(k))
}

// LogValue logs the update's id and the kinds of its steps, never their
// content (a CommitmentSecret or PaymentPreimage step holds a secret).
func (u *Update) LogValue() slog.Value {
	kinds := make([]string, len(u.Steps))
	for i, s := range u.Steps {
		kinds[i] = "nil"
		if s != nil {
			kinds[i] = s.Kind().String()
		}
	}
	return slog.GroupValue(slog.Uint64("id", u.ID), slog.Any("steps", kinds))
}

// Step is one change inside an Update: *NewHolderCommitment,
// *NewCounterpartyCommitment, *CommitmentSecret, *ShutdownScript,
// *ChannelForceClosed, *DataLossDetected or *PaymentPreimage.
type Step interface {
	// Kind says what the step is.
	Kind() StepKind
	encode(e *encoder)
	decode(d *decoder)
}

// NewHolderCommitment is our new commitment, signed by the counterparty
// (commitment_signed): what we broadcast to force-close.
type NewHolderCommitment struct {
	// State is the commitment's content, from our point of view; its
	// Number is our commitment number and its PerCommitmentPoint ours.
	State *commit.State
	// CounterpartySig is the counterparty's signature of the commitment.
	CounterpartySig lnwire.Signature
	// HTLCSigs are the counterparty's signatures of the HTLC transactions,
	// in the commitment's HTLCOutputs order.
	HTLCSigs []lnwire.Signature
	// Built is an in-memory hint, never encoded (Encode ignores it, a
	// decoded step has none): the commitment the channel built from State,
	// so that a monitor in the same process does not derive its keys and
	// build it again, nor verify the signatures the channel
	// verified on it again (commit.Commitment.VerifyCounterparty). Apply uses it only when Built.BuiltFrom says it is
	// exactly what the monitor would build (same channel parameters, owner
	// and State); otherwise it builds its own. Optional.
	Built *commit.Commitment
}

// Kind returns StepNewHolderCommitment.
func (*NewHolderCommitment) Kind() StepKind { return StepNewHolderCommitment }

func (s *NewHolderCommitment) encode(e *encoder) {
	e.state(s.State)
	e.raw(s.CounterpartySig[:])
	e.u32(uint32(len(s.HTLCSigs)))
	for _, sig := range s.HTLCSigs {
		e.raw(sig[:])
	}
}

func (s *NewHolderCommitment) decode(d *decoder) {
	s.State = d.state()
	d.fixed(s.CounterpartySig[:])
	n := d.count()
	for i := 0; i < n && d.err == nil; i++ {
		var sig lnwire.Signature
		d.fixed(sig[:])
		s.HTLCSigs = append(s.HTLCSigs, sig)
	}
}

// NewCounterpartyCommitment is a commitment we signed for the counterparty:
// enough to recognise it on chain and claim from it.
type NewCounterpartyCommitment struct {
	// State is the commitment's content, from our point of view (Local is
	// us); its Number is the counterparty's commitment number and its
	// PerCommitmentPoint theirs.
	State *commit.State
	// Built is an in-memory hint, never encoded (Encode ignores it, a
	// decoded step has none): the commitment the channel built from State,
	// so that a monitor in the same process does not derive its keys and
	// build it again. Apply uses it only when Built.BuiltFrom says it is
	// exactly what the monitor would build (same channel parameters, owner
	// and State); otherwise it builds its own. Optional.
	Built *commit.Commitment
}

// Kind returns StepNewCounterpartyCommitment.
func (*NewCounterpartyCommitment) Kind() StepKind { return StepNewCounterpartyCommitment }

func (s *NewCounterpartyCommitment) encode(e *encoder) { e.state(s.State) }
func (s *NewCounterpartyCommitment) decode(d *decoder) { s.State = d.state() }

// CommitmentSecret is the per-commitment secret the counterparty revealed
// (revoke_and_ack) for its commitment Number.
type CommitmentSecret struct {
	// Number is the revoked commitment's number.
	Number uint64
	// Secret is its per-commitment secret.
	Secret [32]byte
}

// Kind returns StepCommitmentSecret.
func (*CommitmentSecret) Kind() StepKind { return StepCommitmentSecret }

// String redacts the secret.
func (s *CommitmentSecret) String() string {
	return fmt.Sprintf("CommitmentSecret{Number: %d, Secret: [redacted]}", s.Number)
}

func (s *CommitmentSecret) encode(e *encoder) { e.u64(s.Number); e.raw(s.Secret[:]) }
func (s *CommitmentSecret) decode(d *decoder) { s.Number = d.u64(); d.fixed(s.Secret[:]) }

// ShutdownScript is the script our funds go to in a cooperative close.
type ShutdownScript struct {
	// Script is the scriptpubkey sent in shutdown.
	Script []byte
}

// Kind returns StepShutdownScript.
func (*ShutdownScript) Kind() StepKind { return StepShutdownScript }

func (s *ShutdownScript) encode(e *encoder) { e.bytes(s.Script) }
func (s *ShutdownScript) decode(d *decoder) { s.Script = d.bytes() }

// ChannelForceClosed says the channel force-closed: the monitor accepts no
// further commitment — an update with a NewHolderCommitment or
// NewCounterpartyCommitment step after it fails whole (ErrInvalidUpdate) —
// while CommitmentSecret and ShutdownScript steps still apply (a
// revoke_and_ack already in flight is worth keeping). LatestHolderCommitmentTx
// and HolderCommitmentClaim keep answering with the latest holder commitment.
// The flag is persisted (ForceClosed, MonitorInfo.ForceClosed).
type ChannelForceClosed struct{}

// Kind returns StepChannelForceClosed.
func (*ChannelForceClosed) Kind() StepKind { return StepChannelForceClosed }

func (*ChannelForceClosed) encode(*encoder) {}
func (*ChannelForceClosed) decode(*decoder) {}

// DataLossDetected says the counterparty proved in channel_reestablish
// (option_data_loss_protect, BOLT 2) that our state is behind theirs: our
// latest holder commitment may be revoked, and broadcasting it would hand
// them every satoshi. After it LatestHolderCommitmentTx and
// HolderCommitmentClaim refuse with ErrBehind (MonitorInfo.Behind), and, as
// after ChannelForceClosed, an update with a NewHolderCommitment or
// NewCounterpartyCommitment step fails whole (ErrInvalidUpdate, also
// matching ErrBehind), while CommitmentSecret and ShutdownScript steps still
// apply. The flag and the point are persisted; nothing clears them.
type DataLossDetected struct {
	// TheirCurrentPoint is the counterparty's current per-commitment point
	// (my_current_per_commitment_point of their channel_reestablish), the
	// point of the commitment they may broadcast, kept for claiming from
	// that commitment (not used yet: with static_remotekey our to_remote
	// is found without it). Optional (nil when not sent); a later step
	// with a point replaces the one kept, a later one without keeps it.
	TheirCurrentPoint *btcec.PublicKey
}

// Kind returns StepDataLossDetected.
func (*DataLossDetected) Kind() StepKind { return StepDataLossDetected }

func (s *DataLossDetected) encode(e *encoder) { e.optPoint(s.TheirCurrentPoint) }
func (s *DataLossDetected) decode(d *decoder) { s.TheirCurrentPoint = d.optPoint() }

// PaymentPreimage is the preimage of an HTLC's payment hash, learned by
// the channel (we are fulfilling an HTLC offered to us, or the
// counterparty fulfilled one we offered). It must be durable before
// update_fulfill_htlc leaves: with it the HTLC can still be claimed on
// chain. The monitor keeps every preimage it learns (Preimage, Preimages),
// under its payment hash, the preimage's SHA-256; applying it again is a
// no-op. It applies after ChannelForceClosed and DataLossDetected too. The
// preimage is a secret until the HTLC is claimed: String, GoString,
// LogValue and MarshalJSON (a step logged inside a slice) redact it.
type PaymentPreimage struct {
	// Preimage is the payment preimage.
	Preimage lnwire.Preimage
}

// Kind returns StepPaymentPreimage.
func (*PaymentPreimage) Kind() StepKind { return StepPaymentPreimage }

// String names the payment hash and redacts the preimage.
func (s PaymentPreimage) String() string {
	return fmt.Sprintf("PaymentPreimage{Hash: %s, Preimage: [redacted]}", s.Preimage.Hash())
}

// GoString redacts the preimage in %#v.
func (s PaymentPreimage) GoString() string { return s.String() }

// LogValue names the payment hash and redacts the preimage.
func (s PaymentPreimage) LogValue() slog.Value {
	return slog.GroupValue(slog.String("hash", s.Preimage.Hash().String()), slog.String("preimage", "redacted"))
}

// MarshalJSON names the payment hash and redacts the preimage.
func (s PaymentPreimage) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ Hash, Preimage string }{s.Preimage.Hash().String(), "redacted"})
}

func (s *PaymentPreimage) encode(e *encoder) { e.raw(s.Preimage[:]) }
func (s *PaymentPreimage) decode(d *decoder) { d.fixed(s.Preimage[:]) }

// newStep returns an empty step of kind k, or nil.
func newStep(k StepKind) Step {
	switch k {
	case StepNewHolderCommitment:
		return &NewHolderCommitment{}
	case StepNewCounterpartyCommitment:
		return &NewCounterpartyCommitment{}
	case StepCommitmentSecret:
		return &CommitmentSecret{}
	case StepShutdownScript:
		return &ShutdownScript{}
	case StepChannelForceClosed:
		return &ChannelForceClosed{}
	case StepDataLossDetected:
		return &DataLossDetected{}
	case StepPaymentPreimage:
		return &PaymentPreimage{}
	}
	return nil
}

// UpdateFormat is the record format of an encoded Update. Minor 1 added
// the DataLossDetected step, minor 2 the PaymentPreimage step: every older
// record reads the same, and an older reader refuses a record holding a
// step it does not know as corrupt (it never drops it).
var UpdateFormat = persist.RecordFormat{Type: 0x4d, Major: 1, Minor: 2}

// TLV types of an Update record.
const (
	updateTypeID    = 0
	updateTypeSteps = 2
)

// Encode returns u's record (UpdateFormat).
func (u *Update) Encode() ([]byte, error) {
	var e encoder
	e.u32(uint32(len(u.Steps)))
	for i, s := range u.Steps {
		if s == nil || newStep(s.Kind()) == nil {
			return nil, fmt.Errorf("%w: step %d", ErrInvalidUpdate, i)
		}
		if err := checkStep(s); err != nil {
			return nil, fmt.Errorf("%w: step %d: %w", ErrInvalidUpdate, i, err)
		}
		var se encoder
		s.encode(&se)
		e.u8(uint8(s.Kind()))
		e.bytes(se.b)
	}
	return UpdateFormat.Append(nil, lnwire.TLVRecords{
		{Type: updateTypeID, Value: lnwire.AppendTU64(nil, u.ID)},
		{Type: updateTypeSteps, Value: e.b},
	})
}

// checkStep refuses a step that cannot be encoded.
func checkStep(s Step) error {
	var st *commit.State
	switch s := s.(type) {
	case *NewHolderCommitment:
		st = s.State
	case *NewCounterpartyCommitment:
		st = s.State
	case *PaymentPreimage:
		if s == nil {
			return fmt.Errorf("nil payment preimage step")
		}
		return nil
	default:
		return nil
	}
	if st == nil || st.PerCommitmentPoint == nil {
		return fmt.Errorf("no state or per-commitment point")
	}
	return nil
}

// DecodeUpdate reads a record written by Update.Encode. A malformed record
// gives an error matching ErrCorrupt or persist.ErrCorrupt, never a panic.
func DecodeUpdate(data []byte) (*Update, error) {
	u := &Update{}
	var haveID, haveSteps bool
	_, _, err := UpdateFormat.Decode(data, func(typ uint64, v []byte) (bool, error) {
		switch typ {
		case updateTypeID:
			id, err := lnwire.ReadTU64(v)
			u.ID, haveID = id, true
			return true, err
		case updateTypeSteps:
			haveSteps = true
			return true, decodeSteps(v, u)
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if !haveID || !haveSteps {
		return nil, fmt.Errorf("%w: update without id or steps", ErrCorrupt)
	}
	return u, nil
}

func decodeSteps(v []byte, u *Update) error {
	d := &decoder{b: v}
	n := d.count()
	for i := 0; i < n && d.err == nil; i++ {
		k := StepKind(d.u8())
		body := d.bytes()
		s := newStep(k)
		if s == nil {
			d.fail(fmt.Errorf("unknown step kind %d", k))
			break
		}
		sd := &decoder{b: body}
		s.decode(sd)
		if err := sd.end(); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		u.Steps = append(u.Steps, s)
	}
	return d.end()
}
