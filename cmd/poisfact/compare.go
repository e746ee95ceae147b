package main

import (
	"encoding/json"
	"io"

	"github.com/poisfact/poisfact/compare"
	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/internal/report"
)

// compareReport is the JSON object of "poisfact compare -json".
type compareReport struct {
	File       string          `json:"file"`
	Rows       int             `json:"rows"`
	Cols       int             `json:"cols"`
	NNZ        int             `json:"nnz"`
	CX         float64         `json:"c_x"`
	Checks     []checkReport   `json:"checks"`
	Passed     bool            `json:"passed"`
	SideBySide []sideBySideRow `json:"side_by_side,omitempty"`
}

type checkReport struct {
	Name            string       `json:"name"`
	Passed          bool         `json:"passed"`
	MaxAbsDeviation report.Float `json:"max_abs_deviation"`
	MaxRelDeviation report.Float `json:"max_rel_deviation"`
	Tolerance       float64      `json:"tolerance"`
	Trials          int          `json:"trials"`
	Detail          string       `json:"detail"`
}

type sideBySideRow struct {
	Model             string       `json:"model"`
	LogLikMean        report.Float `json:"loglik_mean"`
	LogLikMeanNonzero report.Float `json:"loglik_mean_nonzero"`
	ZeroRates         int          `json:"zero_rate_heldout"`
	TrainDivergence   float64      `json:"train_divergence"`
	Iterations        int          `json:"iterations"`
	Seconds           float64      `json:"seconds"`
	StopReason        string       `json:"stop_reason"`
}

func runCompare(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare", "FILE [-k K] [-seed S] [-json] [-side-by-side]", stderr)
	k := fs.Int("k", 5, "rank of the random factorizations and of the MU fit checked")
	seed := fs.Uint64("seed", 1, "random seed")
	trials := fs.Int("trials", 100, "number of random factorizations")
	iters := fs.Int("iters", 200, "MU iterations checked along the fit")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	side := fs.Bool("side-by-side", false, "also fit HPF, KL-NMF (MU) and KL-NMF (CD) on one 80/10/10 split and tabulate held-out log-likelihood, training divergence, iterations and time")
	pos, status, ok := parseFlags(fs, args)
	if !ok {
		return status
	}
	switch {
	case len(pos) != 1:
		return fail(stderr, "compare", usagef("want one FILE (Matrix Market or triplets), got %d arguments", len(pos)))
	case *k <= 0:
		return fail(stderr, "compare", usagef("-k %d: want K ≥ 1", *k))
	case *trials <= 0 || *iters <= 0:
		return fail(stderr, "compare", usagef("-trials and -iters must be at least 1"))
	}
	x, err := readFitCounts(pos[0])
	if err != nil {
		return fail(stderr, "compare", err)
	}
	sig := onSignals()
	defer sig.stop()
	ctx := sig.ctx
	rep, err := compare.Run(ctx, x, &compare.Settings{K: *k, Seed: *seed, Trials: *trials, FitIterations: *iters})
	if err != nil {
		return fail(stderr, "compare", err)
	}
	var table *evaluation.Table
	if *side {
		if table, err = evaluation.SideBySide(ctx, x, evaluation.SideBySideSettings{K: *k, Seed: *seed}); err != nil {
			return fail(stderr, "compare", err)
		}
	}
	if *asJSON {
		out := compareReport{File: pos[0], Rows: rep.Rows, Cols: rep.Cols, NNZ: rep.NNZ, CX: rep.CX, Passed: rep.Passed}
		for _, c := range rep.Checks {
			out.Checks = append(out.Checks, checkReport{c.Name, c.Passed, report.Float(c.MaxAbsDeviation), report.Float(c.MaxRelDeviation), c.Tolerance, c.Trials, c.Detail})
		}
		if table != nil {
			for _, r := range table.Rows {
				out.SideBySide = append(out.SideBySide, sideBySideRow{r.Model, report.Float(r.HeldOut.Mean), report.Float(r.HeldOut.MeanNonzero), r.ZeroRates, r.TrainDivergence, r.Iterations, r.Seconds, r.Stop})
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", " ")
		if err := enc.Encode(out); err != nil {
			return fail(stderr, "compare", err)
		}
	} else {
		rep.Print(stdout)
		if table != nil {
			table.Print(stdout)
		}
	}
	if status := sig.status(); status != 0 {
		return status
	}
	if !rep.Passed {
		return 1
	}
	return 0
}
