package commit

import (
	"bytes"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

type bolt3Vectors struct {
	FundingTransaction struct {
		Block1CoinbaseTx     string `json:"block1_coinbase_tx"`
		Block1CoinbasePriv   string `json:"block1_coinbase_privkey"`
		LocalFundingPubkey   string `json:"local_funding_pubkey"`
		RemoteFundingPubkey  string `json:"remote_funding_pubkey"`
		InputTxid            string `json:"input_txid"`
		InputIndex           uint32 `json:"input_index"`
		InputSatoshis        int64  `json:"input_satoshis"`
		FundingSatoshis      int64  `json:"funding_satoshis"`
		ChangeSatoshis       int64  `json:"change_satoshis"`
		FundingOutputIndex   int    `json:"funding_output_index"`
		FundingTx            string `json:"funding_tx"`
		FundingWitnessScript string `json:"funding_witness_script"`
		FundingTxid          string `json:"funding_txid"`
	} `json:"funding_transaction"`
	StaticInputs struct {
		FundingTxID            string `json:"funding_tx_id"`
		FundingOutputIndex     uint32 `json:"funding_output_index"`
		FundingAmountSatoshi   uint64 `json:"funding_amount_satoshi"`
		CommitmentNumber       uint64 `json:"commitment_number"`
		LocalDelay             uint16 `json:"local_delay"`
		LocalDustLimitSatoshi  uint64 `json:"local_dust_limit_satoshi"`
		LocalPaymentBasepoint  string `json:"local_payment_basepoint"`
		RemotePaymentBasepoint string `json:"remote_payment_basepoint"`
		LocalHTLCBasepoint     string `json:"local_htlc_basepoint"`
		RemoteHTLCBasepoint    string `json:"remote_htlc_basepoint"`
		LocalFundingPubkey     string `json:"local_funding_pubkey"`
		RemoteFundingPubkey    string `json:"remote_funding_pubkey"`
		LocalHTLCPubkey        string `json:"local_htlcpubkey"`
		RemoteHTLCPubkey       string `json:"remote_htlcpubkey"`
		LocalDelayedPubkey     string `json:"local_delayedpubkey"`
		LocalRevocationPubkey  string `json:"local_revocation_pubkey"`
		ObscuringFactor        string `json:"obscuring_factor"`
		FundingWitnessScript   string `json:"funding_witness_script"`
	} `json:"static_inputs"`
	Privkeys struct {
		LocalFunding        string `json:"local_funding_privkey"`
		RemoteFunding       string `json:"remote_funding_privkey"`
		LocalPaymentBase    string `json:"local_payment_basepoint_secret"`
		RemotePaymentBase   string `json:"remote_payment_basepoint_secret"`
		RemoteRevocationBas string `json:"remote_revocation_basepoint_secret"`
		LocalDelayedBase    string `json:"local_delayed_payment_basepoint_secret"`
		LocalPrivkey        string `json:"local_privkey"`
		RemotePrivkey       string `json:"remote_privkey"`
	} `json:"privkeys_32byte"`
	Internal struct {
		RemoteRevocationBasepoint     string `json:"remote_revocation_basepoint"`
		LocalDelayedPaymentBasepoint  string `json:"local_delayed_payment_basepoint"`
		LocalPerCommitmentPoint       string `json:"local_per_commitment_point"`
		XLocalPerCommitmentSecretComp string `json:"x_local_per_commitment_secret"`
	} `json:"internal_values"`
	HTLCs []struct {
		ID         uint64 `json:"id"`
		Direction  string `json:"direction"`
		AmountMsat uint64 `json:"amount_msat"`
		Expiry     uint32 `json:"expiry"`
		Preimage   string `json:"payment_preimage"`
		Hash       string `json:"payment_hash"`
	} `json:"htlcs"`
	LegacyCases []struct {
		Name           string  `json:"name"`
		ToLocalMsat    uint64  `json:"to_local_msat"`
		ToRemoteMsat   uint64  `json:"to_remote_msat"`
		FeeRate        uint32  `json:"local_feerate_per_kw"`
		HTLCIDs        []int   `json:"htlc_ids"`
		BaseFee        *uint64 `json:"expected_base_fee_sat"`
		ActualFee      *uint64 `json:"expected_actual_fee_sat"`
		CommentOutputs []struct {
			Type          string `json:"type"`
			HTLCID        int    `json:"htlc_id"`
			AmountSat     uint64 `json:"amount_sat"`
			WitnessScript string `json:"witness_script"`
			P2WPKHPubkey  string `json:"p2wpkh_pubkey"`
		} `json:"comment_outputs"`
		RemoteSignature string `json:"remote_signature"`
		LocalSignature  string `json:"local_signature"`
		CommitTx        string `json:"commit_tx"`
		NumHTLCs        int    `json:"num_htlcs"`
		HTLCTxs         []struct {
			CommitOutputIndex int    `json:"commit_output_index"`
			Type              string `json:"type"`
			HTLCID            int    `json:"htlc_id"`
			RemoteSig         string `json:"remote_htlc_signature"`
			LocalSig          string `json:"local_htlc_signature"`
			Tx                string `json:"tx"`
		} `json:"htlc_txs"`
	} `json:"legacy_cases"`
	AnchorsCases []struct {
		Name           string
		LocalBalance   uint64
		RemoteBalance  uint64
		DustLimit      uint64 `json:"DustLimitSatoshis"`
		FeePerKw       uint32
		UseTestHtlcs   bool
		DerivedHTLCIDs []int `json:"derived_htlc_ids"`
		HtlcDescs      []struct {
			RemoteSigHex    string
			ResolutionTxHex string
			Derived         struct {
				CommitOutputIndex int    `json:"commit_output_index"`
				Type              string `json:"type"`
				HTLCID            int    `json:"htlc_id"`
			} `json:"derived"`
		}
		ExpectedCommitmentTxHex string
		RemoteSigHex            string
	} `json:"anchors_cases"`
	FeeExample struct {
		FeeRate        uint32   `json:"feerate_per_kw"`
		DustLimit      uint64   `json:"dust_limit_satoshis"`
		Offered        []uint64 `json:"offered_htlcs_msat"`
		Received       []uint64 `json:"received_htlcs_msat"`
		TimeoutWeight  uint64   `json:"htlc_timeout_weight"`
		TimeoutFee     uint64   `json:"htlc_timeout_fee_sat"`
		SuccessWeight  uint64   `json:"htlc_success_weight"`
		SuccessFee     uint64   `json:"htlc_success_fee_sat"`
		CommitWeight   uint64   `json:"commitment_weight"`
		BaseFee        uint64   `json:"base_fee_sat"`
		ActualFee      uint64   `json:"actual_fee_sat"`
		UntrimmedCount int      `json:"-"`
	} `json:"fee_example"`
}

func loadBolt3(t *testing.T) *bolt3Vectors {
	t.Helper()
	var v bolt3Vectors
	loadJSON(t, "bolt03-commitment.json", &v)
	require.Len(t, v.LegacyCases, 16, "unexpected vector counts: %d legacy, %d anchors, %d htlcs", len(v.LegacyCases), len(v.AnchorsCases), len(v.HTLCs))
	require.Len(t, v.AnchorsCases, 9, "unexpected vector counts: %d legacy, %d anchors, %d htlcs", len(v.LegacyCases), len(v.AnchorsCases), len(v.HTLCs))
	require.Len(t, v.HTLCs, 7, "unexpected vector counts: %d legacy, %d anchors, %d htlcs", len(v.LegacyCases), len(v.AnchorsCases), len(v.HTLCs))
	return &v
}

// vectorSetup is the channel of Appendix C seen from the local side.
type vectorSetup struct {
	params        Params
	local, remote *testSigner
	pcp           *btcec.PublicKey
	htlcs         map[int]HTLC
	preimages     map[int]wire.Preimage
}

func newVectorSetup(t *testing.T, v *bolt3Vectors, typ ChannelType, dust wire.Satoshi) *vectorSetup {
	t.Helper()
	si := &v.StaticInputs
	txid, err := chainhash.NewHashFromStr(si.FundingTxID)
	require.NoError(t, err)
	// Keys the vectors do not use get unrelated valid points.
	unused, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x55}, 32))
	local := &testSigner{
		funding:        mustPriv(t, v.Privkeys.LocalFunding),
		payment:        mustPriv(t, v.Privkeys.LocalPaymentBase),
		htlcBase:       mustPriv(t, v.Privkeys.LocalPaymentBase), // htlc basepoint = payment basepoint
		delayedBase:    mustPriv(t, v.Privkeys.LocalDelayedBase),
		revocationBase: unused,
	}
	remote := &testSigner{
		funding:        mustPriv(t, v.Privkeys.RemoteFunding),
		payment:        mustPriv(t, v.Privkeys.RemotePaymentBase),
		htlcBase:       mustPriv(t, v.Privkeys.RemotePaymentBase),
		delayedBase:    unused,
		revocationBase: mustPriv(t, v.Privkeys.RemoteRevocationBas),
	}
	// The secrets must give the published points.
	for _, c := range []struct {
		got  *btcec.PublicKey
		want string
	}{
		{local.funding.PubKey(), si.LocalFundingPubkey},
		{remote.funding.PubKey(), si.RemoteFundingPubkey},
		{local.payment.PubKey(), si.LocalPaymentBasepoint},
		{local.htlcBase.PubKey(), si.LocalHTLCBasepoint},
		{remote.payment.PubKey(), si.RemotePaymentBasepoint},
		{remote.htlcBase.PubKey(), si.RemoteHTLCBasepoint},
		{local.delayedBase.PubKey(), v.Internal.LocalDelayedPaymentBasepoint},
		{remote.revocationBase.PubKey(), v.Internal.RemoteRevocationBasepoint},
	} {
		got := hex.EncodeToString(c.got.SerializeCompressed())
		require.Equal(t, c.want, got, "key mismatch: %s, want %s", got, c.want)
	}
	s := &vectorSetup{
		params: Params{
			Type:            typ,
			FundingOutpoint: btcwire.OutPoint{Hash: *txid, Index: si.FundingOutputIndex},
			Capacity:        wire.Satoshi(si.FundingAmountSatoshi),
			Opener:          Local,
			Local:           Party{Basepoints: local.basepoints(), DustLimit: dust, CSVDelay: si.LocalDelay},
			Remote:          Party{Basepoints: remote.basepoints(), DustLimit: 546, CSVDelay: 6},
		},
		local:     local,
		remote:    remote,
		pcp:       mustPub(t, v.Internal.LocalPerCommitmentPoint),
		htlcs:     map[int]HTLC{},
		preimages: map[int]wire.Preimage{},
	}
	for _, h := range v.HTLCs {
		var p wire.Preimage
		copy(p[:], mustHex(t, h.Preimage))
		offerer := Local
		if h.Direction == "remote->local" {
			offerer = Remote
		}
		hh := HTLC{ID: h.ID, Offerer: offerer, Amount: wire.MilliSatoshi(h.AmountMsat), PaymentHash: p.Hash(), CLTVExpiry: h.Expiry}
		require.Equal(t, h.Hash, hex.EncodeToString(hh.PaymentHash[:]), "htlc %d: payment hash mismatch", h.ID)
		s.htlcs[int(h.ID)] = hh
		s.preimages[int(h.ID)] = p
	}
	return s
}

