// Package router finds payment routes over the network graph: a Dijkstra
// search from the payee back to the payer over router/graph's View, the
// invoice's route hints and the payer's own channels, and a Scorer that
// learns from payment outcomes which channels are likely to carry an
// amount.
//
// # Search
//
// Router.FindRoute searches backwards from the payee, so that the amount
// and CLTV expiry each hop must receive are known exactly when its
// incoming channel is considered: the HTLC over a channel p → n carries
// what n must receive, and p must receive that plus p's fee,
// fee_base_msat + amount*fee_proportional_millionths/1,000,000 rounded
// down (BOLT 7 "HTLC Fees"), and an expiry larger by p's
// cltv_expiry_delta. The payer charges itself nothing. The cost of a
// partial route is its fees plus the scorer's penalties; a channel
// direction is used only when its policy is known, enabled and sane, the
// amount is within htlc_minimum_msat, htlc_maximum_msat and the capacity
// (or, for the payer's own channels, the balance FirstHop says can be
// sent), the fee stays within Request.MaxFee, the total CLTV delta within
// Request.MaxTotalCLTV and the hop count within Config.MaxHops. Channels
// and nodes with an unknown required feature (BOLT 7) and excluded ones are
// skipped.
//
// When the Scorer has a PenaltyFloor (both of this package's do), the
// search is an A*: a breadth-first pass gives every node its least hop
// count from the payer (up to four: further nodes all count four), and
// the floor penalty times that count, a
// consistent lower bound of the cost still to come, is added to the
// node's key, so nodes towards the payer settle first. On the synthetic
// mainnet-size graph this settles a fraction of the nodes a plain
// Dijkstra settles, for the same routes (TestAStarMatchesDijkstra).
//
// With penalties off (no Scorer) the cost of a route is its total fee, and
// the search returns a cheapest route among the routes satisfying the
// limits as long as no htlc_minimum_msat binds (a larger downstream fee
// could only help with a minimum); the brute-force property test checks
// this. With a Scorer the search is the usual label-setting heuristic: a
// partial route with a lower cost is kept even when its higher fees make
// the hops before it dearer.
//
// # Routes and onions
//
// A Route lists, for each hop after the payer, the node, the channel the
// HTLC reaches it over, and the amt_to_forward and outgoing_cltv_value of
// its onion payload (the final hop's are the amount and expiry it
// receives); Route.Payloads and Route.OnionHops turn it into
// router/onion's hop payloads and hops.
//
// # Multi-path
//
// Router.FindRoutes splits an amount the payee accepts in parts
// (basic_mpp) when no single route carries it: parts are found one after
// another, each search seeing the liquidity the earlier parts use, halving
// the part amount when no route carries it, within Request.MaxParts and
// above Request.MinPartSize. The same inputs give the same parts.
//
// # Scoring
//
// ProbabilisticScorer keeps, per channel, bounds on the liquidity
// available in each direction (one range: what one side can send the other
// cannot), narrowed by payment and probe outcomes and widening back with
// a half-life as time passes (time is given by the caller through
// TimePassed). Its penalty grows with -log10 of the success probability
// of the amount under a uniform liquidity distribution between the
// bounds, plus a base penalty per hop and per amount; an amount above the
// upper bound costs a penalty large enough to be used only as a last
// resort. Save and LoadProbabilisticScorer persist it through a
// persist.KVStore in a versioned encoding.
//
// # Determinism
//
// The package reads no clock and draws no randomness: the block height is
// in the Request, time reaches the scorer through TimePassed, and ties
// between equal-cost routes are broken by node and channel order.
package router
