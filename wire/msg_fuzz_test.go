package wire_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lnkit/lnkit/wire"
)

// fuzzMessage runs the decode stability check on one message type, seeded
// with valid encodings from the round-trip generator.
func fuzzMessage(f *testing.F, typ wire.MessageType) {
	f.Helper()
	c := msgCaseByType(typ)
	for seed := int64(0); seed < 8; seed++ {
		g := newMsgGen(seed)
		g.noTLV = seed%4 == 0
		b, err := c.gen(g).Encode(nil)
		require.NoError(f, err)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkDecodeStable(t, c, data) })
}

// checkDecodeStable asserts that decoding never panics, fails only with a
// *DecodeError, and that whatever decodes re-encodes to bytes that decode
// to the same message and encode to the same bytes again. Messages that do
// not normalise their input must re-encode to the input itself.
func checkDecodeStable(t *testing.T, c msgCase, data []byte) {
	t.Helper()
	m := wire.NewMessage(c.typ)
	if err := m.Decode(data); err != nil {
		var de *wire.DecodeError
		require.ErrorAs(t, err, &de)
		return
	}
	b1, err := m.Encode(nil)
	require.NoError(t, err)
	if !c.lossy {
		require.True(t, bytes.Equal(data, b1), "re-encoding changed the bytes:\n in %x\nout %x", data, b1)
	}
	m2 := wire.NewMessage(c.typ)
	require.NoError(t, m2.Decode(b1))
	require.True(t, reflect.DeepEqual(m, m2), "%#v\n!=\n%#v", m, m2)
	b2, err := m2.Encode(nil)
	require.NoError(t, err)
	require.True(t, bytes.Equal(b1, b2))
}

func FuzzInit(f *testing.F) {
	for _, c := range loadBolt01Vectors(f).MessageExtension.Valid {
		f.Add(mustHex(f, c.Message)[2:])
	}
	for _, c := range loadBolt01Vectors(f).MessageExtension.Invalid {
		f.Add(mustHex(f, c.Message)[2:])
	}
	fuzzMessage(f, wire.MsgInit)
}

func FuzzError(f *testing.F)         { fuzzMessage(f, wire.MsgError) }
func FuzzWarning(f *testing.F)       { fuzzMessage(f, wire.MsgWarning) }
func FuzzPing(f *testing.F)          { fuzzMessage(f, wire.MsgPing) }
func FuzzPong(f *testing.F)          { fuzzMessage(f, wire.MsgPong) }
func FuzzOpenChannel(f *testing.F)   { fuzzMessage(f, wire.MsgOpenChannel) }
func FuzzAcceptChannel(f *testing.F) { fuzzMessage(f, wire.MsgAcceptChannel) }
func FuzzFundingCreated(f *testing.F) {
	fuzzMessage(f, wire.MsgFundingCreated)
}
func FuzzFundingSigned(f *testing.F)     { fuzzMessage(f, wire.MsgFundingSigned) }
func FuzzChannelReady(f *testing.F)      { fuzzMessage(f, wire.MsgChannelReady) }
func FuzzShutdown(f *testing.F)          { fuzzMessage(f, wire.MsgShutdown) }
func FuzzClosingSigned(f *testing.F)     { fuzzMessage(f, wire.MsgClosingSigned) }
func FuzzUpdateAddHTLC(f *testing.F)     { fuzzMessage(f, wire.MsgUpdateAddHTLC) }
func FuzzUpdateFulfillHTLC(f *testing.F) { fuzzMessage(f, wire.MsgUpdateFulfillHTLC) }
func FuzzUpdateFailHTLC(f *testing.F)    { fuzzMessage(f, wire.MsgUpdateFailHTLC) }
func FuzzUpdateFailMalformedHTLC(f *testing.F) {
	fuzzMessage(f, wire.MsgUpdateFailMalformedHTLC)
}
func FuzzCommitmentSigned(f *testing.F) { fuzzMessage(f, wire.MsgCommitmentSigned) }
func FuzzRevokeAndAck(f *testing.F)     { fuzzMessage(f, wire.MsgRevokeAndAck) }
func FuzzUpdateFee(f *testing.F)        { fuzzMessage(f, wire.MsgUpdateFee) }
func FuzzChannelReestablish(f *testing.F) {
	fuzzMessage(f, wire.MsgChannelReestablish)
}

