package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/internal/cliflag"
	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/report"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// fitOptions are the flags of "poisfact fit".
type fitOptions struct {
	in, valid, test string
	out             string
	modelName       string
	k               int
	iters           int
	tol             float64
	seed            uint64
	splitSeed       uint64
	workers         int
	holdout         float64
	mask            bool
	checkEvery      int
	asJSON          bool
	init            string
	mapShape        float64
	mapRate         float64
	// HPF only. criterion and init are parsed by validate into
	// hpfCriterion and hpfInit.
	hyper        model.HPF
	criterion    string
	hpfCriterion inference.Criterion
	hpfInit      inference.InitMethod
	patience     int
	minIters     int
	restarts     int
	initJitter   float64
	initNMFIters int
	initNMFRows  int
	// HPF by CAVI: checkpoints.
	checkpoint      string
	checkpointEvery int
	resume          bool
	// HPF by stochastic VI.
	svi                 bool
	batchRows           int
	sviDelay, sviForget float64
	checkBatches        int
}

// fitReport is the JSON object "poisfact fit -json" prints: the fit's
// report, which poisfact-beam prints too, with the held-out figures and
// where the model went. Later versions add fields; they never rename
// these.
type fitReport struct {
	report.Fit
	HeldOut *heldOutReport `json:"heldout,omitempty"`
	Saved   string         `json:"saved,omitempty"`
}

