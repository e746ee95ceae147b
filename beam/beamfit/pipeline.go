package beamfit

import (
	"context"
	"fmt"
	"reflect"
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// The two algorithms a pass runs.
const (
	kindHPF = "hpf"
	kindMU  = "mu"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*shard)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*result)(nil)).Elem())
	register.DoFn3x1[context.Context, string, func([]byte), error](&readFn{})
	register.Emitter1[[]byte]()
	register.DoFn4x0[context.Context, shard, []byte, func(result)](&stepFn{})
	register.Emitter1[result]()
	register.DoFn3x1[context.Context, int, func(*result) bool, error](&sumFn{})
	register.Iter1[result]()
	register.DoFn2x1[context.Context, shard, error](&gatherFn{})
}

// result is one shard's outcome of a pass: done (its statistics are in
// its file, statsFile), or the error that its data or files gave. The
// statistics (p × K numbers per shard) go through the work folder rather
// than through the runner's shuffle, which on Prism cost more than the
// arithmetic.
type result struct {
	Index int
	Err   string
}

// statsFile names a shard's statistics of a pass.
func statsFile(work string, pass, shard int) string {
	return join(work, fmt.Sprintf("pass-%06d-stats-part-%05d.bin", pass, shard))
}

// outcome is a pass's outcome as the pipeline leaves it for the driver:
// the shards' statistics added in shard order, or the first shard's
// error.
type outcome struct {
	Stats []byte
	Err   string
}

// readFn reads a file into one element: the columns, which every shard's
// step takes as a side input.
type readFn struct{}

func (readFn) ProcessElement(ctx context.Context, name string, emit func([]byte)) error {
	b, err := readFile(ctx, name)
	if err != nil {
		return err
	}
	emit(b)
	return nil
}

// stepFn runs one shard's share of a pass: it reads the shard and the
// shard's rows of the sweep before, runs the core's RowShard.Step and
// writes the shard's new rows. Errors become the shard's result, not a
// failed bundle: a runner would retry a failure, and bad data stays bad.
type stepFn struct {
	Kind    string
	Work    string
	Pass    int
	Update  bool
	Workers int
}

func (f *stepFn) ProcessElement(ctx context.Context, sh shard, cols []byte, emit func(result)) {
	r := result{Index: sh.Index}
	var stats []byte
	var err error
	if f.Kind == kindHPF {
		stats, err = f.stepHPF(ctx, sh, cols)
	} else {
		stats, err = f.stepMU(ctx, sh, cols)
	}
	if err == nil {
		err = writeFile(ctx, statsFile(f.Work, f.Pass, sh.Index), stats)
	}
	if err != nil {
		r.Err = err.Error()
	}
	emit(r)
}

// rowsFile names a shard's rows after a sweep.
func rowsFile(work string, sweep, shard int) string {
	return join(work, fmt.Sprintf("rows-%06d-part-%05d.bin", sweep, shard))
}

func (f *stepFn) stepHPF(ctx context.Context, sh shard, colsBlob []byte) ([]byte, error) {
	var cols inference.Columns
	if err := unmarshal("the columns", colsBlob, &cols); err != nil {
		return nil, err
	}
	x, err := readShard(ctx, sh)
	if err != nil {
		return nil, err
	}
	r, err := inference.NewRowShard(x, sh.Lo, &cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.Path, err)
	}
	if f.Pass == 1 {
		r.Start()
	} else {
		var rows inference.SideParams
		name := rowsFile(f.Work, f.Pass-1, sh.Index)
		if err := readCoded(ctx, name, &rows); err != nil {
			return nil, err
		}
		if err := r.SetParams(rows); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	st, err := r.Step(f.Workers, f.Pass, &cols, f.Update)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.Path, err)
	}
	if f.Update {
		if err := writeCoded(ctx, rowsFile(f.Work, f.Pass, sh.Index), r.Params()); err != nil {
			return nil, err
		}
	}
	return marshal(st)
}

func (f *stepFn) stepMU(ctx context.Context, sh shard, colsBlob []byte) ([]byte, error) {
	var cols mle.Columns
	if err := unmarshal("the columns", colsBlob, &cols); err != nil {
		return nil, err
	}
	x, err := readShard(ctx, sh)
	if err != nil {
		return nil, err
	}
	r, err := mle.NewRowShard(x, sh.Lo, f.Workers, &cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.Path, err)
	}
	if f.Pass <= 1 {
		r.Start()
	} else {
		var w []float64
		name := rowsFile(f.Work, f.Pass-1, sh.Index)
		if err := readCoded(ctx, name, &w); err != nil {
			return nil, err
		}
		if err := r.SetW(w); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	st, err := r.Step(f.Pass, &cols, f.Update)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sh.Path, err)
	}
	if f.Update {
		if err := writeCoded(ctx, rowsFile(f.Work, f.Pass, sh.Index), r.W()); err != nil {
			return nil, err
		}
	}
	return marshal(st)
}

// sumFn adds every shard's statistics in shard order, whatever order the
// runner delivers the shards' results in, and writes the outcome for the
// driver.
type sumFn struct {
	Kind   string
	Work   string
	Pass   int
	Out    string
	Shards int
}