func (s *vectorSetup) state(toLocal, toRemote uint64, rate uint32, ids []int) *State {
	st := &State{
		Number:             42,
		PerCommitmentPoint: s.pcp,
		LocalBalance:       wire.MilliSatoshi(toLocal),
		RemoteBalance:      wire.MilliSatoshi(toRemote),
		FeeRate:            wire.FeeRate(rate),
	}
	for _, id := range ids {
		st.HTLCs = append(st.HTLCs, s.htlcs[id])
	}
	return st
}

func txHex(t *testing.T, tx *btcwire.MsgTx) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, tx.Serialize(&b))
	return hex.EncodeToString(b.Bytes())
}

func TestFundingTransactionVector(t *testing.T) {
	v := loadBolt3(t)
	f := &v.FundingTransaction
	local, remote := mustPub(t, f.LocalFundingPubkey), mustPub(t, f.RemoteFundingPubkey)
	got := hex.EncodeToString(FundingScript(local, remote))
	require.Equal(t, f.FundingWitnessScript, got, "funding script %s", got)
	got = hex.EncodeToString(FundingScript(remote, local))
	require.Equal(t, f.FundingWitnessScript, got, "funding script (swapped) %s", got)

	// Rebuild the whole funding transaction: it spends the block 1
	// coinbase (P2PKH) and pays the 2-of-2 plus a P2WPKH change to the
	// coinbase key, in BIP69 order.
	coinbase := btcwire.NewMsgTx(1)
	require.NoError(t, coinbase.Deserialize(bytes.NewReader(mustHex(t, f.Block1CoinbaseTx))))
	require.Equal(t, f.InputTxid, coinbase.TxHash().String(), "coinbase txid %s", coinbase.TxHash())
	priv := mustPriv(t, f.Block1CoinbasePriv)
	out, _ := FundingOutput(local, remote, wire.Satoshi(f.FundingSatoshis))
	change := btcwire.NewTxOut(f.ChangeSatoshis, P2WPKH(priv.PubKey()))
	tx := btcwire.NewMsgTx(2)
	tx.AddTxIn(btcwire.NewTxIn(&btcwire.OutPoint{Hash: coinbase.TxHash(), Index: f.InputIndex}, nil, nil))
	tx.AddTxOut(out)
	tx.AddTxOut(change)
	require.Equal(t, 0, f.FundingOutputIndex, "vector's output order changed")
	require.LessOrEqual(t, out.Value, change.Value, "vector's output order changed")
	prevPk := coinbase.TxOut[f.InputIndex].PkScript
	sigScript, err := txscript.SignatureScript(tx, 0, prevPk, txscript.SigHashAll, priv, true)
	require.NoError(t, err)
	tx.TxIn[0].SignatureScript = sigScript
	got = txHex(t, tx)
	require.Equal(t, f.FundingTx, got, "funding tx\n got %s\nwant %s", got, f.FundingTx)
	require.Equal(t, f.FundingTxid, tx.TxHash().String(), "funding txid %s", tx.TxHash())
	require.Equal(t, v.StaticInputs.FundingTxID, f.FundingTxid, "funding txid %s", tx.TxHash())
	fee := f.InputSatoshis - f.FundingSatoshis - f.ChangeSatoshis
	require.Greater(t, fee, int64(0), "no fee")
	runEngine(t, tx, 0, coinbase.TxOut[f.InputIndex].PkScript, f.InputSatoshis)
}

