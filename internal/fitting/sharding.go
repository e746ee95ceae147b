package fitting

import "context"

// Sharding is how the driver of a sharded fit reaches its row shards,
// wherever they run: inference.Sharding (CAVI) and mle.Sharding (MU) are
// its instances, with their own columns, statistics and state.
//
// Pass runs pass t over every shard with the columns cols and, with
// update, keeps each shard's updated rows as those of iteration t; it
// returns the shards' statistics added in shard order. Save, when set,
// is called after every pass with the fit's state; given back as Resume,
// the state continues the fit to the result of one uninterrupted fit, as
// long as the shards' rows it names are still where Pass reads them.
type Sharding[Cols, Stats, State any] struct {
	Pass   func(ctx context.Context, t int, cols *Cols, update bool) (*Stats, error)
	Save   func(*State) error
	Resume *State
}
