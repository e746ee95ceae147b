// Package beamfit fits HPF by CAVI and KL-NMF by multiplicative updates to
// a count matrix held as row shards, one Apache Beam pipeline per sweep,
// on any Beam runner: Prism in-process for tests and small machines, or a
// Flink, Spark or Dataflow cluster through Beam's portable runners.
//
// The arithmetic is the core library's sharded fits
// (inference.FitShards, mle.FitShards), so a fit here gives the ELBO
// trace of the in-process fit up to the order of the sums over shards,
// and, for a given sharding, the same bits whatever the runner's
// parallelism: each shard's statistics are added in shard order. Per
// sweep each shard's counts are read once and O((n + p)·K) numbers are
// shipped: every shard's rows are read and written in the work folder,
// the columns go to every shard as a side input and each shard sends back
// p × K sums.
//
// The work folder holds the fit's state after every sweep, which is also
// its checkpoint: a fit stopped anywhere resumes from it (Options.Resume)
// to the result of one uninterrupted fit.
package beamfit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/mle"
)

// Options say where a fit's shards and files are and how it runs.
type Options struct {
	// In is a glob that matches the shard files (model.ShardName, as
	// poisfact convert -shards writes them) on any Beam filesystem:
	// local paths, gs:// or s3://.
	In string
	// Work is a folder, on a Beam filesystem every worker reaches, for
	// the fit's files: the rows after each sweep, the columns of each
	// pass, the statistics and the driver's state.
	Work string
	// Resume continues the fit whose state Work holds. Without it, a Work
	// that holds a fit's state is refused rather than overwritten.
	Resume bool
	// Run executes one pipeline to completion.
	Run func(ctx context.Context, p *beam.Pipeline) error
	// Workers is the number of goroutines a shard's step uses; zero
	// means the worker's GOMAXPROCS. The result does not depend on it.
	Workers int
}

// Data describes the sharded matrix a fit ran on: its shape, its labels
// (nil when the shards have none) and the training log-likelihood of the
// fitted model (Poisson, log x! included; for HPF under the posterior
// mean, as the in-process command reports it).
type Data struct {
	Rows, Cols, NNZ      int
	RowLabels, ColLabels []string
	TrainLogLik          float64
}

// driverState is what the driver writes to Work/state.bin after every
// pass.
type driverState struct {
	Kind   string
	Shards []shard
	HPF    *inference.ShardedState
	MU     *mle.ShardedState
	// Written lists the sweeps whose rows are in Work.
	Written []int
}

// driver runs the passes of one fit.
type driver struct {
	o     Options
	plan  *plan
	state driverState
}

func (d *driver) stateFile() string { return join(d.o.Work, "state.bin") }

// newDriver plans a fit: it lists and checks the shards and reads the
// state to resume from.
func newDriver(ctx context.Context, o Options, kind string) (*driver, error) {
	switch {
	case o.In == "":
		return nil, errors.New("beamfit: no input shards (Options.In)")
	case o.Work == "":
		return nil, errors.New("beamfit: no work folder (Options.Work)")
	case o.Run == nil:
		return nil, errors.New("beamfit: no runner (Options.Run)")
	}
	pl, err := listShards(ctx, o.In)
	if err != nil {
		return nil, err
	}
	d := &driver{o: o, plan: pl, state: driverState{Kind: kind, Shards: pl.Shards}}
	found := exists(ctx, d.stateFile())
	switch {
	case found && !o.Resume:
		return nil, fmt.Errorf("%s holds a fit's state: resume it, or give another work folder", d.stateFile())
	case found:
		var st driverState
		if err := readCoded(ctx, d.stateFile(), &st); err != nil {
			return nil, err
		}
		if st.Kind != kind || !slices.Equal(st.Shards, pl.Shards) {
			return nil, fmt.Errorf("%s is the state of a %s fit of other shards (%d), not of this %s fit of %s (%d)", d.stateFile(), st.Kind, len(st.Shards), kind, o.In, len(pl.Shards))
		}
		d.state = st
	}
	return d, nil
}

// pass runs pass t: the columns written for the shards, one pipeline,
// and the statistics read back.
func (d *driver) pass(ctx context.Context, t int, cols any, update bool) ([]byte, error) {
	colsFile := join(d.o.Work, fmt.Sprintf("pass-%06d-columns.bin", t))
	outFile := join(d.o.Work, fmt.Sprintf("pass-%06d-stats.bin", t))
	if err := writeCoded(ctx, colsFile, cols); err != nil {
		return nil, err
	}
	step := &stepFn{Kind: d.state.Kind, Work: d.o.Work, Pass: t, Update: update, Workers: d.o.Workers}
	if err := d.o.Run(ctx, passPipeline(d.plan, step, colsFile, outFile)); err != nil {
		return nil, fmt.Errorf("beamfit: pass %d: the pipeline failed: %v", t, firstLine(err.Error()))
	}
	var out outcome
	if err := readCoded(ctx, outFile, &out); err != nil {
		return nil, err
	}
	removeFile(ctx, colsFile)
	removeFile(ctx, outFile)
	if out.Err != "" {
		return nil, fmt.Errorf("beamfit: pass %d: %s", t, out.Err)
	}
	if update {
		d.state.Written = append(d.state.Written, t)
	}
	return out.Stats, nil
}