func TestStaticInputs(t *testing.T) {
	v := loadBolt3(t)
	s := newVectorSetup(t, v, StaticRemoteKey, 546)
	ch, err := New(s.params)
	require.NoError(t, err)
	si := &v.StaticInputs
	got := hex.EncodeToString(ch.FundingScript())
	require.Equal(t, si.FundingWitnessScript, got, "funding script %s", got)
	f := ObscuringFactor(s.local.payment.PubKey(), s.remote.payment.PubKey())
	got = hex.EncodeToString([]byte{byte(f >> 40), byte(f >> 32), byte(f >> 24), byte(f >> 16), byte(f >> 8), byte(f)})
	require.Equal(t, si.ObscuringFactor, got, "obscuring factor %s, want %s", got, si.ObscuringFactor)
	k, err := ch.DeriveKeys(Local, s.pcp)
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		got  *btcec.PublicKey
		want string
	}{
		{"local_htlcpubkey", k.LocalHTLC, si.LocalHTLCPubkey},
		{"remote_htlcpubkey", k.RemoteHTLC, si.RemoteHTLCPubkey},
		{"local_delayedpubkey", k.LocalDelayed, si.LocalDelayedPubkey},
		{"local_revocation_pubkey", k.Revocation, si.LocalRevocationPubkey},
		{"remotepubkey", k.RemotePayment, si.RemotePaymentBasepoint},
	} {
		got := hex.EncodeToString(c.got.SerializeCompressed())
		require.Equal(t, c.want, got, "%s = %s, want %s", c.name, got, c.want)
	}
	// local_privkey and remote_privkey are the derived HTLC keys.
	got = hex.EncodeToString(s.local.htlcKey(s.pcp).Serialize())
	require.Equal(t, v.Privkeys.LocalPrivkey, got, "local_privkey %s", got)
	got = hex.EncodeToString(s.remote.htlcKey(s.pcp).Serialize())
	require.Equal(t, v.Privkeys.RemotePrivkey, got, "remote_privkey %s", got)
	// Number 42 round-trips through the locktime and sequence.
	cm, err := ch.Build(Local, s.state(7_000_000_000, 3_000_000_000, 15000, nil))
	require.NoError(t, err)
	n, ok := ch.CommitmentNumber(cm.Tx.LockTime, cm.Tx.TxIn[0].Sequence)
	require.True(t, ok, "commitment number %d %v", n, ok)
	require.Equal(t, si.CommitmentNumber, n, "commitment number %d %v", n, ok)
}

