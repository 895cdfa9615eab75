// Package signertest checks a signer against the contracts of lnkit's
// signing interfaces, the way a store conformance suite checks a store. A
// remote signer, a hardware device or any other implementation runs it from
// its own tests:
//
//	func TestMySigner(t *testing.T) {
//		signertest.RunChannel(t, func(t *testing.T) signertest.Channel {
//			s := mysigner.Open(t)
//			return signertest.Channel{Signer: s, Keys: s.Basepoints()}
//		})
//		signertest.RunChannelErrors(t, func(t *testing.T) (commit.Signer, error) {
//			return mysigner.OpenOffline(t), mysigner.ErrOffline
//		})
//	}
//
// RunChannel checks a channel/commit.Signer (and the sweep methods of
// SweepSigner when the signer has them); RunNode checks an invoice.Signer
// (and keys.ECDH and NodeHashSigner when the signer has them). Each
// signature must verify against the public key the signer declares, with
// low S, for the digests lnkit really signs (a commitment with HTLCs of
// both channel types, an invoice that decodes). RunChannelErrors and
// RunNodeErrors check that a signer's error reaches the caller of commit's
// and invoice's signing functions intact (errors.Is).
//
// keys.InMemorySigner and keys.Manager pass every check; this package's
// own tests show it.
package signertest