func runFit(args []string, stdout, stderr io.Writer) int {
	var o fitOptions
	fs := newFlagSet("fit", "-in FILE [-model hpf|nmf|nmf-cd] [-k K] [flags]", stderr)
	fs.StringVar(&o.in, "in", "", "count matrix: Matrix Market (.mtx) or triplets (.tsv, .csv, .txt), optionally gzipped; empty means the onlineretail customers × products counts embedded in the binary")
	fs.StringVar(&o.modelName, "model", "hpf", "model: hpf (hierarchical Poisson factorization by CAVI), nmf (KL-NMF, Poisson maximum likelihood, by multiplicative updates) or nmf-cd (the same by coordinate descent)")
	fs.IntVar(&o.k, "k", 10, "number of factors K (≥ 1)")
	fs.IntVar(&o.iters, "iters", 1000, "maximum number of sweeps (iterations) of each restart")
	fs.Float64Var(&o.tol, "tol", 0, fmt.Sprintf("relative improvement of the stopping criterion that counts as progress (nmf: relative change of the objective); 0: %g for a log-likelihood criterion, %g for the elbo, 1e-6 for nmf; negative runs all -iters", inference.DefaultLogLikTol, inference.DefaultELBOTol))
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the fit's start (and of its restarts)")
	fs.Uint64Var(&o.splitSeed, "split-seed", 1, "random seed of the -holdout split and of the held-out zero cells; never touches the fit")
	fs.IntVar(&o.workers, "workers", 0, "goroutines (0: all cores); the result does not depend on it")
	fs.Float64Var(&o.holdout, "holdout", 0, "fraction F of each row's non-zeros sent to test and another F to validation (0.1 gives 80/10/10); for hpf, validation drives the stopping rule")
	fs.StringVar(&o.valid, "valid", "", "validation counts (same shape as -in, which is then the training set), instead of -holdout; for hpf it drives the stopping rule")
	fs.StringVar(&o.test, "test", "", "test counts (same shape as -in), instead of -holdout; scored after the fit, never seen by it")
	fs.BoolVar(&o.mask, "mask", false, "hpf: leave the validation cells out of the training likelihood instead of treating them as zeros (test cells stay zeros: the fit never learns which they are)")
	fs.IntVar(&o.checkEvery, "check-every", 0, fmt.Sprintf("sweeps between checks of the stopping criterion (0: %d for a log-likelihood criterion, 1 for the elbo and for nmf)", inference.DefaultCheckEvery))
	fs.StringVar(&o.out, "out", "", "save the fitted model in this directory (see poisfact recommend, evaluate, export)")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON object on stdout")
	fs.StringVar(&o.init, "init", "", "start: hpf jitter, prior, nmf or uniform (the peers' start; default jitter); nmf, nmf-cd random or nndsvda (default random)")
	fs.Float64Var(&o.initJitter, "init-jitter", 0, fmt.Sprintf("hpf -init jitter: relative size of the jitter of the prior values (0: %g)", inference.DefaultJitter))
	fs.IntVar(&o.initNMFIters, "init-nmf-iters", 0, fmt.Sprintf("hpf -init nmf: KL-NMF iterations of the start (0: %d)", inference.DefaultNMFIters))
	fs.IntVar(&o.initNMFRows, "init-nmf-rows", 0, fmt.Sprintf("hpf -init nmf: rows, drawn from the seed, of the start's KL-NMF fit (0: every row; with -svi, n/40 when that is %d or more)", inference.SVINMFMinRows))
	fs.StringVar(&o.criterion, "criterion", "", "hpf stopping criterion: validation (mean log-likelihood of the validation non-zeros and as many zero cells), validation-nonzero, validation-ndcg (NDCG@10 of the validation part; a check costs O(rows·cols·K)), train-loglik or elbo (default validation with a validation set, elbo without)")
	fs.IntVar(&o.patience, "patience", 0, fmt.Sprintf("hpf: checks without improvement before the fit stops (0: %d for a log-likelihood criterion, 1 for the elbo)", inference.DefaultPatience))
	fs.IntVar(&o.minIters, "min-iters", 0, fmt.Sprintf("sweeps before the fit may stop (0: %d for hpf, 10 for nmf)", inference.DefaultMinIter))
	fs.IntVar(&o.restarts, "restarts", 1, "hpf: fits from this many seeded starts; the best by the criterion is kept")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "write the fit's state to this directory every -checkpoint-every sweeps, at the last and on SIGINT/SIGTERM")
	fs.IntVar(&o.checkpointEvery, "checkpoint-every", 0, "-checkpoint: sweeps or iterations between writes (0: 10)")
	fs.BoolVar(&o.resume, "resume", false, "-checkpoint: continue the fit whose state is in that directory (same data and flags; -iters may grow); the result is the uninterrupted fit's")
	fs.BoolVar(&o.svi, "svi", false, "hpf: fit by stochastic variational inference (minibatches of rows; -iters counts epochs, default 100; default start nmf)")
	fs.IntVar(&o.batchRows, "batch-rows", 0, "hpf -svi: rows per minibatch (0: min(n, max(100, n/50)))")
	fs.Float64Var(&o.sviDelay, "svi-delay", 0, "hpf -svi: delay t0 of the step (t0 + t)^(−κ) (0: 1, or 1024 from a KL-NMF start on a subsample of the rows)")
	fs.Float64Var(&o.sviForget, "svi-forget", 0, "hpf -svi: forgetting rate κ in (0.5, 1] (0: 0.7)")
	fs.IntVar(&o.checkBatches, "check-batches", 0, "hpf -svi: minibatches between checks of the criterion (0: one check per epoch)")
	cliflag.Hyper(fs, &o.hyper)
	fs.Float64Var(&o.mapShape, "map-shape", 0, "nmf, nmf-cd: shape α ≥ 1 of a Gamma(α, b) prior on every factor entry; fits MAP instead of maximum likelihood")
	fs.Float64Var(&o.mapRate, "map-rate", 0, "nmf, nmf-cd: rate b > 0 of the MAP prior (default 1 when -map-shape is given)")
	pos, status, ok := parseFlags(fs, args)
	if !ok {
		return status
	}
	if o.svi && !flagGiven(fs, "iters") {
		o.iters = 100 // epochs, SVI's default
	}
	if err := o.validate(pos); err != nil {
		return fail(stderr, "fit", err)
	}
	if o.out != "" {
		// Found now, not after the fit.
		if err := model.CheckSaveDir(o.out); err != nil {
			return fail(stderr, "fit", usageError{err})
		}
	}
	data, err := loadData(o)
	if err != nil {
		return fail(stderr, "fit", err)
	}
	warnSameData(stderr, "fit", data)
	sig := onSignals()
	defer sig.stop()
	fitter := fitHPF
	if o.modelName != "hpf" {
		fitter = fitNMF
	}
	rep, saved, err := fitter(sig.ctx, data, o, stderr)
	if err != nil {
		return fail(stderr, "fit", err)
	}
	n, p := data.all.Dims()
	rep.Describe(o.modelName, o.in, n, p, data.all.NNZ(), o.k, parallel.Workers(o.workers), o.seed)
	saved.RowLabels, saved.ColLabels, saved.Train = data.all.RowLabels(), data.all.ColLabels(), data.train
	if data.testHeld != nil {
		if rep.HeldOut, err = heldOutMetrics(saved, data, o.workers); err != nil {
			return fail(stderr, "fit", err)
		}
		rep.HeldOut.Fraction, rep.HeldOut.Masked = o.holdout, o.mask
	}
	if o.out != "" {
		saved.Fit.Input, saved.Fit.SplitSeed, saved.Fit.Holdout, saved.Fit.Mask = o.in, o.splitSeed, o.holdout, o.mask
		saved.Valid, saved.Test = data.valid, data.test
		if saveErr := model.SaveModel(o.out, saved); saveErr != nil {
			// The fit is done: print its rep before the error.
			printFitReport(stdout, stderr, o.asJSON, rep)
			return fail(stderr, "fit", saveErr)
		}
		rep.Saved = o.out
	}
	if status := printFitReport(stdout, stderr, o.asJSON, rep); status != 0 {
		return status
	}
	return sig.status()
}

