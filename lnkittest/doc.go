// Package lnkittest is the public test harness of lnkit: N nodes in one
// process on a simulated chain, with every message between them pumped by
// the test.
//
// A Network holds a simchain.Chain and Nodes. Each Node has a deterministic
// seed derived from Options.Seed, a keys.Manager, a crash-simulating store
// (persisttest.CrashStore), and on that store: a durable events.Queue
// (Node.Events), a monitor.ChainMonitor whose monitors a
// monitor.KVPersister keeps (Node.ChainMonitor), a chain/wallet.Wallet,
// and the handlers the test chooses (Options.Handlers), given to the node's
// peer.Manager. Time is a manual Clock the test advances (Network.Tick
// forwards a tick to every peer.Manager and Handlers.Ticker) and entropy is
// keys.DeterministicEntropy, so the same Seed gives the same node ids and
// the same bytes on the wire.
//
// # Plugging in a channel manager
//
// Options.Handlers is called at every start of a node, after its store,
// Events, ChainMonitor and Wallet are open: build the manager there, from
// n.Store, with n.ChainMonitor as its monitor and n.Events as its queue, and
// return it in each field it implements. Channel receives the channel
// messages; Listen follows the chain (after the ChainMonitor and the
// wallet, block by block); Ticker gets Network.Tick's time; Poll runs on
// every pumping method before the peer.Manager pulls the handlers'
// messages, to release those that waited for an asynchronous monitor
// update.
//
// # Following the chain
//
// The ChainMonitor, the Wallet and Handlers.Listen are connected to the
// chain: every block mined or reorganised (Mine, Reorg, FundWallet, or the
// Chain's own methods) reaches them before the call returns. After each
// block, the events the ChainMonitor releases are appended to the node's
// queue. At every start each of them is first caught up from the block it
// processed last, walking back a reorganisation that happened while the
// node was down: the Wallet and a listener implementing BestBlocker say
// which block; for the others (the ChainMonitor, today) the harness writes
// a checkpoint to the node's store after each block they process, under
// namespace "lnkittest"/"best_block".
//
// # Events
//
// Network.Events drains a node's queue and returns what it held, in order;
// NextEvent[T] takes the next event and fails the test unless it is a T.
// The queue is durable: an event not handled before a Crash is delivered
// again after the Restart (at least once), one handled is not.
//
// # Payments
//
// ProcessEvents plays each node's application for payments too: a
// PaymentClaimable is claimed with the preimage it carries, failed back,
// or held for the test (Node.Claims: ClaimPayments, FailPayments,
// HoldPayments; Node.Claimable, Network.Claim, Network.FailBack), and
// every PaymentSent, PaymentFailed and PaymentClaimed lands in the node's
// EventLog (Logged[T] lists them by type). Network.Pay has the payee
// create an invoice and the payer send it, Network.Keysend pays without
// one; both return the payment's id and deliver nothing. Settle delivers
// and processes events until the network rests. The channel manager gets
// the Clock's time at every start and at every Tick.
//
// # Gossip and routing
//
// With Options.Gossip every node keeps a router/graph.Graph (Node.Graph)
// as its peer.Manager's routing handler (nodes offer gossip_queries), and
// its channel manager pays nodes it has no channel with over the routes a
// router.Router (Node.Router) finds in it, teaching the
// router.ProbabilisticScorer (Node.Scorer) what each attempt showed. The
// graph checks channel announcements against the simulated chain
// (ChainUTXOSource) and forgets a channel graph.DefaultSpendDelay blocks
// after its funding is spent; it runs on the Clock, started by nothing
// else: each Tick broadcasts the channel manager's new announcements of
// public channels (once AnnouncementDepth deep and their
// announcement_signatures exchanged) with our node_announcement, applies
// the gossip received since the last Tick and relays it to the peers (the
// staggered broadcast runs every TickInterval), and saves the scorer to
// the node's store when it changed. SyncGossip Ticks and delivers until
// the gossip rests: open public channels (OpenOptions.Public: OpenChannel
// mines them to the announcement depth), Settle, then SyncGossip. The
// channel manager signs one channel_update per channel (a restart signs
// a new one). A restarted node's graph
// starts empty and fills again from the peers it connects to (initial
// sync with gossip_queries); its scorer is loaded from its store.
//
// # Asynchronous persistence
//
// While Node.AsyncMonitorUpdates is set, the node's monitor updates are
// answered InProgress and held unwritten (HeldMonitorUpdates) until the
// test completes them, in any order (CompleteMonitorUpdate): the channel
// manager keeps the messages they gate until then, and a crash loses what
// was not completed.
//
// # Pumping
//
// Nothing moves by itself: Connect and Disconnect a pair, DeliverOne message
// from one node to another, Drop the next one, DeliverAll until the
// network is quiet, and inspect the messages in flight with Pending. Mine
// blocks, FundWallet, and Crash and Restart a node from what its store made
// durable: Crash drops everything built on the store (Events, ChainMonitor,
// Wallet, Handlers, Peer), Restart rebuilds it from what the store kept.
//
// Order is the test's to choose across connections (deliver c's message
// before a's), never within one: a BOLT 8 stream delivers in order or
// breaks, so Drop loses a message by breaking its connection.
//
// The tap between each peer.Manager and its handlers knows the size of
// every handler message on the wire, which is what makes DeliverOne and
// Pending message-sized. The Manager's own messages (pings after Tick,
// warnings) are not tracked: DeliverOne fails the test while they are in
// flight, and DeliverAll moves them.
//
// Mining writes to each running node's store (monitors, wallet,
// checkpoints, events): a test that holds a store's writes
// (persisttest.CrashStore.Hold) releases them from another goroutine.
//
// A Network is for one test goroutine; it is not safe for concurrent use.
package lnkittest
