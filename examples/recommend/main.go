// Recommend fits hierarchical Poisson factorization to the onlineretail
// customers × products purchase counts and uses it as a recommender: its
// convergence, the products it suggests to a few customers, and how it
// compares with maximum likelihood (KL-NMF) and the popularity baseline
// on held-out purchases.
//
//	go run ./examples/recommend [-out examples/recommend]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"sort"
	"strings"

	"gonum.org/v1/plot/plotter"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/examples/internal/notebook"
	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

type config struct {
	data      string
	k         int
	maxIter   int
	customers int
	out       string
}

func main() {
	cfg := config{data: "onlineretail", k: 20, maxIter: 1000, customers: 3}
	flag.StringVar(&cfg.out, "out", "examples/recommend", "directory for report.md and the plots")
	flag.Parse()
	if err := run(cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// description returns the text of a "code<TAB>description" label.
func description(label string) string {
	if _, d, ok := strings.Cut(label, "\t"); ok {
		return d
	}
	return label
}

func run(cfg config, w io.Writer) error {
	nb, err := notebook.New(cfg.out, "HPF as a recommender on online retail purchases",
		"Rows are customers, columns products, counts the number of invoices with the product. "+
			"Hierarchical Poisson factorization (Gopalan, Hofman & Blei) learns K purchase themes; "+
			"we check its fit, read its suggestions and score it against KL-NMF and popularity on held-out purchases.", w)
	if err != nil {
		return err
	}
	x, err := poisfact.Dataset(cfg.data)
	if err != nil {
		return err
	}
	ctx := context.Background()

	nb.Step("Split each customer's purchases 80/10/10",
		"Validation purchases drive the stopping rule; test purchases are touched only for the final scores.")
	split, err := model.NewSplit(x, 0.1, 0.1, 1)
	if err != nil {
		return err
	}
	valid, _ := split.HeldOut(split.Valid, 2)
	test, _ := split.HeldOut(split.Test, 3)
	nb.Printf("%d customers × %d products; %d training, %d validation and %d test purchases.",
		x.Rows(), x.Cols(), split.Train.NNZ(), split.Valid.NNZ(), split.Test.NNZ())

	nb.Step(fmt.Sprintf("Fit HPF with K = %d by CAVI", cfg.k),
		"The ELBO is exact and recorded every sweep; it must never fall. The validation log-likelihood says when to stop.")
	var elbo, vll plotter.XYs
	res, err := inference.CAVI(ctx, split.Train, &inference.Settings{K: cfg.k, Seed: 1, MaxIter: cfg.maxIter, Validation: valid,
		Recorder: func(it inference.Iteration) {
			elbo = append(elbo, plotter.XY{X: float64(it.Iter), Y: it.ELBO})
			if it.HasValid() {
				vll = append(vll, plotter.XY{X: float64(it.Iter), Y: it.ValidLogLik})
			}
		}})
	if err != nil {
		return err
	}
	nb.Printf("Stopped (%v) after %d sweeps in %.2f s; final ELBO %.1f.", res.Status, res.Iterations, res.Elapsed.Seconds(), res.ELBO)
	pl, err := notebook.Lines("HPF convergence: ELBO per sweep", "sweep", "ELBO (nats)", notebook.Series{Name: "ELBO", XY: elbo})
	if err != nil {
		return err
	}
	if err := nb.Plot(pl, "elbo", "The ELBO of the parameters after each sweep rises monotonically"); err != nil {
		return err
	}
	pl, err = notebook.Lines("HPF convergence: validation log-likelihood", "sweep", "mean log-likelihood per held-out cell (nats)", notebook.Series{Name: "validation", XY: vll})
	if err != nil {
		return err
	}
	if err := nb.Plot(pl, "validation", "Mean Poisson log-likelihood of the validation purchases and as many zero cells; the fit stops when it levels off or falls"); err != nil {
		return err
	}

	nb.Step("Suggest products to a few customers",
		"Each customer's top products by predicted rate, excluding what they bought in training, beside what they bought most.")
	rates := res.Posterior.PointEstimate()
	var rowsWanted []int
	for u := 0; u < x.Rows() && len(rowsWanted) < cfg.customers; u += 997 {
		if split.Train.RowNNZ(u) >= 5 {
			rowsWanted = append(rowsWanted, u)
		}
	}
	recs, err := evaluation.Recommend(rates, []*model.Counts{split.Train}, rowsWanted, 5, 0)
	if err != nil {
		return err
	}
	var table [][]string
	for j, u := range rowsWanted {
		cols, vals := split.Train.Row(u)
		idx := make([]int, len(cols))
		for e := range idx {
			idx[e] = e
		}
		sort.SliceStable(idx, func(a, b int) bool { return vals[idx[a]] > vals[idx[b]] })
		var bought []string
		for _, e := range idx[:min(3, len(idx))] {
			bought = append(bought, description(x.ColLabel(int(cols[e]))))
		}
		var sugg []string
		for _, it := range recs[j] {
			sugg = append(sugg, description(x.ColLabel(it.Col)))
		}
		table = append(table, []string{firstField(x.RowLabel(u)), strings.Join(bought, "; "), strings.Join(sugg, "; ")})
	}
	nb.Table([]string{"customer (country)", "bought most", "top 5 suggestions"}, table)

	nb.Step("Compare HPF, KL-NMF and popularity on the test purchases",
		"The same split, the same code for every model: held-out log-likelihood (−∞ where a model gives a purchase rate 0) and ranking metrics at 10.")
	mu, err := mle.Fit(ctx, split.Train, &mle.Settings{K: cfg.k, Seed: 1, MaxIter: cfg.maxIter})
	if err != nil {
		return err
	}
	cd, err := mle.Fit(ctx, split.Train, &mle.Settings{K: cfg.k, Method: mle.CD, Seed: 1, MaxIter: cfg.maxIter})
	if err != nil {
		return err
	}
	// Popularity ranks by column totals, which are not rates of the
	// counts: it gets ranking metrics only.
	models := []struct {
		name   string
		rates  model.Rates
		loglik bool
	}{
		{"HPF (CAVI)", rates, true},
		{"KL-NMF (MU)", model.Factors{W: mu.W, H: mu.H}, true},
		{"KL-NMF (CD)", model.Factors{W: cd.W, H: cd.H}, true},
		{"popularity", evaluation.Popularity(split.Train), false},
	}
	exclude := []*model.Counts{split.Train, split.Valid}
	var metrics [][]string
	var ndcg, recall plotter.Values
	var names []string
	for _, m := range models {
		r, err := model.Rank(m.rates, split.Test, exclude, 10, 0)
		if err != nil {
			return err
		}
		ll := "—"
		if m.loglik {
			ll = fmtLL(test.LogLik(m.rates).Mean)
		}
		metrics = append(metrics, []string{m.name, ll, f4(r.NDCG), f4(r.Recall), f4(r.Precision), f4(r.NormPrecision), f4(r.MAP)})
		ndcg, recall = append(ndcg, r.NDCG), append(recall, r.Recall)
		names = append(names, m.name)
	}
	nb.Table([]string{"model", "loglik_mean", "NDCG@10", "recall@10", "precision@10", "norm. precision@10", "MAP@10"}, metrics)
	bars, err := notebook.Bars("Held-out ranking quality at 10 ("+cfg.data+")", "model", "score (fraction, higher is better)", names,
		[]string{"NDCG@10", "recall@10"}, []plotter.Values{ndcg, recall})
	if err != nil {
		return err
	}
	if err := nb.Plot(bars, "ranking", "NDCG@10 and recall@10 on the test purchases for each model"); err != nil {
		return err
	}
	return nb.Close()
}

func firstField(s string) string {
	if a, b, ok := strings.Cut(s, "\t"); ok {
		return a + " (" + b + ")"
	}
	return s
}

func f4(v float64) string { return fmt.Sprintf("%.4f", v) }

func fmtLL(v float64) string {
	if math.IsInf(v, -1) {
		return "−∞"
	}
	return fmt.Sprintf("%.4f", v)
}