func (f *sumFn) ProcessElement(ctx context.Context, _ int, results func(*result) bool) error {
	var all []result
	var r result
	for results(&r) {
		all = append(all, r)
	}
	sort.Slice(all, func(a, b int) bool { return all[a].Index < all[b].Index })
	out := outcome{}
	for j, r := range all {
		if r.Err != "" {
			out.Err = r.Err
			break
		}
		if r.Index != j {
			out.Err = fmt.Sprintf("pass results for shards %d and %d of %d: a shard counted twice or missing", j, r.Index, f.Shards)
			break
		}
	}
	if out.Err == "" && len(all) != f.Shards {
		out.Err = fmt.Sprintf("%d shard results for %d shards", len(all), f.Shards)
	}
	if out.Err == "" {
		var err error
		if f.Kind == kindHPF {
			out.Stats, err = addInOrder[inference.ShardStats](ctx, f, (*inference.ShardStats).Add)
		} else {
			out.Stats, err = addInOrder[mle.ShardStats](ctx, f, (*mle.ShardStats).Add)
		}
		if err != nil {
			out.Err = err.Error()
		}
	}
	return writeCoded(ctx, f.Out, &out)
}

// addInOrder reads the shards' statistics and adds them in shard order.
func addInOrder[T any](ctx context.Context, f *sumFn, add func(*T, *T) error) ([]byte, error) {
	var total T
	for s := 0; s < f.Shards; s++ {
		var st T
		name := statsFile(f.Work, f.Pass, s)
		if err := readCoded(ctx, name, &st); err != nil {
			return nil, err
		}
		if err := add(&total, &st); err != nil {
			return nil, err
		}
		removeFile(ctx, name)
	}
	return marshal(&total)
}

// gathered is what the last pipeline of a fit writes per shard: its rows'
// parameters of the chosen sweep (HPF) or W (MU), its labels, and for
// HPF the training log-likelihood of its rows under the posterior mean.
type gathered struct {
	Rows      inference.SideParams
	W         []float64
	RowLabels []string
	ColLabels []string // shard 0's only
	LogLik    float64
}

func gatheredFile(work string, shard int) string {
	return join(work, fmt.Sprintf("final-part-%05d.bin", shard))
}

// gatherFn writes a shard's gathered file. Columns names the file of the
// chosen columns (HPF), for the log-likelihood.
type gatherFn struct {
	Kind    string
	Work    string
	Sweep   int
	Columns string
}

func (f *gatherFn) ProcessElement(ctx context.Context, sh shard) error {
	x, err := readShard(ctx, sh)
	if err != nil {
		return err
	}
	g := gathered{RowLabels: x.RowLabels()}
	if sh.Index == 0 {
		g.ColLabels = x.ColLabels()
	}
	name := rowsFile(f.Work, f.Sweep, sh.Index)
	if f.Kind == kindMU {
		if err := readCoded(ctx, name, &g.W); err != nil {
			return err
		}
		return writeCoded(ctx, gatheredFile(f.Work, sh.Index), &g)
	}
	if err := readCoded(ctx, name, &g.Rows); err != nil {
		return err
	}
	var cols inference.Columns
	if err := readCoded(ctx, f.Columns, &cols); err != nil {
		return err
	}
	// The shard's rows with the columns: a posterior whose point
	// estimate E θ E βᵀ the core scores.
	k, p := cols.K, x.Cols()
	q := &model.Posterior{
		ThetaShape: mat.NewDense(x.Rows(), k, g.Rows.Shape), ThetaRate: mat.NewDense(x.Rows(), k, g.Rows.Rate),
		BetaShape: mat.NewDense(p, k, cols.Params.Shape), BetaRate: mat.NewDense(p, k, cols.Params.Rate),
	}
	if g.LogLik, err = model.PoissonLogLik(x, q.PointEstimate()); err != nil {
		return fmt.Errorf("%s: %w", sh.Path, err)
	}
	return writeCoded(ctx, gatheredFile(f.Work, sh.Index), &g)
}

// shardElements returns the plan's shards as pipeline elements.
func shardElements(pl *plan) []any {
	out := make([]any, len(pl.Shards))
	for j, s := range pl.Shards {
		out[j] = s
	}
	return out
}

// passPipeline builds the pipeline of one pass: the columns read once as
// a side input, one step per shard, the sum in shard order.
func passPipeline(pl *plan, step *stepFn, colsFile, outFile string) *beam.Pipeline {
	p, s := beam.NewPipelineWithRoot()
	shards := beam.Create(s, shardElements(pl)...)
	cols := beam.ParDo(s, &readFn{}, beam.Create(s, colsFile))
	results := beam.ParDo(s, step, shards, beam.SideInput{Input: cols})
	grouped := beam.GroupByKey(s, beam.AddFixedKey(s, results))
	beam.ParDo0(s, &sumFn{Kind: step.Kind, Work: step.Work, Pass: step.Pass, Out: outFile, Shards: len(pl.Shards)}, grouped)
	return p
}

// gatherPipeline builds the last pipeline of a fit.
func gatherPipeline(pl *plan, g *gatherFn) *beam.Pipeline {
	p, s := beam.NewPipelineWithRoot()
	beam.ParDo0(s, g, beam.Create(s, shardElements(pl)...))
	return p
}