// checkVectorCommitment signs cm with both parties and compares every
// signature and transaction to the vector.
func checkVectorCommitment(t *testing.T, s *vectorSetup, cm *Commitment, remoteSigHex, localSigHex, commitTx string, htlcTxs []vectorHTLCTx) {
	t.Helper()
	remoteSigs, err := cm.SignAsCounterparty(s.remote)
	require.NoError(t, err)
	localSigs, err := cm.SignAsOwner(s.local)
	require.NoError(t, err)
	got := derHex(t, remoteSigs.Commitment)
	require.Equal(t, remoteSigHex, got, "remote signature\n got %s\nwant %s", got, remoteSigHex)
	if localSigHex != "" {
		got := derHex(t, localSigs.Commitment)
		require.Equal(t, localSigHex, got, "local signature\n got %s\nwant %s", got, localSigHex)
	}
	require.NoError(t, cm.VerifyCounterparty(remoteSigs), "verify counterparty")
	require.NoError(t, cm.VerifyOwner(localSigs), "verify owner")
	// The vector's signature, parsed, verifies too.
	vecSigs := Signatures{Commitment: sigFromDERHex(t, remoteSigHex)}
	for _, h := range htlcTxs {
		vecSigs.HTLCs = append(vecSigs.HTLCs, sigFromDERHex(t, h.remoteSig))
	}
	require.NoError(t, cm.VerifyCounterparty(vecSigs), "verify vector signatures")

	signed, err := cm.SignedTx(localSigs.Commitment, remoteSigs.Commitment)
	require.NoError(t, err)
	got = txHex(t, signed)
	require.Equal(t, commitTx, got, "commit tx\n got %s\nwant %s", got, commitTx)
	runEngine(t, signed, 0, cm.Channel().FundingPkScript(), int64(cm.Channel().Params().Capacity))

	require.Len(t, htlcTxs, len(cm.HTLCOutputs), "%d htlc outputs, vector has %d htlc txs", len(cm.HTLCOutputs), len(htlcTxs))
	for j, h := range htlcTxs {
		i := cm.HTLCOutputs[j]
		require.Equal(t, h.outputIndex, i, "htlc tx %d: output %d, want %d", j, i, h.outputIndex)
		o := cm.Outputs[i]
		require.Equal(t, h.htlcID, int(o.HTLC.ID), "output %d: htlc %d, want %d", i, o.HTLC.ID, h.htlcID)
		wantKind := OfferedHTLCOutput
		if h.success {
			wantKind = ReceivedHTLCOutput
		}
		require.Equal(t, wantKind, o.Kind, "output %d: kind %v, want %v", i, o.Kind, wantKind)
		got := derHex(t, remoteSigs.HTLCs[j])
		require.Equal(t, h.remoteSig, got, "htlc %d remote sig\n got %s\nwant %s", j, got, h.remoteSig)
		if h.localSig != "" {
			got := derHex(t, localSigs.HTLCs[j])
			require.Equal(t, h.localSig, got, "htlc %d local sig\n got %s\nwant %s", j, got, h.localSig)
		}
		var pre *wire.Preimage
		if h.success {
			p := s.preimages[h.htlcID]
			pre = &p
		}
		htx, err := cm.SignedHTLCTx(i, localSigs.HTLCs[j], remoteSigs.HTLCs[j], pre)
		require.NoError(t, err)
		got = txHex(t, htx)
		require.Equal(t, h.tx, got, "htlc tx %d\n got %s\nwant %s", j, got, h.tx)
		runEngine(t, htx, 0, o.PkScript, int64(o.Amount))
	}
}

