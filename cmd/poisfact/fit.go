package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"time"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/model"
)

// fitOptions are the flags of "poisfact fit".
type fitOptions struct {
	in         string
	modelName  string
	k          int
	iters      int
	tol        float64
	seed       uint64
	workers    int
	holdout    float64
	mask       bool
	checkEvery int
	asJSON     bool
}

// fitReport is the JSON object "poisfact fit -json" prints. Later
// versions add fields; they never rename these.
type fitReport struct {
	Model               string         `json:"model"`
	Input               string         `json:"input"`
	Rows                int            `json:"rows"`
	Cols                int            `json:"cols"`
	NNZ                 int            `json:"nnz"`
	K                   int            `json:"k"`
	Workers             int            `json:"workers"`
	Seed                uint64         `json:"seed"`
	Iterations          int            `json:"iterations"`
	StopReason          string         `json:"stop_reason"`
	Seconds             float64        `json:"seconds"`
	SecondsPerIteration float64        `json:"seconds_per_iteration"`
	ELBO                float64        `json:"elbo"`
	TrainLogLik         float64        `json:"train_loglik"`
	Trace               []traceEntry   `json:"trace"`
	HeldOut             *heldOutReport `json:"heldout,omitempty"`
}

type traceEntry struct {
	Iteration        int      `json:"iteration"`
	ELBO             float64  `json:"elbo"`
	ValidationLogLik *float64 `json:"validation_loglik,omitempty"`
	Seconds          float64  `json:"seconds"`
}

type heldOutReport struct {
	Fraction          float64 `json:"fraction"`
	Masked            bool    `json:"masked"`
	LogLikMean        float64 `json:"loglik_mean"`
	LogLikMeanNonzero float64 `json:"loglik_mean_nonzero"`
	NonZeros          int     `json:"nonzeros"`
	Zeros             int     `json:"zeros"`
}

