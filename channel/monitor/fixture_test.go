package monitor_test

import (
	"time"

	"testing"

	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/chain/wallet/spendable"
	"github.com/lnkit/lnkit/channel/commit"
	"github.com/lnkit/lnkit/channel/monitor"
	"github.com/lnkit/lnkit/keys"
	"github.com/lnkit/lnkit/lnkittest/simchain"
	lnwire "github.com/lnkit/lnkit/wire"
)

const (
	capacity = 1_000_000
	// aDelay is A's to_self_delay on its own commitment (sent by B);
	// bDelay B's.
	aDelay, bDelay = 20, 15
	aBalance       = 600_000_000 // msat
)

// side is one node of a test channel: its key manager, signer and monitor.
type side struct {
	mgr    *keys.Manager
	signer *keys.InMemorySigner
	ch     *commit.Channel
	mon    *monitor.ChannelMonitor
}

// signers is the SignerSource of a side.
func (s *side) signers() spendable.SignerSource {
	return func(id [32]byte) (spendable.Signer, error) { return s.mgr.ChannelKeys(id), nil }
}

// testChannel is a funded channel between A (the opener) and B with a
// monitor on each side, watching a simchain.
type testChannel struct {
	chain *simchain.Chain
	a, b  *side
	typ   commit.ChannelType
}

func newSide(n byte) *side {
	var seed keys.Seed
	for i := range seed {
		seed[i] = n*7 + byte(i)
	}
	m := keys.NewManager(seed, keys.Config{})
	id := m.NewChannelKeyID()
	return &side{mgr: m, signer: m.ChannelKeys(id)}
}

func party(s *keys.InMemorySigner, delay uint16) commit.Party {
	bp := s.Basepoints()
	return commit.Party{
		Basepoints: commit.Basepoints{
			Funding: bp.FundingKey, Revocation: bp.RevocationBasepoint, Payment: bp.PaymentBasepoint,
			DelayedPayment: bp.DelayedPaymentBasepoint, HTLC: bp.HTLCBasepoint,
		},
		DustLimit: commit.MinDustLimit,
		CSVDelay:  delay,
	}
}

// state is commitment number n seen from a side whose balance is mine.
func state(t testing.TB, n uint64, point *keys.InMemorySigner, mine lnwire.MilliSatoshi) *commit.State {
	t.Helper()
	pcp, err := point.PerCommitmentPoint(n)
	require.NoError(t, err)
	return &commit.State{
		Number: n, PerCommitmentPoint: pcp,
		LocalBalance: mine, RemoteBalance: capacity*1000 - mine, FeeRate: lnwire.FeeRateFloor,
	}
}

// secret is signer's per-commitment secret of commitment number n.
func secret(t testing.TB, signer *keys.InMemorySigner, n uint64) [32]byte {
	t.Helper()
	s, err := signer.PerCommitmentSecret(n)
	require.NoError(t, err)
	return s
}

// holderStep is owner's commitment n signed by the other side.
func holderStep(t testing.TB, owner, other *side, n uint64, ownerBalance lnwire.MilliSatoshi) *monitor.NewHolderCommitment {
	t.Helper()
	cm, err := other.ch.Build(commit.Remote, state(t, n, owner.signer, capacity*1000-ownerBalance))
	require.NoError(t, err)
	sigs, err := cm.SignAsCounterparty(other.signer)
	require.NoError(t, err)
	if len(sigs.HTLCs) == 0 {
		sigs.HTLCs = nil // as decoded
	}
	return &monitor.NewHolderCommitment{State: state(t, n, owner.signer, ownerBalance), CounterpartySig: sigs.Commitment, HTLCSigs: sigs.HTLCs}
}

func newTestChannel(t testing.TB, typ commit.ChannelType) *testChannel {
	t.Helper()
	return newTestChannelOn(t, typ, simchain.Config{})
}

