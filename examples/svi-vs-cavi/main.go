// Svi-vs-cavi compares the two ways poisfact fits HPF on one split:
// batch CAVI, which updates every row and column each sweep, and
// stochastic VI, which updates the rows of a minibatch and takes a
// shrinking step on the columns. It plots the validation log-likelihood
// of both against wall-clock seconds and reports when each comes within
// 1% of the best value CAVI reaches.
//
//	go run ./examples/svi-vs-cavi [-in ../shared/data/newsgroups20/matrix.mtx.gz] [-k 20] [-sweeps N] [-epochs N] [-check-every N] [-check-batches N] [-out examples/svi-vs-cavi]
//
// Without -in it uses the shipped onlineretail purchases.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"

	"gonum.org/v1/plot/plotter"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/examples/internal/notebook"
	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/model"
)

type config struct {
	in           string // a count matrix; empty means the shipped onlineretail
	k            int
	workers      int
	checkBatches int
	checkEvery   int // CAVI's CheckEvery; 0 means its default
	sweeps       int // CAVI's MaxIter; 0 means its default
	epochs       int // SVI's MaxIter in epochs; 0 means its default
	out          string
}

func main() {
	cfg := config{k: 20, workers: 2, checkBatches: 20}
	flag.StringVar(&cfg.in, "in", "", "count matrix (empty: the shipped onlineretail purchases)")
	flag.IntVar(&cfg.k, "k", cfg.k, "number of factors")
	flag.IntVar(&cfg.workers, "workers", cfg.workers, "goroutines for both fits")
	flag.IntVar(&cfg.checkBatches, "check-batches", cfg.checkBatches, "SVI minibatches between validation checks")
	flag.IntVar(&cfg.checkEvery, "check-every", 0, fmt.Sprintf("CAVI sweeps between validation checks (0: CAVI's default, %d)", inference.DefaultCheckEvery))
	flag.IntVar(&cfg.sweeps, "sweeps", 0, "at most this many CAVI sweeps (0: CAVI's default)")
	flag.IntVar(&cfg.epochs, "epochs", 0, "at most this many SVI epochs (0: SVI's default)")
	flag.StringVar(&cfg.out, "out", "examples/svi-vs-cavi", "directory for report.md and the plot")
	flag.Parse()
	if err := run(cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// curve is a fit's validation log-likelihood at its checks, against the
// seconds since the fit started.
type curve struct {
	name string
	xy   plotter.XYs
	res  *inference.Result
}

// reached returns the first time the curve comes within frac of target
// (relative), or NaN when it never does.
func (c curve) reached(target, frac float64) float64 {
	for _, p := range c.xy {
		if p.Y >= target-frac*math.Abs(target) {
			return p.X
		}
	}
	return math.NaN()
}

func run(cfg config, w io.Writer) error {
	name := cfg.in
	var x *model.Counts
	var err error
	if name == "" {
		name = "onlineretail"
		x, err = poisfact.Dataset(name)
	} else {
		x, err = model.ReadFile(name)
	}
	if err != nil {
		return err
	}
	nb, err := notebook.New(cfg.out, "Stochastic against batch variational inference",
		"Batch CAVI touches every non-zero each sweep; SVI learns from a minibatch of rows at a time. Which reaches a good held-out fit sooner depends on the data: this notebook measures it on one split.", w)
	if err != nil {
		return err
	}
	split, err := model.NewSplit(x, 0.1, 0.1, 1)
	if err != nil {
		return err
	}
	valid, test, err := split.RequireHeldOutSets(1)
	if err != nil {
		return err
	}

	nb.Step(fmt.Sprintf("Fit HPF at K = %d by CAVI and by SVI on one 80/10/10 split of %s (%d × %d, %d non-zeros)", cfg.k, name, x.Rows(), x.Cols(), x.NNZ()),
		"Both fits see the same training part and stop on the same validation part, with their own defaults (CAVI from the jittered prior, SVI from a short KL-NMF fit, on a fortieth of the rows when that is 10,000 rows or more); the test part is scored once, at the end.")
	fit := func(label string, svi bool) (curve, error) {
		c := curve{name: label}
		maxIter, every := cfg.sweeps, cfg.checkEvery
		if svi {
			every = 0
			maxIter = cfg.epochs
		}
		s := &inference.Settings{K: cfg.k, Seed: 1, Workers: cfg.workers, Validation: valid, MaxIter: maxIter, CheckEvery: every,
			Recorder: func(it inference.Iteration) {
				if it.HasValid() {
					c.xy = append(c.xy, plotter.XY{X: it.Elapsed.Seconds(), Y: it.ValidLogLik})
				}
			}}
		var err error
		if svi {
			c.res, err = inference.SVI(context.Background(), split.Train, s, &inference.Stochastic{CheckBatches: cfg.checkBatches})
		} else {
			c.res, err = inference.CAVI(context.Background(), split.Train, s)
		}
		return c, err
	}
	batch, err := fit("CAVI", false)
	if err != nil {
		return err
	}
	stoch, err := fit("SVI", true)
	if err != nil {
		return err
	}
	target := batch.res.Best
	var rows [][]string
	for _, c := range []curve{batch, stoch} {
		last := c.xy[len(c.xy)-1].X
		rows = append(rows, []string{c.name, fmt.Sprint(c.res.Iterations), fmt.Sprintf("%.2f", last),
			fmt.Sprintf("%.4f", c.res.Best), fmt.Sprintf("%.2f", c.reached(target, 0.01)),
			fmt.Sprintf("%.4f", test.Evaluate(c.res.Posterior).Mean)})
	}
	nb.Table([]string{"fit", "sweeps or minibatches", "seconds", "best validation loglik", "seconds to 1% of CAVI's best", "test loglik_mean"}, rows)
	nb.Printf("CAVI's best validation value is %.4f; a fit that never comes within 1%% of it shows NaN.", target)

	nb.Step("Plot the validation log-likelihood against seconds", "The curves show the cost of each method's progress in wall-clock time, the quantity a user waits for.")
	pl, err := notebook.Lines("Validation log-likelihood against time ("+name+")", "seconds since the fit started", "mean log-likelihood per held-out cell (nats)",
		notebook.Series{Name: "CAVI", XY: batch.xy}, notebook.Series{Name: "SVI", XY: stoch.xy})
	if err != nil {
		return err
	}
	pl.Legend.Top, pl.Legend.Left = false, false
	every := cfg.checkEvery
	if every == 0 {
		every = inference.DefaultCheckEvery
	}
	if err := nb.Plot(pl, "svi_vs_cavi", fmt.Sprintf("Validation mean log-likelihood at each check of CAVI (every %d sweeps) and SVI (every %d minibatches)", every, cfg.checkBatches)); err != nil {
		return err
	}
	return nb.Close()
}
