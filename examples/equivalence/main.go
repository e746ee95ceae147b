// Equivalence shows on real counts that Poisson maximum likelihood and the
// generalized KL divergence are one objective: along a KL-NMF fit of the
// onlineretail purchase counts, NLL − D stays at C(X), a number of the
// data alone, while both objectives fall together.
//
//	go run ./examples/equivalence [-out examples/equivalence]
//
// It prints each step and writes report.md with its plots to -out.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"gonum.org/v1/plot/plotter"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/compare"
	"github.com/poisfact/poisfact/examples/internal/notebook"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// config sets the size of the run; the test uses a small one.
type config struct {
	data  string // embedded data set
	k     int
	iters int
	out   string
}

func main() {
	cfg := config{data: "onlineretail", k: 10, iters: 200}
	flag.StringVar(&cfg.out, "out", "examples/equivalence", "directory for report.md and the plots")
	flag.Parse()
	if err := run(cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(cfg config, w io.Writer) error {
	nb, err := notebook.New(cfg.out, "NLL = D + C(X) on real counts",
		"Poisson maximum likelihood minimizes the negative log-likelihood NLL; KL-NMF minimizes the generalized KL divergence D. "+
			"docs/MATH.md section 1 shows NLL − D = C(X) = Σ [log Γ(x+1) − x log x + x], a number of the data alone. "+
			"This notebook checks it numerically on the "+cfg.data+" counts.", w)
	if err != nil {
		return err
	}
	x, err := poisfact.Dataset(cfg.data)
	if err != nil {
		return err
	}
	n, p := x.Dims()

	nb.Step("Load the counts and compute C(X)",
		"C(X) needs only the non-zeros: a zero contributes log Γ(1) − 0 + 0 = 0.")
	c := x.DataConstant()
	nb.Printf("%s: %d × %d, %d non-zeros, total %.0f; C(X) = %.6f", cfg.data, n, p, x.NNZ(), x.Total(), c)

	nb.Step("Fit KL-NMF by multiplicative updates, evaluating NLL and D at every iterate",
		"If the identity holds, NLL − D is the same number at every iteration, however far the factors move.")
	ev := compare.NewEvaluator(x)
	var iter, nll, div, diff plotter.XYs
	var rows [][]string
	_, err = mle.Fit(context.Background(), x, &mle.Settings{K: cfg.k, MaxIter: cfg.iters, Tol: -1, Seed: 1,
		Recorder: func(it mle.Iteration) {
			wf, hf := it.Factors()
			o := ev.Evaluate(model.Factors{W: wf, H: hf})
			t := float64(it.Iter)
			nll = append(nll, plotter.XY{X: t, Y: o.NLL})
			div = append(div, plotter.XY{X: t, Y: o.Divergence})
			diff = append(diff, plotter.XY{X: t, Y: o.NLL - o.Divergence})
			iter = append(iter, plotter.XY{X: t, Y: o.NLL - o.Divergence - c})
			if it.Iter == 1 || it.Iter%(cfg.iters/5) == 0 {
				rows = append(rows, []string{fmt.Sprint(it.Iter), fmt.Sprintf("%.4f", o.NLL), fmt.Sprintf("%.4f", o.Divergence),
					fmt.Sprintf("%.6f", o.NLL-o.Divergence), fmt.Sprintf("%.2e", o.NLL-o.Divergence-c)})
			}
		}})
	if err != nil {
		return err
	}
	nb.Table([]string{"iteration", "NLL (nats)", "D (nats)", "NLL − D", "NLL − D − C(X)"}, rows)
	var worst float64
	for _, v := range iter {
		worst = max(worst, abs(v.Y))
	}
	nb.Printf("Largest |NLL − D − C(X)| over %d iterations: %.3g, that is %.2g relative to C(X).", len(iter), worst, worst/c)

	nb.Step("Plot NLL − D per iteration",
		"A flat line at C(X): the two objectives differ by the same constant at every iterate.")
	pl, err := notebook.Lines("NLL − D along the MU fit ("+cfg.data+", K = "+fmt.Sprint(cfg.k)+")", "iteration", "NLL − D (nats)",
		notebook.Series{Name: "NLL − D", XY: diff}, notebook.Series{Name: "C(X), computed from the data alone", XY: plotter.XYs{{X: 1, Y: c}, {X: float64(cfg.iters), Y: c}}, Dashed: true})
	if err != nil {
		return err
	}
	pl.Y.Min, pl.Y.Max = c-1, c+1
	if err := nb.Plot(pl, "nll_minus_d", "NLL − D per iteration against C(X); the y-axis spans ±1 nat, so the line would show any drift above 0.01 nats"); err != nil {
		return err
	}

	nb.Step("Plot both objectives",
		"They fall together, the NLL always C(X) above D: minimizing one minimizes the other.")
	pl, err = notebook.Lines("Objectives along the MU fit", "iteration", "objective (nats)",
		notebook.Series{Name: "NLL (log x! included)", XY: nll}, notebook.Series{Name: "generalized KL divergence D", XY: div})
	if err != nil {
		return err
	}
	if err := nb.Plot(pl, "objectives", "Poisson NLL and KL divergence per MU iteration"); err != nil {
		return err
	}

	nb.Step("Run every check of the identity",
		"Random factorizations, the gradients against finite differences, the argmin at K = 1 (closed form) and K = 3, and the normalized case.")
	rep, err := compare.Run(context.Background(), x, &compare.Settings{Trials: 20, FitIterations: 20, Seed: 1})
	if err != nil {
		return err
	}
	var checks [][]string
	for _, ch := range rep.Checks {
		checks = append(checks, []string{ch.Name, fmt.Sprint(ch.Passed), fmt.Sprintf("%.2e", ch.MaxRelDeviation), fmt.Sprintf("%.0e", ch.Tolerance)})
	}
	nb.Table([]string{"check", "passed", "max relative deviation", "tolerance"}, checks)
	if !rep.Passed {
		return fmt.Errorf("a check failed")
	}
	return nb.Close()
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
