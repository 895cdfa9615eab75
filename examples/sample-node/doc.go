// Command sample-node is a Lightning node built only from lnkit's public
// API: the Go counterpart of LDK's ldk-sample, and the place to read how
// the pieces are composed (node.go).
//
// Usage:
//
//	sample-node [flags] <rpcuser>:<rpcpass>@<host>:<port> <datadir> [listen-port] [network] [alias] [announce-addr...]
//
// The first argument is the JSON-RPC endpoint of the bitcoind or btcd the
// node follows; for btcd, whose RPC is TLS only, add --rpccert with its
// rpc.cert. The node refuses to start if the daemon is unreachable or on
// another network. The data directory is created if missing (mode 0700);
// the node's seed is generated on the first start and kept in
// <datadir>/keys_seed (mode 0600), so the node id stays the same across
// restarts. Everything else the node keeps (wallet, channels, channel
// monitors, pending events, the addresses of channel peers, outputs to
// sweep, payments) is in the filesystem store at <datadir>/store. listen-port defaults to 9735 (0 picks a free port); network is
// mainnet, testnet, signet or regtest and defaults to regtest (ldk-sample
// defaults to testnet; this node is mostly run on a private regtest chain,
// see make demo). The alias (at most 32 bytes) and the announce addresses
// are shown by nodeinfo and announced in the node_announcement sent once
// the node has a public channel.
//
// Flags (before the positional arguments):
//
//	--json           print each command's result as one JSON object per line;
//	                 a failed command prints {"error": "..."}
//	--rpccert FILE   btcd's RPC certificate; turns TLS on
//	--log FILE       log file (default <datadir>/logs/node.log), slog text format
//	--loglevel L     debug, info (default), warn or error
//	--bind HOST      host to listen on (default 127.0.0.1 on regtest, 0.0.0.0 otherwise)
//	--no-accept-inbound  refuse the channels peers open to us (default: accept all)
//	--to-self-delay N    the to_self_delay in blocks we ask of peers (default 144)
//	--min-channel-sat N  the smallest channel peers may open to us (default 20000)
//	--max-to-self-delay N  the largest to_self_delay we accept from peers (default 2016)
//	--min-fee-rate N     raise every fee estimate to at least N sat/kw (default: none;
//	                     not the anchor channels' commitment rate nor what peers may send)
//	--commitment-fee-rate N  commitment fee rate of the channels we open (default: the estimate)
//	--fee-base-msat N    fee_base_msat of our channels' channel_update (default 1000)
//	--fee-ppm N          fee_proportional_millionths of our channel_update (default 0)
//	--gossip-interval D  period of the gossip broadcast, ours and relayed (default 60s)
//	--tick-interval D    period of the channel manager's clock tick, which stamps our
//	                     channel_updates (default 1m)
//
// # Commands
//
// Commands are read from standard input, one per line. On a terminal the
// node prompts with "> "; from a pipe it reads silently and, at the end of
// the input, shuts down cleanly. In --json mode every non-blank line gets
// exactly one line of output.
//
//	help                               list the commands
//	nodeinfo                           node id, listening address, peers, channels,
//	                                   graph size, features, best block
//	connectpeer <pubkey>@<host>:<port> connect; returns once the peer's init arrived
//	disconnectpeer <pubkey>            disconnect a peer
//	listpeers                          peers with address, direction, features, connected since
//	signmessage <message>              sign the rest of the line (surrounding spaces
//	                                   trimmed) like lncli signmessage; lncli verifymessage
//	                                   accepts the signature
//	openchannel <pubkey>@<host>:<port> <amount_sats> [--public] [--with-anchors] [--push-msat N]
//	                                   connect if needed and open a channel funded from
//	                                   the wallet (anchors only with --with-anchors)
//	closechannel <channel_id> <peer_pubkey>       cooperative close
//	forceclosechannel <channel_id> <peer_pubkey>  broadcast our commitment; the
//	                                   funds are swept to the wallet after the delay
//	listchannels                       channels: state, balances, reserves, confirmations
//	listclosed                         channels closed since the start, with the reason
//	newaddress                         a new address of the wallet
//	getbalance                         confirmed, unconfirmed, immature, locked, total
//	sendtoaddress <address> <amount_sats>  pay from the wallet
//	listtransactions                   the wallet's transactions
//	getinvoice <amount_msats> <expiry_secs> [description...]
//	                                   a BOLT 11 invoice for a payment to this node
//	                                   (amount 0: the payer chooses)
//	sendpayment <invoice> [amount_msats]  pay an invoice over a channel with its
//	                                   payee, or over the network (the router);
//	                                   the payment id is the SHA-256 of the
//	                                   invoice, so an invoice is paid at most once
//	keysend <pubkey> <amount_msats>    pay a node without an invoice (keysend)
//	listpayments                       payments sent and received, with their status
//	holdinvoices on|off                on: a payment that becomes claimable is held
//	                                   (listed claimable) until claim; off (the default):
//	                                   claimed at once. In memory only
//	claim <payment_hash>               claim a held payment
//	quit                               stop the node
//
// What happens in the background (an inbound channel accepted, a funding
// transaction's confirmations, channel_ready, a closure, a sweep, a
// payment sent, failed, received or claimed) is printed on standard error
// as lines starting with "EVENT: ". The node claims every payment whose
// preimage it knows (its invoices, keysends) and fails back the others;
// in hold mode it waits for claim (before the payment's expiry less
// channel.HTLCFailBackBuffer blocks, when the manager fails it back).
//
// SIGINT and SIGTERM also stop the node cleanly: peers are disconnected,
// the listener closed and the log flushed. The exit status is 0 after a
// clean shutdown, 1 if the node could not start (chain daemon unreachable
// or on another network, port taken, unreadable seed) and 2 for bad
// arguments.
package main
