package wallet

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	btcwire "github.com/btcsuite/btcd/wire"
)

// txInput is one input of a transaction the wallet builds: a wallet coin
// (Key set) or an input signed elsewhere (Witness set by signExternal).
type txInput struct {
	OutPoint btcwire.OutPoint
	Value    int64
	PkScript []byte
	Sequence uint32
	// LockTime is the lowest locktime the input needs (CLTV).
	LockTime uint32
	// Wallet is set for wallet coins, signed with the key at Key.
	Wallet bool
	Key    keyRef
	// External signs an input that is not a wallet coin: it returns the
	// witness given the transaction's sighash cache.
	External func(tx *btcwire.MsgTx, idx int, hashes *txscript.TxSigHashes) (btcwire.TxWitness, error)
}

// buildAndSign builds the transaction as a PSBT, signs every input (wallet
// coins with the wallet's keys, others through External), finalises,
// extracts it, and checks every input with the script engine.
func (w *Wallet) buildAndSign(inputs []txInput, outputs []*btcwire.TxOut, lockTime uint32) (*btcwire.MsgTx, error) {
	ops := make([]*btcwire.OutPoint, len(inputs))
	seqs := make([]uint32, len(inputs))
	for i := range inputs {
		ops[i] = &inputs[i].OutPoint
		seqs[i] = inputs[i].Sequence
	}
	packet, err := psbt.New(ops, outputs, 2, lockTime, seqs)
	if err != nil {
		return nil, fmt.Errorf("wallet: psbt: %w", err)
	}
	upd, err := psbt.NewUpdater(packet)
	if err != nil {
		return nil, fmt.Errorf("wallet: psbt: %w", err)
	}
	prevOuts := txscript.NewMultiPrevOutFetcher(nil)
	for i, in := range inputs {
		out := btcwire.NewTxOut(in.Value, in.PkScript)
		if err := upd.AddInWitnessUtxo(out, i); err != nil {
			return nil, fmt.Errorf("wallet: psbt input %d: %w", i, err)
		}
		prevOuts.AddPrevOut(in.OutPoint, out)
	}
	tx := packet.UnsignedTx
	hashes := txscript.NewTxSigHashes(tx, prevOuts)
	for i, in := range inputs {
		if in.Wallet {
			err = w.signWalletInput(packet, upd, i, in, hashes)
		} else {
			err = signExternalInput(packet, i, in, hashes)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := psbt.MaybeFinalizeAll(packet); err != nil {
		return nil, fmt.Errorf("%w: finalise: %v", ErrSigning, err)
	}
	signed, err := psbt.Extract(packet)
	if err != nil {
		return nil, fmt.Errorf("%w: extract: %v", ErrSigning, err)
	}
	if err := verifyInputs(signed, prevOuts); err != nil {
		return nil, err
	}
	return signed, nil
}

// signWalletInput signs a wallet coin after checking that the key at
// in.Key really produces the coin's script.
func (w *Wallet) signWalletInput(packet *psbt.Packet, upd *psbt.Updater, i int, in txInput, hashes *txscript.TxSigHashes) error {
	priv, err := w.kc.privKey(in.Key)
	if err != nil {
		return err
	}
	defer priv.Zero()
	t := in.Key.Branch.addrType()
	script, err := scriptFor(t, priv.PubKey())
	if err != nil {
		return err
	}
	if !bytes.Equal(script, in.PkScript) {
		return &OutputError{OutPoint: in.OutPoint, Err: ErrUnknownOutput}
	}
	tx := packet.UnsignedTx
	if t == P2TR {
		sig, err := txscript.RawTxInTaprootSignature(tx, hashes, i, in.Value, in.PkScript, nil, txscript.SigHashDefault, priv)
		if err != nil {
			return fmt.Errorf("wallet: sign input %d: %w", i, err)
		}
		packet.Inputs[i].TaprootKeySpendSig = sig
		return nil
	}
	sig, err := txscript.RawTxInWitnessSignature(tx, hashes, i, in.Value, in.PkScript, txscript.SigHashAll, priv)
	if err != nil {
		return fmt.Errorf("wallet: sign input %d: %w", i, err)
	}
	if _, err := upd.Sign(i, sig, priv.PubKey().SerializeCompressed(), nil, nil); err != nil {
		return fmt.Errorf("wallet: psbt sign input %d: %w", i, err)
	}
	return nil
}

// signExternalInput gets the witness of an input the wallet does not own
// from its External signer and sets it as the input's final witness.
func signExternalInput(packet *psbt.Packet, i int, in txInput, hashes *txscript.TxSigHashes) error {
	if in.External == nil {
		return &OutputError{OutPoint: in.OutPoint, Err: ErrUnknownOutput}
	}
	wit, err := in.External(packet.UnsignedTx, i, hashes)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := psbt.WriteTxWitness(&buf, wit); err != nil {
		return fmt.Errorf("wallet: witness of input %d: %w", i, err)
	}
	packet.Inputs[i].FinalScriptWitness = buf.Bytes()
	return nil
}

// verifyInputs runs the script engine on every input of tx.
func verifyInputs(tx *btcwire.MsgTx, prevOuts *txscript.MultiPrevOutFetcher) error {
	hashes := txscript.NewTxSigHashes(tx, prevOuts)
	for i, in := range tx.TxIn {
		prev := prevOuts.FetchPrevOutput(in.PreviousOutPoint)
		if prev == nil {
			return fmt.Errorf("%w: input %d has no previous output", ErrSigning, i)
		}
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, prevOuts)
		if err != nil {
			return fmt.Errorf("%w: input %d: %v", ErrSigning, i, err)
		}
		if err := vm.Execute(); err != nil {
			return fmt.Errorf("%w: input %d: %v", ErrSigning, i, err)
		}
	}
	return nil
}
