// Command poisfact-beam fits HPF (CAVI) or KL-NMF (MU) to a count matrix
// held as row shards, one Apache Beam pipeline per sweep, on any Beam
// runner:
//
//	poisfact convert -shards 8 matrix.mtx.gz shards/
//	poisfact-beam fit -in 'shards/*.pfb' -work work/ -k 20 -out model/
//
// It takes the core command's flags for these fits (-k, -iters, -tol,
// -min-iters, -seed, -init, the hyperparameters, -json, -out), prints the
// same progress lines and report, and saves the model in the core
// library's format, so that poisfact evaluate, recommend and export read
// it. -runner picks the runner (prism, the default, runs in this
// process); Beam's own flags (-endpoint, -environment_type, -project,
// -region, -temp_location, ...) configure it. -work is the fit's folder
// on a filesystem every worker reaches, and its checkpoint: -resume
// continues a stopped fit to the result of an uninterrupted one.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	// The runners -runner names.
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/dataflow"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/flink"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/spark"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"

	"github.com/poisfact/poisfact/beam/beamfit"
	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/internal/cliflag"
	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/report"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// runners are the names -runner takes.
var runners = []string{"prism", "universal", "flink", "spark", "dataflow"}

// options are the command's own flags; Beam's are on flag.CommandLine
// beside them.
type options struct {
	in, work, out, modelName, runner, init string
	k, iters, minIters, workers            int
	tol                                    float64
	seed                                   uint64
	hyper                                  model.HPF
	resume, asJSON                         bool
}

func defineFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.in, "in", "", "the row shards: a glob on any Beam filesystem (local, gs://, s3://) matching part-SSSSS-of-NNNNN.pfb files, as poisfact convert -shards writes them")
	fs.StringVar(&o.work, "work", "", "the fit's folder, on a filesystem every worker reaches: rows after each sweep, columns, statistics and the state it resumes from")
	fs.StringVar(&o.out, "out", "", "save the fitted model in this local directory (see poisfact recommend, evaluate, export)")
	fs.StringVar(&o.modelName, "model", "hpf", "model: hpf (hierarchical Poisson factorization by CAVI) or nmf (KL-NMF by multiplicative updates)")
	fs.StringVar(&o.runner, "runner", "prism", "Beam runner: "+strings.Join(runners, ", ")+" (prism runs in this process)")
	fs.StringVar(&o.init, "init", "", "hpf start: jitter (default) or uniform; nmf: random")
	fs.IntVar(&o.k, "k", 10, "number of factors K (≥ 1)")
	fs.IntVar(&o.iters, "iters", 1000, "maximum number of sweeps (iterations)")
	fs.IntVar(&o.minIters, "min-iters", 0, fmt.Sprintf("sweeps before the fit may stop (0: %d for hpf, 10 for nmf)", inference.DefaultMinIter))
	fs.IntVar(&o.workers, "workers", 0, "goroutines per shard's step (0: the worker's cores); the result does not depend on it")
	fs.Float64Var(&o.tol, "tol", 0, fmt.Sprintf("relative improvement of the ELBO (nmf: of the divergence) that counts as progress (0: %g for hpf, 1e-6 for nmf); negative runs all -iters", inference.DefaultELBOTol))
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the fit's start")
	cliflag.Hyper(fs, &o.hyper)
	fs.BoolVar(&o.resume, "resume", false, "continue the fit whose state -work holds (same shards and flags; -iters may grow)")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON object on stdout")
}

func (o *options) validate() error {
	switch {
	case o.in == "":
		return errors.New("-in: the shards are required (poisfact convert -shards N IN DIR writes them)")
	case o.work == "":
		return errors.New("-work: the fit's folder is required")
	case o.modelName != "hpf" && o.modelName != "nmf":
		return fmt.Errorf("-model %q: want hpf or nmf", o.modelName)
	case !slices.Contains(runners, o.runner):
		return fmt.Errorf("-runner %q: want one of %s", o.runner, strings.Join(runners, ", "))
	case o.k < 1:
		return fmt.Errorf("-k %d: want K ≥ 1", o.k)
	case o.iters < 1:
		return fmt.Errorf("-iters %d: want at least 1", o.iters)
	case o.minIters < 0 || o.workers < 0:
		return fmt.Errorf("-min-iters %d, -workers %d: want 0 (default) or more", o.minIters, o.workers)
	case math.IsNaN(o.tol) || math.IsInf(o.tol, 0):
		return fmt.Errorf("-tol %v: want a finite number", o.tol)
	case o.modelName == "nmf" && o.init != "" && o.init != "random":
		return fmt.Errorf("-init %q: nmf starts from random", o.init)
	case o.modelName == "nmf" && o.hyper != model.HPF{}:
		return errors.New("the hyperparameter flags apply to -model hpf")
	case o.modelName == "hpf" && o.init != "" && o.init != "jitter" && o.init != "uniform":
		return fmt.Errorf("-init %q: a sharded hpf fit starts from jitter or uniform", o.init)
	}
	if err := o.hyper.Validate(); err != nil {
		return err
	}
	if o.out != "" {
		return model.CheckSaveDir(o.out)
	}
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// newFlags returns the command's flag set: its own flags and, sharing
// their values, Beam's, which the SDK defines on flag.CommandLine.
func newFlags(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("poisfact-beam", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	defineFlags(fs, o)
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if fs.Lookup(f.Name) == nil {
			fs.Var(f.Value, f.Name, f.Usage)
		}
	})
	return fs
}

