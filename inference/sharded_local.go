package inference

import (
	"context"
	"fmt"
	"slices"

	"github.com/poisfact/poisfact/model"
)

// LocalShards runs a sharded fit's passes in this process, one shard
// after the other, keeping every sweep's rows in memory as a runner keeps
// them in files: the reference a distributed runner is checked against
// (the beam module's tests), and a way to try FitShards on one machine.
// Every pass builds each shard afresh from its counts and the rows of the
// sweep before, as a worker that reads them would.
type LocalShards struct {
	// Blocks and Starts are the shards' counts and first rows
	// (model.Counts.SplitRows).
	Blocks []*model.Counts
	Starts []int
	// Workers is the goroutines of each shard's step.
	Workers int
	// Reverse runs the shards last to first; their statistics are still
	// added in shard order, so the fit is the same bits.
	Reverse bool
	// Rows holds each shard's rows after each sweep, by sweep.
	Rows map[int][]SideParams
	// Passes counts the passes run.
	Passes int
}

// NewLocalShards cuts x into at most count row shards.
func NewLocalShards(x *model.Counts, count, workers int) (*LocalShards, error) {
	blocks, starts, err := x.SplitRows(count)
	if err != nil {
		return nil, err
	}
	return &LocalShards{Blocks: blocks, Starts: starts, Workers: workers, Rows: map[int][]SideParams{}}, nil
}

// Pass is the Sharding's Pass.
func (l *LocalShards) Pass(_ context.Context, t int, cols *Columns, update bool) (*ShardStats, error) {
	l.Passes++
	stats := make([]ShardStats, len(l.Blocks))
	kept := make([]SideParams, len(l.Blocks))
	for j := range l.Blocks {
		s := j
		if l.Reverse {
			s = len(l.Blocks) - 1 - j
		}
		r, err := NewRowShard(l.Blocks[s], l.Starts[s], cols)
		if err != nil {
			return nil, err
		}
		if t == 1 {
			r.Start()
		} else if err := r.SetParams(l.Rows[t-1][s]); err != nil {
			return nil, fmt.Errorf("inference: shard %d: %w", s, err)
		}
		st, err := r.Step(l.Workers, t, cols, update)
		if err != nil {
			return nil, err
		}
		// φ's column sums and the rows are the shard's own arrays: copy
		// them, as a runner serializes them (SumTheta is a copy already).
		stats[s] = *st
		stats[s].PhiCol = slices.Clone(st.PhiCol)
		kept[s] = r.Params().clone()
	}
	if update {
		l.Rows[t] = kept
	}
	var total ShardStats
	for s := range stats {
		if err := total.Add(&stats[s]); err != nil {
			return nil, err
		}
	}
	return &total, nil
}

// Sharding returns the Sharding that runs l's passes.
func (l *LocalShards) Sharding() Sharding { return Sharding{Pass: l.Pass} }
