package noise

import "github.com/lnkit/lnkit/internal/secp"

// pubKeySize is the size of a compressed secp256k1 public key.
const pubKeySize = secp.CompressedSize