type vectorHTLCTx struct {
	outputIndex int
	htlcID      int
	success     bool
	remoteSig   string
	localSig    string
	tx          string
}

func TestLegacyVectors(t *testing.T) {
	v := loadBolt3(t)
	s := newVectorSetup(t, v, StaticRemoteKey, wire.Satoshi(v.StaticInputs.LocalDustLimitSatoshi))
	ch, err := New(s.params)
	require.NoError(t, err)
	htlcTxCount := 0
	for _, tc := range v.LegacyCases {
		t.Run(tc.Name, func(t *testing.T) {
			cm, err := ch.Build(Local, s.state(tc.ToLocalMsat, tc.ToRemoteMsat, tc.FeeRate, tc.HTLCIDs))
			require.NoError(t, err)
			if tc.BaseFee != nil {
				require.Equal(t, *tc.BaseFee, uint64(cm.Outline.BaseFee), "base fee")
			}
			if tc.ActualFee != nil {
				require.Equal(t, *tc.ActualFee, uint64(cm.Fee), "actual fee")
			}
			require.Len(t, cm.HTLCOutputs, tc.NumHTLCs, "%d htlc outputs, want %d", len(cm.HTLCOutputs), tc.NumHTLCs)
			// Every commented output is in the transaction with its script.
			for _, co := range tc.CommentOutputs {
				found := slices.ContainsFunc(cm.Outputs, func(o Output) bool {
					if uint64(o.Amount) != co.AmountSat {
						return false
					}
					switch co.Type {
					case "to_remote":
						return o.Kind == ToRemoteOutput && bytes.Equal(o.PkScript, P2WPKH(mustPub(t, co.P2WPKHPubkey)))
					case "to_local":
						return o.Kind == ToLocalOutput && hex.EncodeToString(o.WitnessScript) == co.WitnessScript
					case "htlc_offered", "htlc_received":
						wantKind := OfferedHTLCOutput
						if co.Type == "htlc_received" {
							wantKind = ReceivedHTLCOutput
						}
						return o.Kind == wantKind && int(o.HTLC.ID) == co.HTLCID && hex.EncodeToString(o.WitnessScript) == co.WitnessScript
					}
					return false
				})
				require.True(t, found, "output %+v not found", co)
			}
			var htlcTxs []vectorHTLCTx
			for _, h := range tc.HTLCTxs {
				htlcTxs = append(htlcTxs, vectorHTLCTx{h.CommitOutputIndex, h.HTLCID, h.Type == "htlc_success", h.RemoteSig, h.LocalSig, h.Tx})
			}
			htlcTxCount += len(htlcTxs)
			checkVectorCommitment(t, s, cm, tc.RemoteSignature, tc.LocalSignature, tc.CommitTx, htlcTxs)
		})
	}
	require.Equal(t, 33, htlcTxCount, "checked %d legacy htlc txs, want 33", htlcTxCount)
}