// run runs the command and returns its exit status: 0, 1 when the fit
// fails, 2 for a bad invocation, 130 when a signal stopped the fit (its
// best check is still saved and printed).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "fit" {
		args = args[1:]
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
		usage(stderr)
		return 0
	}
	var o options
	fs := newFlags(&o)
	if err := fs.Parse(args); err != nil {
		return fail(stderr, fmt.Errorf("%v (poisfact-beam -h lists the flags)", err), 2)
	}
	// A worker started by a remote runner runs its bundles here and
	// exits; the driver goes on.
	beam.Init()
	if fs.NArg() > 0 {
		return fail(stderr, fmt.Errorf("unexpected arguments %q (the shards go after -in)", fs.Args()), 2)
	}
	if err := o.validate(); err != nil {
		return fail(stderr, err, 2)
	}
	// Prism and the SDK log every job at level info, and a cancelled
	// bundle at level error; what matters comes back as the pipeline's
	// error, printed in one line.
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError + 4})))
	// Prism leaves a placeholder file in the temporary directory for
	// every pipeline it runs; the fit's go into a directory removed at
	// the end.
	restore, tmpErr := beamfit.PrivateTempDir()
	if tmpErr != nil {
		return fail(stderr, tmpErr, 1)
	}
	defer restore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	runner := func(ctx context.Context, p *beam.Pipeline) error {
		_, err := beam.Run(ctx, o.runner, p)
		return err
	}
	bo := beamfit.Options{In: o.in, Work: o.work, Resume: o.resume, Run: runner, Workers: o.workers}
	var rep *report.Fit
	var saved *model.Saved
	var data beamfit.Data
	var err error
	if o.modelName == "hpf" {
		rep, saved, data, err = fitHPF(ctx, bo, o, stderr)
	} else {
		rep, saved, data, err = fitMU(ctx, bo, o, stderr)
	}
	if err != nil {
		return fail(stderr, err, 1)
	}
	rep.Describe(o.modelName, o.in, data.Rows, data.Cols, data.NNZ, o.k, parallel.Workers(o.workers), o.seed)
	rep.TrainLogLik = data.TrainLogLik
	out := &fitReport{Fit: *rep}
	if o.out != "" {
		saved.RowLabels, saved.ColLabels = data.RowLabels, data.ColLabels
		saved.Fit.Input = o.in
		if err := model.SaveModel(o.out, saved); err != nil {
			printReport(stdout, o.asJSON, out)
			return fail(stderr, err, 1)
		}
		out.Saved = o.out
	}
	if err := printReport(stdout, o.asJSON, out); err != nil {
		return fail(stderr, err, 1)
	}
	if ctx.Err() != nil {
		return 130
	}
	return 0
}

// fitReport is the JSON object -json prints: the core command's fit
// report and where the model went.
type fitReport struct {
	report.Fit
	Saved string `json:"saved,omitempty"`
}

func fitHPF(ctx context.Context, bo beamfit.Options, o options, stderr io.Writer) (*report.Fit, *model.Saved, beamfit.Data, error) {
	s := &inference.Settings{K: o.k, Hyper: o.hyper, MaxIter: o.iters, MinIter: o.minIters, Tol: o.tol, Seed: o.seed, Workers: o.workers}
	if o.init == "uniform" {
		s.Init.Method = inference.InitUniform
	}
	s.Recorder = report.HPFProgress(stderr, false, 1, inference.CriterionELBO)
	res, data, err := beamfit.HPF(ctx, bo, s)
	if err != nil {
		return nil, nil, data, err
	}
	rec := res.Record(s)
	return report.HPF(res, s), &model.Saved{Kind: model.KindHPF, Posterior: res.Posterior, Fit: &rec}, data, nil
}

func fitMU(ctx context.Context, bo beamfit.Options, o options, stderr io.Writer) (*report.Fit, *model.Saved, beamfit.Data, error) {
	s := &mle.Settings{K: o.k, MaxIter: o.iters, MinIter: o.minIters, Tol: o.tol, Seed: o.seed, Workers: o.workers}
	s.Recorder = report.MLEProgress(stderr, 1)
	res, data, err := beamfit.MU(ctx, bo, s)
	if err != nil {
		return nil, nil, data, err
	}
	rec := res.Record(s)
	return report.MLE(res, s), &model.Saved{Kind: model.KindNMF, W: res.W, H: res.H, Fit: &rec}, data, nil
}

func printReport(w io.Writer, asJSON bool, r *fitReport) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(r)
	}
	r.Summary(w)
	if r.Saved != "" {
		fmt.Fprintf(w, "saved       %s\n", r.Saved)
	}
	return nil
}

// fail prints one line and returns status.
func fail(w io.Writer, err error, status int) int {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	fmt.Fprintf(w, "poisfact-beam: %s\n", msg)
	return status
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: poisfact-beam fit -in 'SHARDS' -work DIR [-model hpf|nmf] [-k K] [-out DIR] [-runner R] [Beam flags]")
	fmt.Fprintln(w, "\nFlags:")
	fs := flag.NewFlagSet("poisfact-beam", flag.ContinueOnError)
	var o options
	defineFlags(fs, &o)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nBeam's own flags (-endpoint, -environment_type, -project, -region, -temp_location, ...) configure the runner.")
}