func runFit(args []string, stdout, stderr io.Writer) int {
	var o fitOptions
	fs := newFlagSet("fit", "-in FILE [-model hpf] [-k K] [flags]", stderr)
	fs.StringVar(&o.in, "in", "", "count matrix: Matrix Market (.mtx) or triplets (.tsv, .csv, .txt), optionally gzipped (required)")
	fs.StringVar(&o.modelName, "model", "hpf", "model: hpf (hierarchical Poisson factorization by CAVI)")
	fs.IntVar(&o.k, "k", 10, "number of factors K (≥ 1)")
	fs.IntVar(&o.iters, "iters", 1000, "maximum number of sweeps")
	fs.Float64Var(&o.tol, "tol", 1e-6, "relative change of the ELBO (or of the validation log-likelihood with -holdout) that stops the fit; negative runs all -iters")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed for initialization and the hold-out split")
	fs.IntVar(&o.workers, "workers", 0, "goroutines (0: all cores); the result does not depend on it")
	fs.Float64Var(&o.holdout, "holdout", 0, "fraction F of each row's non-zeros sent to test and another F to validation (0.1 gives 80/10/10); validation drives the stopping rule")
	fs.BoolVar(&o.mask, "mask", false, "with -holdout, leave held-out cells out of the training likelihood instead of treating them as zeros")
	fs.IntVar(&o.checkEvery, "check-every", 1, "sweeps between validation log-likelihood evaluations and convergence checks")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON object on stdout")
	pos, status, ok := parseFlags(fs, args)
	if !ok {
		return status
	}
	if err := o.validate(pos); err != nil {
		return fail(stderr, "fit", err)
	}
	x, err := readCounts(o.in)
	if err != nil {
		return fail(stderr, "fit", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	report, err := fitHPF(ctx, x, o, stderr)
	if err != nil {
		return fail(stderr, "fit", err)
	}
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		if err := enc.Encode(report); err != nil {
			return fail(stderr, "fit", err)
		}
		return 0
	}
	printFitSummary(stdout, report)
	return 0
}

func (o *fitOptions) validate(pos []string) error {
	switch {
	case len(pos) == 1 && o.in == "":
		o.in = pos[0]
	case len(pos) > 0:
		return usagef("unexpected arguments %q (the input goes after -in)", pos)
	}
	switch {
	case o.in == "":
		return usagef("no input: give -in FILE (Matrix Market or triplets)")
	case o.modelName != "hpf":
		return usagef("unknown model %q: want hpf", o.modelName)
	case o.k <= 0:
		return usagef("-k %d: want K ≥ 1", o.k)
	case o.iters <= 0:
		return usagef("-iters %d: want at least 1", o.iters)
	case math.IsNaN(o.tol) || math.IsInf(o.tol, 0):
		return usagef("-tol %v: want a finite number", o.tol)
	case o.workers < 0:
		return usagef("-workers %d: want 0 (all cores) or more", o.workers)
	case !(o.holdout >= 0 && o.holdout < 0.5):
		return usagef("-holdout %v: want a fraction in [0, 0.5) (F to test and F to validation)", o.holdout)
	case o.mask && o.holdout == 0:
		return usagef("-mask needs -holdout")
	case o.checkEvery <= 0:
		return usagef("-check-every %d: want at least 1", o.checkEvery)
	}
	return nil
}

// fitHPF runs CAVI as the options say and builds the report.
func fitHPF(ctx context.Context, x *model.Counts, o fitOptions, stderr io.Writer) (*fitReport, error) {
	train := x
	settings := &inference.Settings{
		K: o.k, MaxIter: o.iters, Tol: o.tol, Seed: o.seed, Workers: o.workers, CheckEvery: o.checkEvery,
	}
	var test *model.HeldOut
	if o.holdout > 0 {
		split, err := model.NewSplit(x, o.holdout, o.holdout, o.seed)
		if err != nil {
			return nil, err
		}
		train = split.Train
		if settings.Validation, err = split.HeldOut(split.Valid, o.seed+1); err != nil {
			return nil, err
		}
		if test, err = split.HeldOut(split.Test, o.seed+2); err != nil {
			return nil, err
		}
		if o.mask {
			settings.Mask = split.HeldOutCells()
		}
	}
	settings.Recorder = progressPrinter(stderr, o.checkEvery)
	res, err := inference.CAVI(ctx, train, settings)
	if err != nil {
		return nil, err
	}
	n, p := x.Dims()
	r := &fitReport{
		Model: o.modelName, Input: o.in, Rows: n, Cols: p, NNZ: x.NNZ(), K: o.k,
		Workers: workersUsed(o.workers), Seed: o.seed, Iterations: res.Iterations,
		StopReason: res.Status.String(), Seconds: res.Elapsed.Seconds(), ELBO: res.ELBO,
	}
	if res.Iterations > 0 {
		r.SecondsPerIteration = r.Seconds / float64(res.Iterations)
	}
	if r.TrainLogLik, err = res.Posterior.LogLikelihood(train); err != nil {
		return nil, err
	}
	for _, it := range res.Trace {
		e := traceEntry{Iteration: it.Iter, ELBO: it.ELBO, Seconds: it.Elapsed.Seconds()}
		if it.HasValid() {
			v := it.ValidLogLik
			e.ValidationLogLik = &v
		}
		r.Trace = append(r.Trace, e)
	}
	if test != nil {
		ll := test.LogLik(res.Posterior.Rate)
		r.HeldOut = &heldOutReport{Fraction: o.holdout, Masked: o.mask, LogLikMean: ll.Mean, LogLikMeanNonzero: ll.MeanNonzero, NonZeros: ll.NonZeros, Zeros: ll.Zeros}
	}
	return r, nil
}

// progressPrinter returns a recorder that prints one line per check to
// stderr: sweep, ELBO, validation log-likelihood, elapsed time, rate.
func progressPrinter(w io.Writer, every int) func(inference.Iteration) {
	return func(it inference.Iteration) {
		if it.Iter%every != 0 && !it.HasValid() {
			return
		}
		valid := ""
		if it.HasValid() {
			valid = fmt.Sprintf("  validation %.6f", it.ValidLogLik)
		}
		secs := it.Elapsed.Seconds()
		fmt.Fprintf(w, "sweep %5d  elbo %.8g%s  %7.2fs  %.1f it/s\n", it.Iter, it.ELBO, valid, secs, float64(it.Iter)/math.Max(secs, 1e-9))
	}
}

func printFitSummary(w io.Writer, r *fitReport) {
	fmt.Fprintf(w, "model       %s, K = %d, %d workers, seed %d\n", r.Model, r.K, r.Workers, r.Seed)
	fmt.Fprintf(w, "data        %s: %d × %d, %d non-zeros\n", r.Input, r.Rows, r.Cols, r.NNZ)
	fmt.Fprintf(w, "stopped     %s after %d sweeps in %s (%.4f s per sweep)\n", r.StopReason, r.Iterations, time.Duration(r.Seconds*float64(time.Second)).Round(time.Millisecond), r.SecondsPerIteration)
	fmt.Fprintf(w, "elbo        %.10g\n", r.ELBO)
	fmt.Fprintf(w, "train ll    %.10g (Poisson log-likelihood of the training counts, log x! included)\n", r.TrainLogLik)
	if h := r.HeldOut; h != nil {
		fmt.Fprintf(w, "held out    loglik_mean %.6f, loglik_mean_nonzero %.6f (%d non-zeros, %d zeros; masked %v)\n", h.LogLikMean, h.LogLikMeanNonzero, h.NonZeros, h.Zeros, h.Masked)
	}
}