func TestAnchorsVectors(t *testing.T) {
	v := loadBolt3(t)
	htlcTxCount := 0
	for _, tc := range v.AnchorsCases {
		t.Run(tc.Name, func(t *testing.T) {
			s := newVectorSetup(t, v, AnchorsZeroFeeHTLC, wire.Satoshi(tc.DustLimit))
			ch, err := New(s.params)
			require.NoError(t, err)
			ids := tc.DerivedHTLCIDs
			if !tc.UseTestHtlcs {
				require.Empty(t, ids, "htlcs in a case without test htlcs")
			}
			cm, err := ch.Build(Local, s.state(tc.LocalBalance, tc.RemoteBalance, tc.FeePerKw, ids))
			require.NoError(t, err)
			var htlcTxs []vectorHTLCTx
			for _, h := range tc.HtlcDescs {
				htlcTxs = append(htlcTxs, vectorHTLCTx{h.Derived.CommitOutputIndex, h.Derived.HTLCID, h.Derived.Type == "htlc_success", h.RemoteSigHex, "", h.ResolutionTxHex})
			}
			htlcTxCount += len(htlcTxs)
			checkVectorCommitment(t, s, cm, tc.RemoteSigHex, "", tc.ExpectedCommitmentTxHex, htlcTxs)
		})
	}
	require.Equal(t, 15, htlcTxCount, "checked %d anchors htlc txs, want 15", htlcTxCount)
}

