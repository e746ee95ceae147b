package evaluation

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/model"
)

// Item is a ranked column with its score.
type Item struct {
	Col   int
	Score float64
}

// Recommend returns, for each of the given rows, its top n columns by
// score among those it has no entry for in any of seen (the training
// counts, usually), best first, ties broken by the lower column index.
// Rows run in parallel on workers goroutines.
func Recommend(s model.Rates, seen []*model.Counts, rows []int, n, workers int) ([][]Item, error) {
	nr, p := s.Dims()
	for _, u := range rows {
		if u < 0 || u >= nr {
			return nil, fmt.Errorf("evaluation: row %d out of range [0,%d)", u, nr)
		}
	}
	for _, e := range seen {
		if e.Rows() != nr || e.Cols() != p {
			return nil, fmt.Errorf("evaluation: seen counts are %d × %d, the model %d × %d", e.Rows(), e.Cols(), nr, p)
		}
	}
	if n <= 0 {
		return nil, fmt.Errorf("evaluation: n = %d: want n ≥ 1", n)
	}
	out := make([][]Item, len(rows))
	scratch := make([]model.Ranker, parallel.Workers(workers))
	chunks := parallel.Balanced(len(rows), 1, func(int) int64 { return 0 })
	chunks.Run(workers, func(w, _, lo, hi int) {
		sc := &scratch[w]
		for j := lo; j < hi; j++ {
			top := sc.Top(s, rows[j], seen, n)
			items := make([]Item, len(top))
			for r, i := range top {
				items[r] = Item{i, sc.Score(i)}
			}
			out[j] = items
		}
	})
	return out, nil
}

// SimilarColumns returns the n columns most similar to column i by the
// cosine similarity of their factor rows (E[β_i·] for HPF, H_i· for
// KL-NMF), most similar first, i itself excluded.
func SimilarColumns(factors *mat.Dense, i, n int) ([]Item, error) {
	p, _ := factors.Dims()
	if i < 0 || i >= p {
		return nil, fmt.Errorf("evaluation: column %d out of range [0,%d)", i, p)
	}
	norm := func(j int) float64 { return mat.Norm(factors.RowView(j), 2) }
	ni := norm(i)
	items := make([]Item, 0, p-1)
	for j := 0; j < p; j++ {
		if j == i {
			continue
		}
		d := norm(j) * ni
		sim := 0.0
		if d > 0 {
			sim = mat.Dot(factors.RowView(i), factors.RowView(j)) / d
		}
		items = append(items, Item{j, sim})
	}
	return topItems(items, n), nil
}

// TopColumnsPerFactor returns, for each factor k, the n columns with the
// largest weight in column k of factors (E[β] for HPF: the top words of a
// topic, the top genes of a program; H for KL-NMF).
func TopColumnsPerFactor(factors *mat.Dense, n int) [][]Item {
	p, k := factors.Dims()
	out := make([][]Item, k)
	for j := 0; j < k; j++ {
		items := make([]Item, p)
		for i := 0; i < p; i++ {
			items[i] = Item{i, factors.At(i, j)}
		}
		out[j] = topItems(items, n)
	}
	return out
}

// topItems sorts by score, best first (ties by column), and keeps n.
func topItems(items []Item, n int) []Item {
	sort.Slice(items, func(a, b int) bool {
		if items[a].Score != items[b].Score {
			return items[a].Score > items[b].Score || math.IsNaN(items[b].Score)
		}
		return items[a].Col < items[b].Col
	})
	return items[:min(n, len(items))]
}
