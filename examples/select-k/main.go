// Select-k chooses the number of factors of HPF by validation likelihood:
// it fits every K of a list on one split of the onlineretail purchases
// and plots the validation log-likelihood against K.
//
//	go run ./examples/select-k [-out examples/select-k]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/examples/internal/notebook"
)

type config struct {
	data     string
	ks       []int
	restarts int
	maxIter  int
	out      string
}

func main() {
	cfg := config{data: "onlineretail", ks: []int{5, 10, 20, 50, 100, 200}, restarts: 1, maxIter: 1000}
	flag.StringVar(&cfg.out, "out", "examples/select-k", "directory for report.md and the plots")
	flag.Parse()
	if err := run(cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(cfg config, w io.Writer) error {
	nb, err := notebook.New(cfg.out, "Choosing K by validation likelihood",
		"More factors always raise the training fit; the validation log-likelihood of held-out purchases says when they stop generalizing.", w)
	if err != nil {
		return err
	}
	x, err := poisfact.Dataset(cfg.data)
	if err != nil {
		return err
	}
	nb.Step(fmt.Sprintf("Fit HPF at K = %v on one 80/10/10 split of %s", cfg.ks, cfg.data),
		"Every K sees the same training, validation and test purchases; validation stops each fit and chooses K, test is reported for the record.")
	res, err := evaluation.SelectK(context.Background(), x, evaluation.SelectKSettings{Ks: cfg.ks, Restarts: cfg.restarts, Seed: 1, MaxIter: cfg.maxIter})
	if err != nil {
		return err
	}
	var rows [][]string
	var vll, tll plotter.XYs
	var chosen plotter.XYs
	for _, r := range res.Rows {
		mark := ""
		if r.K == res.Best {
			mark = "chosen"
			chosen = append(chosen, plotter.XY{X: float64(r.K), Y: r.ValidLogLik})
		}
		rows = append(rows, []string{fmt.Sprint(r.K), fmt.Sprintf("%.5f", r.ValidLogLik), fmt.Sprintf("%.5f", r.TestLogLik), fmt.Sprintf("%.1f", r.ELBO), fmt.Sprint(r.Iterations), fmt.Sprintf("%.2f", r.Seconds), mark})
		vll = append(vll, plotter.XY{X: float64(r.K), Y: r.ValidLogLik})
		tll = append(tll, plotter.XY{X: float64(r.K), Y: r.TestLogLik})
	}
	nb.Table([]string{"K", "validation loglik", "test loglik", "ELBO", "sweeps", "seconds", ""}, rows)
	nb.Printf("Chosen: K = %d.", res.Best)

	nb.Step("Plot the validation log-likelihood against K", "The chosen K is marked; the test curve shows whether the choice generalizes.")
	pl, err := notebook.Lines("Held-out log-likelihood against the number of factors ("+cfg.data+")", "number of factors K", "mean log-likelihood per held-out cell (nats)",
		notebook.Series{Name: "validation", XY: vll}, notebook.Series{Name: "test", XY: tll})
	if err != nil {
		return err
	}
	mark, err := plotter.NewScatter(chosen)
	if err != nil {
		return err
	}
	mark.GlyphStyle.Shape = draw.CircleGlyph{}
	mark.GlyphStyle.Radius = vg.Points(6)
	pl.Add(mark)
	pl.Legend.Add(fmt.Sprintf("chosen K = %d", res.Best), mark)
	pl.Legend.Top, pl.Legend.Left = false, false
	if err := nb.Plot(pl, "selectk", "Validation and test mean log-likelihood per K; the circle marks the K with the best validation value"); err != nil {
		return err
	}
	return nb.Close()
}