// printFitReport prints the report as JSON or as the summary.
func printFitReport(stdout, stderr io.Writer, asJSON bool, report *fitReport) int {
	if asJSON {
		return printJSON(stdout, stderr, "fit", report)
	}
	printFitSummary(stdout, report)
	return 0
}

// printJSON writes v as indented JSON.
func printJSON(stdout, stderr io.Writer, cmd string, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return fail(stderr, cmd, err)
	}
	return 0
}

func (o *fitOptions) validate(pos []string) error {
	switch {
	case len(pos) == 1 && o.in == "":
		o.in = pos[0]
	case len(pos) > 0:
		return usagef("unexpected arguments %q (the input goes after -in)", pos)
	}
	if o.in == "" {
		if o.valid != "" || o.test != "" {
			return usagef("-valid/-test need the training counts as -in FILE")
		}
		o.in = embeddedInput
	}
	switch {
	case o.modelName != "hpf" && o.modelName != "nmf" && o.modelName != "nmf-cd":
		return usagef("unknown model %q: want hpf, nmf or nmf-cd", o.modelName)
	case o.modelName != "hpf" && o.init != "" && o.init != "random" && o.init != "nndsvda":
		return usagef("-init %q: want random or nndsvda for -model %s", o.init, o.modelName)
	case o.modelName == "hpf" && (o.mapShape != 0 || o.mapRate != 0):
		return usagef("-map-shape and -map-rate apply to -model nmf and nmf-cd")
	case o.modelName != "hpf" && (o.criterion != "" || o.patience != 0 || o.restarts != 1 || o.initJitter != 0 || o.initNMFIters != 0 || o.initNMFRows != 0 || o.hyper != model.HPF{}):
		return usagef("-criterion, -patience, -restarts, -init-jitter, -init-nmf-iters, -init-nmf-rows and the hyperparameter flags apply to -model hpf")
	case o.modelName != "hpf" && (o.svi || o.batchRows != 0 || o.sviDelay != 0 || o.sviForget != 0 || o.checkBatches != 0):
		return usagef("-svi, -batch-rows, -svi-delay, -svi-forget and -check-batches apply to -model hpf")
	case !o.svi && (o.batchRows != 0 || o.sviDelay != 0 || o.sviForget != 0 || o.checkBatches != 0):
		return usagef("-batch-rows, -svi-delay, -svi-forget and -check-batches need -svi")
	case (o.checkpointEvery != 0 || o.resume) && o.checkpoint == "":
		return usagef("-checkpoint-every and -resume need -checkpoint DIR")
	case o.checkpointEvery < 0:
		return usagef("-checkpoint-every %d: want 0 (default) or more", o.checkpointEvery)
	case o.svi && o.mask:
		return usagef("-mask does not apply to -svi")
	case o.batchRows < 0 || o.checkBatches < 0 || !(o.sviDelay >= 0) || !(o.sviForget >= 0):
		return usagef("-batch-rows, -check-batches, -svi-delay and -svi-forget must not be negative")
	case o.patience < 0 || o.minIters < 0:
		return usagef("-patience %d, -min-iters %d: want 0 (default) or more", o.patience, o.minIters)
	case o.restarts < 1:
		return usagef("-restarts %d: want at least 1", o.restarts)
	case o.initJitter < 0 || math.IsNaN(o.initJitter) || math.IsInf(o.initJitter, 0):
		return usagef("-init-jitter %v: want a finite number ≥ 0", o.initJitter)
	case o.initNMFIters < 0:
		return usagef("-init-nmf-iters %d: want 0 (default) or more", o.initNMFIters)
	case o.initNMFRows < 0:
		return usagef("-init-nmf-rows %d: want 0 (default) or more", o.initNMFRows)
	case o.mapShape != 0 && !(o.mapShape >= 1 && o.mapShape <= mle.MaxPrior):
		return usagef("-map-shape %v: want 1 ≤ α ≤ %g (below 1 the MAP objective is unbounded; far above, the prior swamps the data)", o.mapShape, mle.MaxPrior)
	case !(o.mapRate >= 0 && o.mapRate <= mle.MaxPrior) || o.mapRate != 0 && o.mapShape == 0:
		return usagef("-map-rate %v: want a rate in (0, %g], with -map-shape", o.mapRate, mle.MaxPrior)
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
	case (o.valid != "" || o.test != "") && o.holdout != 0:
		return usagef("-valid/-test and -holdout are two ways to hold data out: give one")
	case o.mask && o.holdout == 0 && o.valid == "":
		return usagef("-mask needs a validation set (-holdout or -valid): it is the validation cells that are masked")
	case o.mask && o.modelName != "hpf":
		return usagef("-mask applies to -model hpf")
	case o.checkEvery < 0:
		return usagef("-check-every %d: want 0 (default) or more", o.checkEvery)
	}
	if err := o.hyper.Validate(); err != nil {
		return usageError{err}
	}
	return o.parseHPF()
}

// parseHPF parses -init and -criterion of an HPF fit, once, with the
// inference package's own names.
func (o *fitOptions) parseHPF() error {
	if o.modelName != "hpf" {
		return nil
	}
	var err error
	if o.init != "" {
		if o.hpfInit, err = inference.ParseInitMethod(o.init); err != nil {
			return usagef("-init %q: want jitter, prior, nmf or uniform for -model hpf", o.init)
		}
	}
	if o.criterion != "" {
		if o.hpfCriterion, err = inference.ParseCriterion(o.criterion); err != nil {
			return usagef("-criterion %q: want %s", o.criterion, inference.CriterionNames())
		}
	}
	if o.hpfCriterion.NeedsValidation() && o.holdout == 0 && o.valid == "" {
		return usagef("-criterion %s needs a validation set (-holdout or -valid)", o.criterion)
	}
	if o.init == "" && o.modelName != "hpf" {
		o.init = "random"
	}
	return nil
}

func printFitSummary(w io.Writer, r *fitReport) {
	r.Summary(w)
	if h := r.HeldOut; h != nil {
		printHeldOut(w, h)
	}
	if r.Saved != "" {
		fmt.Fprintf(w, "saved       %s\n", r.Saved)
	}
}