// save writes the driver's state and removes the rows no longer needed:
// all but those of the sweeps in keep.
func (d *driver) save(ctx context.Context, keep ...int) error {
	var stale, kept []int
	for _, t := range d.state.Written {
		if slices.Contains(keep, t) {
			kept = append(kept, t)
		} else {
			stale = append(stale, t)
		}
	}
	d.state.Written = kept
	if err := writeCoded(ctx, d.stateFile(), &d.state); err != nil {
		return err
	}
	for _, t := range stale {
		for _, s := range d.plan.Shards {
			removeFile(ctx, rowsFile(d.o.Work, t, s.Index))
		}
	}
	return nil
}

// gather runs the last pipeline, which collects every shard's rows of
// sweep, its labels and (HPF, with the chosen columns cols) its share of
// the training log-likelihood, and returns them in shard order.
func (d *driver) gather(ctx context.Context, sweep int, cols *inference.Columns) ([]gathered, Data, error) {
	data := Data{Rows: d.plan.N, Cols: d.plan.P, NNZ: d.plan.NNZ}
	if sweep < 1 {
		return nil, data, errors.New("beamfit: the fit stopped before its first sweep was checked: resume it")
	}
	g := &gatherFn{Kind: d.state.Kind, Work: d.o.Work, Sweep: sweep}
	if cols != nil {
		g.Columns = join(d.o.Work, "final-columns.bin")
		if err := writeCoded(ctx, g.Columns, cols); err != nil {
			return nil, data, err
		}
		defer removeFile(ctx, g.Columns)
	}
	if err := d.o.Run(ctx, gatherPipeline(d.plan, g)); err != nil {
		return nil, data, fmt.Errorf("beamfit: gathering the rows: the pipeline failed: %v", firstLine(err.Error()))
	}
	all := make([]gathered, len(d.plan.Shards))
	for s := range all {
		name := gatheredFile(d.o.Work, s)
		if err := readCoded(ctx, name, &all[s]); err != nil {
			return nil, data, err
		}
		removeFile(ctx, name)
		if s == 0 {
			data.ColLabels = all[s].ColLabels
		}
		if all[0].RowLabels != nil {
			data.RowLabels = append(data.RowLabels, all[s].RowLabels...)
		}
		data.TrainLogLik += all[s].LogLik
	}
	if data.RowLabels != nil && len(data.RowLabels) != d.plan.N {
		data.RowLabels = nil // some shards carry labels and some do not
	}
	return all, data, nil
}

// HPF fits HPF by CAVI (inference.FitShards, with its settings and
// restrictions: the ELBO criterion, one start, jitter or uniform) and
// returns the result as the in-process fit would, with the labels.
func HPF(ctx context.Context, o Options, s *inference.Settings) (*inference.Result, Data, error) {
	d, err := newDriver(ctx, o, kindHPF)
	if err != nil {
		return nil, Data{}, err
	}
	sh := inference.Sharding{
		Pass: func(ctx context.Context, t int, cols *inference.Columns, update bool) (*inference.ShardStats, error) {
			b, err := d.pass(ctx, t, cols, update)
			if err != nil {
				return nil, err
			}
			var st inference.ShardStats
			return &st, unmarshal("the pass's statistics", b, &st)
		},
		Save: func(st *inference.ShardedState) error {
			d.state.HPF = st
			return d.save(ctx, st.Iter, st.BestIter)
		},
		Resume: d.state.HPF,
	}
	f, err := inference.FitShards(ctx, d.plan.N, d.plan.P, d.plan.NNZ, s, sh)
	if err != nil {
		return nil, Data{}, err
	}
	// A cancelled fit still returns its best check: gather it.
	all, data, err := d.gather(context.WithoutCancel(ctx), f.BestIter, f.Columns)
	if err != nil {
		return nil, data, err
	}
	rows := make([]inference.SideParams, len(all))
	for s, g := range all {
		rows[s] = g.Rows
	}
	res, err := f.Result(rows)
	return res, data, err
}

// MU fits KL-NMF by multiplicative updates (mle.FitShards: maximum
// likelihood from the random start) and returns the result as Fit would,
// with the labels.
func MU(ctx context.Context, o Options, s *mle.Settings) (*mle.Result, Data, error) {
	d, err := newDriver(ctx, o, kindMU)
	if err != nil {
		return nil, Data{}, err
	}
	sh := mle.Sharding{
		Pass: func(ctx context.Context, t int, cols *mle.Columns, update bool) (*mle.ShardStats, error) {
			b, err := d.pass(ctx, t, cols, update)
			if err != nil {
				return nil, err
			}
			var st mle.ShardStats
			return &st, unmarshal("the pass's statistics", b, &st)
		},
		Save: func(st *mle.ShardedState) error {
			d.state.MU = st
			return d.save(ctx, st.Iter)
		},
		Resume: d.state.MU,
	}
	f, err := mle.FitShards(ctx, d.plan.N, d.plan.P, d.plan.NNZ, s, sh)
	if err != nil {
		return nil, Data{}, err
	}
	all, data, err := d.gather(context.WithoutCancel(ctx), f.Iterations, nil)
	if err != nil {
		return nil, data, err
	}
	w := make([][]float64, len(all))
	for s, g := range all {
		w[s] = g.W
	}
	res, err := f.Result(w)
	data.TrainLogLik = res.LogLik
	return res, data, err
}
