package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/poisfact/poisfact/evaluation"
)

type selectKRow struct {
	K           int     `json:"k"`
	ValidLogLik float64 `json:"validation_loglik"`
	TestLogLik  float64 `json:"test_loglik"`
	ELBO        float64 `json:"elbo"`
	Iterations  int     `json:"iterations"`
	Seconds     float64 `json:"seconds"`
	Seed        uint64  `json:"seed"`
}

func runSelectK(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("select-k", "-in FILE [-k 5,10,20,50,100] [-restarts R] [-json]", stderr)
	in := fs.String("in", "", "count matrix (required)")
	ks := fs.String("k", "5,10,20,50,100", "comma-separated numbers of factors to try")
	restarts := fs.Int("restarts", 1, "seeded fits per K; the best validation log-likelihood is kept")
	holdout := fs.Float64("holdout", 0.1, "fraction of each row's non-zeros held out for validation, and again for test")
	seed := fs.Uint64("seed", 1, "random seed of the split and the fits")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	iters := fs.Int("iters", 1000, "maximum sweeps per fit")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	pos, status, ok := parseFlags(fs, args)
	if !ok {
		return status
	}
	if *in == "" && len(pos) == 1 {
		*in = pos[0]
	}
	var kList []int
	for _, f := range strings.Split(*ks, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k <= 0 {
			return fail(stderr, "select-k", usagef("-k %q: want a comma-separated list of K ≥ 1", *ks))
		}
		kList = append(kList, k)
	}
	switch {
	case *in == "":
		return fail(stderr, "select-k", usagef("no input: give -in FILE"))
	case *restarts <= 0:
		return fail(stderr, "select-k", usagef("-restarts %d: want at least 1", *restarts))
	case !(*holdout > 0 && *holdout < 0.5):
		return fail(stderr, "select-k", usagef("-holdout %v: want a fraction in (0, 0.5)", *holdout))
	case *iters <= 0 || *workers < 0:
		return fail(stderr, "select-k", usagef("-iters must be at least 1 and -workers at least 0"))
	}
	x, err := readFitCounts(*in)
	if err != nil {
		return fail(stderr, "select-k", err)
	}
	sig := onSignals()
	defer sig.stop()
	res, err := evaluation.SelectK(sig.ctx, x, evaluation.SelectKSettings{
		Ks: kList, HoldOut: *holdout, Restarts: *restarts, Seed: *seed, Workers: *workers, MaxIter: *iters,
		Recorder: func(r evaluation.KResult) {
			fmt.Fprintf(stderr, "K %4d  validation %.6f  elbo %.8g  %d sweeps  %.2fs\n", r.K, r.ValidLogLik, r.ELBO, r.Iterations, r.Seconds)
		},
	})
	if err != nil && !(res != nil && sig.status() != 0) {
		return fail(stderr, "select-k", err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "poisfact select-k: stopped by a signal after %d of %d K; the table holds those\n", len(res.Rows), len(kList))
	}
	if *asJSON {
		if res.AtEdge {
			fmt.Fprintf(stderr, "note: K = %d is at the edge of the grid; the best K may lie beyond it: try a wider grid\n", res.Best)
		}
		out := struct {
			Input  string       `json:"input"`
			Best   int          `json:"best_k"`
			AtEdge bool         `json:"best_k_at_grid_edge"`
			Rows   []selectKRow `json:"rows"`
		}{Input: *in, Best: res.Best, AtEdge: res.AtEdge}
		for _, r := range res.Rows {
			out.Rows = append(out.Rows, selectKRow{r.K, r.ValidLogLik, r.TestLogLik, r.ELBO, r.Iterations, r.Seconds, r.Seed})
		}
		if status := printJSON(stdout, stderr, "select-k", out); status != 0 {
			return status
		}
		return sig.status()
	}
	res.Print(stdout)
	return sig.status()
}