func TestFeeExample(t *testing.T) {
	v := loadBolt3(t)
	fe := &v.FeeExample
	rate := wire.FeeRate(fe.FeeRate)
	dust := wire.Satoshi(fe.DustLimit)
	got := HTLCTimeoutFee(StaticRemoteKey, rate)
	require.Equal(t, fe.TimeoutFee, uint64(got), "timeout fee %d", got)
	require.Equal(t, uint64(HTLCTimeoutWeight), fe.TimeoutWeight, "timeout fee %d", got)
	got = HTLCSuccessFee(StaticRemoteKey, rate)
	require.Equal(t, fe.SuccessFee, uint64(got), "success fee %d", got)
	require.Equal(t, uint64(HTLCSuccessWeight), fe.SuccessWeight, "success fee %d", got)

	// Build a commitment holding the example's HTLCs (local offers the
	// "offered" ones) and check its weight and fees.
	priv := func(b byte) *btcec.PrivateKey { k, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{b}, 32)); return k }
	bp := func(b byte) Basepoints {
		return Basepoints{Funding: priv(b).PubKey(), Revocation: priv(b + 1).PubKey(), Payment: priv(b + 2).PubKey(), DelayedPayment: priv(b + 3).PubKey(), HTLC: priv(b + 4).PubKey()}
	}
	ch, err := New(Params{
		Type: StaticRemoteKey, Capacity: 1_000_000, Opener: Local,
		Local:  Party{Basepoints: bp(1), DustLimit: dust, CSVDelay: 144},
		Remote: Party{Basepoints: bp(10), DustLimit: dust, CSVDelay: 144},
	})
	require.NoError(t, err)
	st := &State{PerCommitmentPoint: priv(30).PubKey(), FeeRate: rate}
	var htlcTotal uint64
	for _, a := range fe.Offered {
		st.HTLCs = append(st.HTLCs, HTLC{Offerer: Local, Amount: wire.MilliSatoshi(a), CLTVExpiry: 500})
		htlcTotal += a
	}
	for _, a := range fe.Received {
		st.HTLCs = append(st.HTLCs, HTLC{Offerer: Remote, Amount: wire.MilliSatoshi(a), CLTVExpiry: 500})
		htlcTotal += a
	}
	st.RemoteBalance = 300_000_000
	st.LocalBalance = wire.MilliSatoshi(1_000_000_000 - 300_000_000 - htlcTotal)
	cm, err := ch.Build(Local, st)
	require.NoError(t, err)
	w := CommitmentWeight(StaticRemoteKey, cm.Outline.Untrimmed)
	require.Equal(t, fe.CommitWeight, w, "commitment weight %d, want %d", w, fe.CommitWeight)
	require.Equal(t, fe.BaseFee, uint64(cm.Outline.BaseFee), "base fee %d, want %d", cm.Outline.BaseFee, fe.BaseFee)
	require.Equal(t, fe.ActualFee, uint64(cm.Fee), "actual fee %d, want %d", cm.Fee, fe.ActualFee)
	require.Len(t, cm.Trimmed, 2, "%d trimmed, %d htlc outputs", len(cm.Trimmed), len(cm.HTLCOutputs))
	require.Len(t, cm.HTLCOutputs, 2, "%d trimmed, %d htlc outputs", len(cm.Trimmed), len(cm.HTLCOutputs))
	for _, i := range cm.HTLCOutputs {
		tx, err := cm.HTLCTx(i)
		require.NoError(t, err)
		want := map[wire.Satoshi]int64{5000: 1685, 7000: 3485}[cm.Outputs[i].Amount]
		require.Equal(t, want, tx.TxOut[0].Value, "htlc tx of %d sat pays %d, want %d", cm.Outputs[i].Amount, tx.TxOut[0].Value, want)
	}
}
