package commit

import (
	"bytes"
	"encoding/hex"
	"math"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// The scripts are assembled by hand for speed; these tests rebuild them
// with txscript.ScriptBuilder straight from the BOLT 3 text.

func testKeys(t *testing.T) (rev, local, remote *btcec.PublicKey, hash wire.PaymentHash) {
	t.Helper()
	k := func(b byte) *btcec.PublicKey {
		p, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{b}, 32))
		return p.PubKey()
	}
	for i := range hash {
		hash[i] = byte(i * 7)
	}
	return k(1), k(2), k(3), hash
}

func mustScript(t *testing.T, b *txscript.ScriptBuilder) []byte {
	t.Helper()
	s, err := b.Script()
	require.NoError(t, err)
	return s
}

func TestScriptNumMatchesScriptBuilder(t *testing.T) {
	for _, n := range []int64{0, 1, 16, 17, 127, 128, 144, 255, 256, 32767, 32768, 65535, 500000, 1 << 23, 1<<23 - 1, 1 << 24, 1<<31 - 1, 1 << 31, math.MaxUint32} {
		want := mustScript(t, txscript.NewScriptBuilder().AddInt64(n))
		got := appendScriptNum(nil, n)
		require.Equal(t, want, got, "%d: %x, want %x", n, got, want)
	}
}

func TestToLocalScript(t *testing.T) {
	rev, _, delayed, _ := testKeys(t)
	for _, delay := range []uint16{0, 1, 16, 17, 144, 2016, 32767, 32768, math.MaxUint16} {
		want := mustScript(t, txscript.NewScriptBuilder().
			AddOp(txscript.OP_IF).AddData(rev.SerializeCompressed()).
			AddOp(txscript.OP_ELSE).AddInt64(int64(delay)).AddOp(txscript.OP_CHECKSEQUENCEVERIFY).AddOp(txscript.OP_DROP).
			AddData(delayed.SerializeCompressed()).AddOp(txscript.OP_ENDIF).AddOp(txscript.OP_CHECKSIG))
		got := ToLocalScript(rev, delayed, delay)
		require.Equal(t, want, got, "delay %d: %x, want %x", delay, got, want)
		require.LessOrEqual(t, len(got), ToLocalScriptMaxSize, "delay %d: %d bytes", delay, len(got))
	}
	n := len(ToLocalScript(rev, delayed, math.MaxUint16))
	require.Equal(t, ToLocalScriptMaxSize, n, "max to_local script is %d bytes", n)
}

func TestAnchorAndToRemoteScripts(t *testing.T) {
	_, k, _, _ := testKeys(t)
	want := mustScript(t, txscript.NewScriptBuilder().AddData(k.SerializeCompressed()).AddOp(txscript.OP_CHECKSIG).
		AddOp(txscript.OP_IFDUP).AddOp(txscript.OP_NOTIF).AddOp(txscript.OP_16).AddOp(txscript.OP_CHECKSEQUENCEVERIFY).AddOp(txscript.OP_ENDIF))
	got := AnchorScript(k)
	require.Equal(t, want, got, "anchor script %x", got)
	require.Len(t, got, AnchorScriptSize, "anchor script %x", got)
	want = mustScript(t, txscript.NewScriptBuilder().AddData(k.SerializeCompressed()).AddOp(txscript.OP_CHECKSIGVERIFY).
		AddOp(txscript.OP_1).AddOp(txscript.OP_CHECKSEQUENCEVERIFY))
	got = ToRemoteAnchorScript(k)
	require.Equal(t, want, got, "to_remote anchor script %x", got)
	require.Len(t, got, ToRemoteAnchorScriptSize, "to_remote anchor script %x", got)
	want = mustScript(t, txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(btcutil.Hash160(k.SerializeCompressed())))
	got = P2WPKH(k)
	require.Equal(t, want, got, "p2wpkh %x", got)
}