func FuzzPeerStorage(f *testing.F)          { fuzzMessage(f, wire.MsgPeerStorage) }
func FuzzPeerStorageRetrieval(f *testing.F) { fuzzMessage(f, wire.MsgPeerStorageRetrieval) }
func FuzzStfu(f *testing.F)                 { fuzzMessage(f, wire.MsgStfu) }
func FuzzStartBatch(f *testing.F)           { fuzzMessage(f, wire.MsgStartBatch) }
func FuzzClosingComplete(f *testing.F)      { fuzzMessage(f, wire.MsgClosingComplete) }
func FuzzClosingSig(f *testing.F)           { fuzzMessage(f, wire.MsgClosingSig) }
func FuzzOpenChannel2(f *testing.F)         { fuzzMessage(f, wire.MsgOpenChannel2) }
func FuzzAcceptChannel2(f *testing.F)       { fuzzMessage(f, wire.MsgAcceptChannel2) }
func FuzzTxAddInput(f *testing.F)           { fuzzMessage(f, wire.MsgTxAddInput) }
func FuzzTxAddOutput(f *testing.F)          { fuzzMessage(f, wire.MsgTxAddOutput) }
func FuzzTxRemoveInput(f *testing.F)        { fuzzMessage(f, wire.MsgTxRemoveInput) }
func FuzzTxRemoveOutput(f *testing.F)       { fuzzMessage(f, wire.MsgTxRemoveOutput) }
func FuzzTxComplete(f *testing.F)           { fuzzMessage(f, wire.MsgTxComplete) }
func FuzzTxSignatures(f *testing.F)         { fuzzMessage(f, wire.MsgTxSignatures) }
func FuzzTxInitRBF(f *testing.F)            { fuzzMessage(f, wire.MsgTxInitRBF) }
func FuzzTxAckRBF(f *testing.F)             { fuzzMessage(f, wire.MsgTxAckRBF) }
func FuzzTxAbort(f *testing.F)              { fuzzMessage(f, wire.MsgTxAbort) }
func FuzzSpliceInit(f *testing.F)           { fuzzMessage(f, wire.MsgSpliceInit) }
func FuzzSpliceAck(f *testing.F)            { fuzzMessage(f, wire.MsgSpliceAck) }
func FuzzSpliceLocked(f *testing.F)         { fuzzMessage(f, wire.MsgSpliceLocked) }

// FuzzDecodeMessage feeds whole messages (type and payload) to wire.Decode,
// seeded with every BOLT 1/2 message type and the BOLT 1 extension vectors.
func FuzzDecodeMessage(f *testing.F) {
	for _, c := range msgCases() {
		g := newMsgGen(int64(c.typ))
		for i := 0; i < 3; i++ {
			b, err := wire.Encode(nil, c.gen(g))
			require.NoError(f, err)
			f.Add(b)
		}
	}
	for _, c := range loadBolt01Vectors(f).MessageExtension.Valid {
		f.Add(mustHex(f, c.Message))
	}
	f.Add([]byte{0x00, 0x63, 0x01})       // unknown odd
	f.Add([]byte{0x80, 0x01, 0x02, 0x03}) // custom
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := wire.Decode(data)
		if err != nil {
			return
		}
		b1, err := wire.Encode(nil, m)
		require.NoError(t, err)
		m2, err := wire.Decode(b1)
		require.NoError(t, err)
		require.True(t, reflect.DeepEqual(m, m2), "%#v\n!=\n%#v", m, m2)
		b2, err := wire.Encode(nil, m2)
		require.NoError(t, err)
		require.True(t, bytes.Equal(b1, b2))
	})
}
