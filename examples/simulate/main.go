// Simulate draws data from the HPF generative model, fits HPF to it, and
// compares the fit with the truth: the fitted E[θ] against the true θ
// (factors matched), and how well the posterior's credible intervals
// cover the true values.
//
//	go run ./examples/simulate [-out examples/simulate]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/examples/internal/notebook"
	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/model"
)

type config struct {
	n, p, k int
	seed    uint64
	out     string
}

func main() {
	cfg := config{n: 500, p: 400, k: 5, seed: 2026}
	flag.StringVar(&cfg.out, "out", "examples/simulate", "directory for report.md and the plots")
	flag.Parse()
	if err := run(cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(cfg config, w io.Writer) error {
	nb, err := notebook.New(cfg.out, "Fitting HPF to data drawn from HPF",
		"With the truth known we can see what CAVI recovers: the row weights θ, up to the order and scale of the factors, "+
			"and whether the variational posterior's uncertainty is honest.", w)
	if err != nil {
		return err
	}
	h := model.HPF{APrime: 2, CPrime: 2}

	nb.Step(fmt.Sprintf("Draw a %d × %d matrix from the model with K = %d", cfg.n, cfg.p, cfg.k),
		"a = c = 0.3 as in the paper, but a' = c' = 2: with the paper's 0.3 the rates reach 1e13 and beyond (docs/MATH.md section 5).")
	truth, x, err := model.Sample(cfg.n, cfg.p, cfg.k, h, 0, cfg.seed)
	if err != nil {
		return err
	}
	nb.Printf("%d non-zeros (density %.3f), total count %.0f.", x.NNZ(), x.Density(), x.Total())

	nb.Step("Fit HPF with the true K and hyperparameters", "Several seeds would find different local optima; one is shown.")
	res, err := inference.CAVI(context.Background(), x, &inference.Settings{K: cfg.k, Hyper: h, Seed: 1, Tol: 1e-8, MaxIter: 3000})
	if err != nil {
		return err
	}
	q := res.Posterior
	nb.Printf("%v after %d sweeps (%.2f s).", res.Status, res.Iterations, res.Elapsed.Seconds())

	nb.Step("Match fitted factors to true ones",
		"Factors come in any order and any scale (θ_k c, β_k / c leave every rate unchanged): pair them by the correlation of log θ, "+
			"then move each fitted factor's scale so that its column weights sum like the truth's.")
	et, eb := q.ETheta(), q.EBeta()
	perm := matchFactors(truth.Theta, et)
	scale := make([]float64, cfg.k)
	var rows [][]string
	for j, k := range perm {
		scale[k] = mat.Sum(eb.ColView(k)) / mat.Sum(truth.Beta.ColView(j))
		r := stat.Correlation(logCol(truth.Theta, j), logCol(et, k), nil)
		rows = append(rows, []string{fmt.Sprint(j + 1), fmt.Sprint(k + 1), fmt.Sprintf("%.3f", r), fmt.Sprintf("%.3g", scale[k])})
	}
	nb.Table([]string{"true factor", "fitted factor", "correlation of log θ", "scale moved"}, rows)
	var xy plotter.XYs
	for u := 0; u < cfg.n; u++ {
		for j, k := range perm {
			xy = append(xy, plotter.XY{X: truth.Theta.At(u, j), Y: et.At(u, k) * scale[k]})
		}
	}
	pl, err := notebook.Scatter("True θ against fitted E[θ] (factors matched)", "true θ_uk (log scale)", "fitted E[θ_uk], rescaled (log scale)", xy, true)
	if err != nil {
		return err
	}
	clampBelow(xy, plotFloor)
	pl.X.Scale, pl.Y.Scale = plot.LogScale{}, plot.LogScale{}
	pl.X.Tick.Marker, pl.Y.Tick.Marker = plot.LogTicks{Prec: 1}, plot.LogTicks{Prec: 1}
	pl.X.Min, pl.Y.Min = plotFloor, plotFloor
	if err := nb.Plot(pl, "theta", fmt.Sprintf("Each point is one of the %d row weights (values below %g drawn at %g); on the diagonal the fit equals the truth. "+
		"The horizontal band is shrinkage: where a row has few counts in a factor, the posterior mean stays near the prior's", len(xy), plotFloor, plotFloor)); err != nil {
		return err
	}

	nb.Step("Check the posterior's calibration",
		"For each level ℓ, the fraction of true θ_uk inside the central ℓ credible interval of q(θ_uk) = Gamma(γˢ, γʳ). "+
			"An honest posterior covers ℓ of them; mean-field variational inference is known to be overconfident.")
	levels := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99}
	var cover plotter.XYs
	var calib [][]string
	for _, l := range levels {
		var in int
		for u := 0; u < cfg.n; u++ {
			for j, k := range perm {
				iv, err := evaluation.ThetaInterval(q, u, k, l)
				if err != nil {
					return err
				}
				if t := truth.Theta.At(u, j) / scale[k]; t >= iv.Lo && t <= iv.Hi { // the truth on the fitted scale
					in++
				}
			}
		}
		c := float64(in) / float64(cfg.n*cfg.k)
		cover = append(cover, plotter.XY{X: l, Y: c})
		calib = append(calib, []string{fmt.Sprintf("%.2f", l), fmt.Sprintf("%.3f", c)})
	}
	nb.Table([]string{"nominal level", "coverage of true θ"}, calib)
	pl, err = notebook.Lines("Calibration of the credible intervals for θ", "nominal level of the central interval", "fraction of true θ_uk inside",
		notebook.Series{Name: "observed coverage", XY: cover}, notebook.Series{Name: "perfect calibration", XY: plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, Dashed: true})
	if err != nil {
		return err
	}
	pl.X.Min, pl.X.Max, pl.Y.Min, pl.Y.Max = 0, 1, 0, 1
	pl.Legend.Top, pl.Legend.Left = true, true
	if err := nb.Plot(pl, "calibration", "Coverage of the true row weights by the variational credible intervals against the nominal level"); err != nil {
		return err
	}
	return nb.Close()
}

// logCol returns log of column j of m (floored at 1e-300).
func logCol(m *mat.Dense, j int) []float64 {
	r, _ := m.Dims()
	out := make([]float64, r)
	for i := range out {
		out[i] = math.Log(math.Max(m.At(i, j), 1e-300))
	}
	return out
}

// plotFloor is the smallest weight the log-log plot shows: Gamma(0.3, ξ)
// draws reach 1e-14, which would squeeze the informative range.
const plotFloor = 1e-4

// clampBelow raises values below floor to floor.
func clampBelow(xy plotter.XYs, floor float64) {
	for j := range xy {
		xy[j].X, xy[j].Y = math.Max(xy[j].X, floor), math.Max(xy[j].Y, floor)
	}
}

// matchFactors returns perm with perm[j] the fitted factor paired with
// true factor j, maximizing the summed correlation of log θ over all
// permutations (K ≤ 8) or greedily (larger K).
func matchFactors(truth, fitted *mat.Dense) []int {
	_, k := truth.Dims()
	corr := make([][]float64, k)
	for j := range corr {
		corr[j] = make([]float64, k)
		for l := range corr[j] {
			corr[j][l] = stat.Correlation(logCol(truth, j), logCol(fitted, l), nil)
		}
	}
	best, bestScore := make([]int, k), math.Inf(-1)
	perm := make([]int, k)
	used := make([]bool, k)
	var search func(j int, score float64)
	search = func(j int, score float64) {
		if j == k {
			if score > bestScore {
				bestScore = score
				copy(best, perm)
			}
			return
		}
		for l := 0; l < k; l++ {
			if !used[l] {
				used[l], perm[j] = true, l
				search(j+1, score+corr[j][l])
				used[l] = false
			}
		}
	}
	if k <= 8 {
		search(0, 0)
		return best
	}
	for j := 0; j < k; j++ {
		bl := -1
		for l := 0; l < k; l++ {
			if !used[l] && (bl < 0 || corr[j][l] > corr[j][bl]) {
				bl = l
			}
		}
		used[bl], best[j] = true, bl
	}
	return best
}