func TestHTLCScripts(t *testing.T) {
	rev, local, remote, hash := testKeys(t)
	revHash := btcutil.Hash160(rev.SerializeCompressed())
	payHash := ripemd160Sum(hash[:])
	for _, anchors := range []bool{false, true} {
		tail := func(b *txscript.ScriptBuilder) *txscript.ScriptBuilder {
			if anchors {
				b.AddOp(txscript.OP_1).AddOp(txscript.OP_CHECKSEQUENCEVERIFY).AddOp(txscript.OP_DROP)
			}
			return b.AddOp(txscript.OP_ENDIF)
		}
		head := func() *txscript.ScriptBuilder {
			return txscript.NewScriptBuilder().
				AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).AddData(revHash).AddOp(txscript.OP_EQUAL).
				AddOp(txscript.OP_IF).AddOp(txscript.OP_CHECKSIG).
				AddOp(txscript.OP_ELSE).AddData(remote.SerializeCompressed()).AddOp(txscript.OP_SWAP).
				AddOp(txscript.OP_SIZE).AddInt64(32).AddOp(txscript.OP_EQUAL)
		}
		offered := mustScript(t, tail(head().
			AddOp(txscript.OP_NOTIF).
			AddOp(txscript.OP_DROP).AddOp(txscript.OP_2).AddOp(txscript.OP_SWAP).AddData(local.SerializeCompressed()).AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG).
			AddOp(txscript.OP_ELSE).
			AddOp(txscript.OP_HASH160).AddData(payHash).AddOp(txscript.OP_EQUALVERIFY).AddOp(txscript.OP_CHECKSIG).
			AddOp(txscript.OP_ENDIF)))
		got := OfferedHTLCScript(rev, local, remote, hash, anchors)
		require.Equal(t, offered, got, "offered (anchors %v):\n got %x\nwant %x", anchors, got, offered)
		want := OfferedHTLCScriptSize + b2i(anchors)*AnchorScriptExtra
		require.Len(t, got, want, "offered script is %d bytes, want %d", len(got), want)
		for _, cltv := range []uint32{0, 1, 16, 17, 500, 800_000, 1 << 23, 1 << 24, 1<<31 - 1, 1 << 31, math.MaxUint32} {
			received := mustScript(t, tail(head().
				AddOp(txscript.OP_IF).
				AddOp(txscript.OP_HASH160).AddData(payHash).AddOp(txscript.OP_EQUALVERIFY).
				AddOp(txscript.OP_2).AddOp(txscript.OP_SWAP).AddData(local.SerializeCompressed()).AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG).
				AddOp(txscript.OP_ELSE).
				AddOp(txscript.OP_DROP).AddInt64(int64(cltv)).AddOp(txscript.OP_CHECKLOCKTIMEVERIFY).AddOp(txscript.OP_DROP).AddOp(txscript.OP_CHECKSIG).
				AddOp(txscript.OP_ENDIF)))
			got := ReceivedHTLCScript(rev, local, remote, hash, cltv, anchors)
			require.Equal(t, received, got, "received cltv %d (anchors %v):\n got %x\nwant %x", cltv, anchors, got, received)
			require.LessOrEqual(t, len(got), receivedHTLCScriptMaxSize, "received script is %d bytes", len(got))
		}
		n := len(ReceivedHTLCScript(rev, local, remote, hash, 800_000, anchors))
		require.Equal(t, ReceivedHTLCScriptSize+b2i(anchors)*AnchorScriptExtra, n, "received script at height 800000 is %d bytes", n)
	}
}

func TestFundingScriptOrder(t *testing.T) {
	_, a, b, _ := testKeys(t)
	s1, s2 := FundingScript(a, b), FundingScript(b, a)
	require.Equal(t, s2, s1, "funding script depends on argument order: %x %x", s1, s2)
	require.Len(t, s1, FundingScriptSize, "funding script depends on argument order: %x %x", s1, s2)
	first, second := a.SerializeCompressed(), b.SerializeCompressed()
	if bytes.Compare(first, second) > 0 {
		first, second = second, first
	}
	want := mustScript(t, txscript.NewScriptBuilder().AddOp(txscript.OP_2).AddData(first).AddData(second).AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG))
	require.Equal(t, want, s1, "funding script %s", hex.EncodeToString(s1))
	out, script := FundingOutput(a, b, 1234)
	require.Equal(t, int64(1234), out.Value, "funding output")
	require.Equal(t, s1, script, "funding output")
	require.Equal(t, P2WSH(s1), out.PkScript, "funding output")
}
