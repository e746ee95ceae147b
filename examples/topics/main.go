// Topics fits hierarchical Poisson factorization to the chapters × words
// counts of Jane Austen's six novels: the words of each factor, and which
// novels load on which factor.
//
//	go run ./examples/topics [-out examples/topics]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"

	"gonum.org/v1/plot/plotter"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/examples/internal/notebook"
	"github.com/poisfact/poisfact/inference"
)

type config struct {
	data    string
	k       int
	maxIter int
	words   int
	out     string
}

func main() {
	cfg := config{data: "janeausten", k: 6, maxIter: 1000, words: 10}
	flag.StringVar(&cfg.out, "out", "examples/topics", "directory for report.md and the plots")
	flag.Parse()
	if err := run(cfg, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(cfg config, w io.Writer) error {
	nb, err := notebook.New(cfg.out, "Topics in Jane Austen's novels",
		"Rows are the 269 chapters of the six novels, columns the words, counts how often each word occurs in each chapter. "+
			"HPF's column popularity η absorbs how common a word is overall, so its factors can be read as topics.", w)
	if err != nil {
		return err
	}
	x, err := poisfact.Dataset(cfg.data)
	if err != nil {
		return err
	}

	nb.Step(fmt.Sprintf("Fit HPF with K = %d", cfg.k),
		"Six factors for six novels: we do not tell the model which chapter belongs to which book.")
	res, err := inference.CAVI(context.Background(), x, &inference.Settings{K: cfg.k, Seed: 2, MaxIter: cfg.maxIter, Tol: 1e-7})
	if err != nil {
		return err
	}
	q := res.Posterior
	nb.Printf("%d × %d counts, %d non-zeros; %v after %d sweeps (%.2f s), ELBO %.1f.", x.Rows(), x.Cols(), x.NNZ(), res.Status, res.Iterations, res.Elapsed.Seconds(), res.ELBO)

	nb.Step("Read the words of each factor",
		"The top words by E[β_ik] are the most frequent ones a factor uses; the distinctive words are those whose weight sits mostly in this factor (E[β_ik] / Σ_j E[β_ij], among words seen at least 20 times).")
	eb := q.EBeta()
	top := evaluation.TopColumnsPerFactor(eb, cfg.words)
	colTotals := x.ColSums()
	var rows [][]string
	for k := range top {
		var words, distinct []string
		for _, it := range top[k] {
			words = append(words, x.ColLabel(it.Col))
		}
		var share []evaluation.Item
		for i := 0; i < x.Cols(); i++ {
			if colTotals[i] < 20 {
				continue
			}
			var s float64
			for j := 0; j < cfg.k; j++ {
				s += eb.At(i, j)
			}
			share = append(share, evaluation.Item{Col: i, Score: eb.At(i, k) / s})
		}
		for _, it := range topByScore(share, cfg.words) {
			distinct = append(distinct, x.ColLabel(it.Col))
		}
		rows = append(rows, []string{fmt.Sprint(k + 1), strings.Join(words, " "), strings.Join(distinct, " ")})
	}
	nb.Table([]string{"factor", "top words", "distinctive words"}, rows)

	nb.Step("Which novels load on which factor",
		"For each chapter, the share of its expected word count that factor k explains, E[θ_uk] Σ_i E[β_ik] / Σ_j E[θ_uj] Σ_i E[β_ij], averaged over the chapters of each novel.")
	et := q.ETheta()
	betaSum := make([]float64, cfg.k)
	for j := range betaSum {
		for i := 0; i < x.Cols(); i++ {
			betaSum[j] += eb.At(i, j)
		}
	}
	var novels []string
	share := map[string][]float64{}
	count := map[string]int{}
	for u := 0; u < x.Rows(); u++ {
		book, _, _ := strings.Cut(x.RowLabel(u), "\t")
		if _, ok := share[book]; !ok {
			novels = append(novels, book)
			share[book] = make([]float64, cfg.k)
		}
		var total float64
		for j := 0; j < cfg.k; j++ {
			total += et.At(u, j) * betaSum[j]
		}
		for j := 0; j < cfg.k; j++ {
			share[book][j] += et.At(u, j) * betaSum[j] / total
		}
		count[book]++
	}
	var table [][]string
	values := make([]plotter.Values, cfg.k)
	var names []string
	for _, b := range novels {
		row := []string{b}
		for j := 0; j < cfg.k; j++ {
			v := share[b][j] / float64(count[b])
			row = append(row, fmt.Sprintf("%.2f", v))
			values[j] = append(values[j], v)
		}
		table = append(table, row)
		names = append(names, abbreviate(b))
	}
	header := []string{"novel"}
	var series []string
	for j := 1; j <= cfg.k; j++ {
		header = append(header, fmt.Sprintf("factor %d", j))
		series = append(series, fmt.Sprintf("factor %d", j))
	}
	nb.Table(header, table)
	pl, err := notebook.Bars("Share of each novel's words explained by each factor", "novel", "mean share of a chapter's expected count", names, series, values)
	if err != nil {
		return err
	}
	if err := nb.Plot(pl, "novels", "Mean share of the chapters' expected word counts per factor, by novel"); err != nil {
		return err
	}
	return nb.Close()
}

// topByScore returns the n items with the largest scores, ties by column.
func topByScore(items []evaluation.Item, n int) []evaluation.Item {
	sort.Slice(items, func(a, b int) bool {
		if items[a].Score != items[b].Score {
			return items[a].Score > items[b].Score
		}
		return items[a].Col < items[b].Col
	})
	return items[:min(n, len(items))]
}

// abbreviate shortens a title for an axis label: "Sense & Sensibility" →
// "S&S", "Emma" stays.
func abbreviate(title string) string {
	words := strings.Fields(title)
	if len(words) == 1 {
		return title
	}
	var b strings.Builder
	for _, w := range words {
		if w == "&" {
			b.WriteString("&")
			continue
		}
		b.WriteString(w[:1])
	}
	return b.String()
}
