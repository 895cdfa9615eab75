// Package noise is the Lightning transport of BOLT 8: the
// Noise_XK_secp256k1_ChaChaPoly_SHA256 handshake that authenticates two nodes
// by their static keys, and the encrypted, length-prefixed message stream that
// follows it.
//
// The package does no I/O. The handshake is two small state machines,
// Initiator and Responder, that turn received act bytes into the bytes to send
// next; the caller moves the bytes over whatever connection it has. Ephemeral
// keys are supplied by the caller, and every operation with the node's static
// key goes through the StaticKey interface, so the key can live in a hardware
// signer. The result of a completed handshake is a Cipher.
//
// An initiator, which must know the responder's node id in advance:
//
//	hs, err := noise.NewInitiator(localKey, remotePub, ephemeral)
//	act1, err := hs.ActOne()              // send 50 bytes
//	act3, err := hs.ProcessActTwo(act2)   // read 50 bytes, send 66 bytes
//	c, err := hs.Cipher()
//
// A responder:
//
//	hs, err := noise.NewResponder(localKey, ephemeral)
//	act2, err := hs.ProcessActOne(act1)   // read 50 bytes, send 50 bytes
//	remote, err := hs.ProcessActThree(act3) // read 66 bytes; remote is the peer's node id
//	c, err := hs.Cipher()
//
// Calling a step out of order returns ErrOutOfOrder; a failed step leaves the
// handshake failed (ErrHandshakeFailed) and the connection must be closed.
// Act failures are *ActError values whose Code method returns the error code
// used by the BOLT 8 test vectors, such as "ACT2_BAD_VERSION".
//
// A Cipher encrypts messages with Encrypt, appending the 18-byte encrypted
// length header and the encrypted body to a caller's buffer, and rotates its
// keys every 1000 nonces as BOLT 8 requires. Received bytes are decrypted
// either frame by frame (DecryptHeader then DecryptBody, or Decrypt for a
// whole frame) or by a Decoder, which accepts the ciphertext stream in chunks
// of any size, as they come off a socket, and returns complete plaintext
// messages. None of them allocate per message once their buffers have grown.
//
// Any receive error is fatal: the receiving side of the Cipher stays failed
// and the connection must be closed, as BOLT 8 requires.
package noise