// newTestChannelOn is newTestChannel on a chain configured by cfg.
func newTestChannelOn(t testing.TB, typ commit.ChannelType, cfg simchain.Config) *testChannel {
	t.Helper()
	c, err := simchain.New(cfg)
	require.NoError(t, err)
	a, b := newSide(1), newSide(2)
	fundingOut, _ := commit.FundingOutput(a.signer.Basepoints().FundingKey, b.signer.Basepoints().FundingKey, capacity)
	op, err := c.Fund(fundingOut.PkScript, capacity)
	require.NoError(t, err)
	pa := commit.Params{Type: typ, FundingOutpoint: op, Capacity: capacity, Opener: commit.Local,
		Local: party(a.signer, aDelay), Remote: party(b.signer, bDelay)}
	pb := commit.Params{Type: typ, FundingOutpoint: op, Capacity: capacity, Opener: commit.Remote,
		Local: party(b.signer, bDelay), Remote: party(a.signer, aDelay)}
	a.ch, err = commit.New(pa)
	require.NoError(t, err)
	b.ch, err = commit.New(pb)
	require.NoError(t, err)
	a.mon, err = monitor.New(monitor.Config{
		Params: pa, ChannelKeyID: a.signer.KeyID(),
		FirstHolder:       holderStep(t, a, b, 0, aBalance),
		FirstCounterparty: &monitor.NewCounterpartyCommitment{State: state(t, 0, b.signer, aBalance)},
	})
	require.NoError(t, err)
	b.mon, err = monitor.New(monitor.Config{
		Params: pb, ChannelKeyID: b.signer.KeyID(),
		FirstHolder:       holderStep(t, b, a, 0, capacity*1000-aBalance),
		FirstCounterparty: &monitor.NewCounterpartyCommitment{State: state(t, 0, a.signer, capacity*1000-aBalance)},
	})
	require.NoError(t, err)
	return &testChannel{chain: c, a: a, b: b, typ: typ}
}

// sweep spends out with the side's signer to a P2WPKH of its payment key,
// paying fee, and returns the transaction (not broadcast).
func sweep(t *testing.T, s *side, out spendable.Output, fee int64) *btcwire.MsgTx {
	t.Helper()
	signer, err := s.signers()(out.ChannelKeyID)
	require.NoError(t, err)
	bp := signer.Basepoints()
	tx := btcwire.NewMsgTx(2)
	in := btcwire.NewTxIn(&out.OutPoint, nil, nil)
	tx.AddTxIn(in)
	tx.AddTxOut(btcwire.NewTxOut(int64(out.Value)-fee, commit.P2WPKH(bp.PaymentBasepoint)))
	var script []byte
	switch out.Kind {
	case spendable.ToLocalDelayed:
		in.Sequence = uint32(out.ToSelfDelay)
		script = commit.ToLocalScript(out.RevocationPubKey, keys.DerivePubKey(bp.DelayedPaymentBasepoint, out.PerCommitmentPoint), out.ToSelfDelay)
	case spendable.AnchorToRemote:
		in.Sequence = 1
		script = commit.ToRemoteAnchorScript(bp.PaymentBasepoint)
	case spendable.StaticRemote:
		script = out.PkScript
	default:
		t.Fatalf("kind %v", out.Kind)
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(out.PkScript, int64(out.Value))
	h, err := txscript.CalcWitnessSigHash(script, txscript.NewTxSigHashes(tx, fetcher), txscript.SigHashAll, tx, 0, int64(out.Value))
	require.NoError(t, err)
	d := lnwire.Digest(h)
	switch out.Kind {
	case spendable.ToLocalDelayed:
		sig, err := signer.SignDelayedPayment(out.PerCommitmentPoint, d)
		require.NoError(t, err)
		in.Witness, err = commit.ToLocalDelayedWitness(sig, script)
		require.NoError(t, err)
	case spendable.AnchorToRemote:
		sig, err := signer.SignPayment(d)
		require.NoError(t, err)
		in.Witness, err = commit.ToRemoteAnchorWitness(sig, script)
		require.NoError(t, err)
	default:
		sig, err := signer.SignPayment(d)
		require.NoError(t, err)
		in.Witness, err = commit.ToRemoteWitness(sig, bp.PaymentBasepoint)
		require.NoError(t, err)
	}
	return tx
}

const (
	timeout = 5 * time.Second
	tick    = time.Millisecond
)

func lnwireMsat(v uint64) lnwire.MilliSatoshi { return lnwire.MilliSatoshi(v) }

// connectedChannel is a test channel whose monitors follow its chain, and
// A's signed commitment (not broadcast).
func connectedChannel(t *testing.T, typ commit.ChannelType) (*testChannel, *btcwire.MsgTx) {
	t.Helper()
	ch := newTestChannel(t, typ)
	ch.chain.Connect(ch.a.mon, ch.b.mon)
	tx, err := ch.a.mon.LatestHolderCommitmentTx(ch.a.signer)
	require.NoError(t, err)
	return ch, tx
}
