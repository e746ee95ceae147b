package model

import (
	"fmt"
	"math"
	"sort"

	"github.com/poisfact/poisfact/internal/parallel"
)

// Ranking holds the held-out ranking metrics of docs/MATH.md section 4,
// each averaged over the rows with a non-empty test set T_u.
type Ranking struct {
	// K is the length of the ranked lists.
	K int
	// Precision is hits/k; Recall hits/|T_u|; NormPrecision
	// hits/min(k, |T_u|) (the HPF paper's normalized precision).
	Precision, Recall, NormPrecision float64
	// NDCG is Σ_{r≤k} rel_r / log2(r+1) over the same sum for an ideal
	// list, Σ_{r ≤ min(k,|T_u|)} 1/log2(r+1).
	NDCG float64
	// MAP is (1/min(k,|T_u|)) Σ_{r≤k} rel_r · precision@r.
	MAP float64
	// Rows is the number of rows averaged over.
	Rows int
}

// Rank computes the ranking metrics at k of scorer s on the test set: for
// each row u with test entries T_u, the candidates are all columns not in
// u's entries of any of exclude (the training and validation parts),
// ranked by score (ties broken by the lower column index), and the top k
// are compared with T_u. Rows run in parallel; the averages are summed in
// row order, so they do not depend on workers.
func Rank(s Rates, test *Counts, exclude []*Counts, k, workers int) (Ranking, error) {
	n, p := s.Dims()
	if test.Rows() != n || test.Cols() != p {
		return Ranking{}, fmt.Errorf("model: test set is %d × %d, the model %d × %d", test.Rows(), test.Cols(), n, p)
	}
	for _, e := range exclude {
		if e.Rows() != n || e.Cols() != p {
			return Ranking{}, fmt.Errorf("model: excluded part is %d × %d, the model %d × %d", e.Rows(), e.Cols(), n, p)
		}
	}
	if k <= 0 {
		return Ranking{}, fmt.Errorf("model: k = %d: want k ≥ 1", k)
	}
	// A row with test entries scores all p columns whatever their number.
	chunks := parallel.Balanced(n, 1, func(u int) int64 { return int64(min(test.RowNNZ(u), 1)) })
	const nm = 6 // precision, recall, norm precision, NDCG, MAP, rows
	scratch := make([]Ranker, parallel.Workers(workers))
	v := chunks.SumVec(workers, nm, func(w, lo, hi int, acc []float64) {
		sc := &scratch[w]
		for u := lo; u < hi; u++ {
			truth, _ := test.Row(u)
			if len(truth) == 0 {
				continue
			}
			top := sc.Top(s, u, exclude, k)
			m := rowMetrics(top, truth, k)
			acc[0] += m.Precision
			acc[1] += m.Recall
			acc[2] += m.NormPrecision
			acc[3] += m.NDCG
			acc[4] += m.MAP
			acc[5]++
		}
	})
	r := Ranking{K: k, Rows: int(v[5])}
	if r.Rows > 0 {
		c := float64(r.Rows)
		r.Precision, r.Recall, r.NormPrecision, r.NDCG, r.MAP = v[0]/c, v[1]/c, v[2]/c, v[3]/c, v[4]/c
	}
	return r, nil
}

// rowMetrics computes one row's metrics from its ranked top list and its
// test columns (ascending).
func rowMetrics(top []int, truth []int32, k int) Ranking {
	in := func(i int) bool {
		j := sort.Search(len(truth), func(j int) bool { return int(truth[j]) >= i })
		return j < len(truth) && int(truth[j]) == i
	}
	var hits int
	var dcg, ap float64
	for r, i := range top {
		if in(i) {
			hits++
			dcg += 1 / math.Log2(float64(r+2))
			ap += float64(hits) / float64(r+1)
		}
	}
	m := min(k, len(truth))
	var ideal float64
	for r := 0; r < m; r++ {
		ideal += 1 / math.Log2(float64(r+2))
	}
	return Ranking{
		K: k, Rows: 1,
		Precision:     float64(hits) / float64(k),
		Recall:        float64(hits) / float64(len(truth)),
		NormPrecision: float64(hits) / float64(m),
		NDCG:          dcg / ideal,
		MAP:           ap / float64(m),
	}
}

// Ranker finds the best-scored columns of a row. Its zero value is ready;
// it keeps its space between rows, so each goroutine needs one of its
// own.
type Ranker struct {
	scores []float64
	seen   []bool
	heap   []int
}

// Score returns the score of column i in the row that Top ranked last.
func (sc *Ranker) Score(i int) float64 { return sc.scores[i] }

// Top returns the k best columns of row u of s, best first, among those
// that have no entry in row u of any of exclude; ties rank the lower
// column first. Fewer than k come back when fewer are candidates.
func (sc *Ranker) Top(s Rates, u int, exclude []*Counts, k int) []int {
	_, p := s.Dims()
	if len(sc.scores) != p {
		sc.scores, sc.seen = make([]float64, p), make([]bool, p)
	}
	s.RowRates(u, sc.scores)
	for _, e := range exclude {
		cols, _ := e.Row(u)
		for _, i := range cols {
			sc.seen[i] = true
		}
	}
	better := func(a, b int) bool { // a ranks above b
		return sc.scores[a] > sc.scores[b] || sc.scores[a] == sc.scores[b] && a < b
	}
	// A min-heap of the k best so far: its root is the worst of them.
	h := sc.heap[:0]
	down := func(j int) {
		for {
			l := 2*j + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && better(h[l], h[r]) {
				l = r
			}
			if !better(h[j], h[l]) {
				return
			}
			h[j], h[l] = h[l], h[j]
			j = l
		}
	}
	for i := 0; i < p; i++ {
		if sc.seen[i] {
			continue
		}
		if len(h) < k {
			h = append(h, i)
			for j := len(h) - 1; j > 0; {
				parent := (j - 1) / 2
				if !better(h[parent], h[j]) {
					break
				}
				h[j], h[parent] = h[parent], h[j]
				j = parent
			}
			continue
		}
		if better(i, h[0]) {
			h[0] = i
			down(0)
		}
	}
	for _, e := range exclude {
		cols, _ := e.Row(u)
		for _, i := range cols {
			sc.seen[i] = false
		}
	}
	top := append([]int(nil), h...)
	sort.Slice(top, func(a, b int) bool { return better(top[a], top[b]) })
	sc.heap = h
	return top
}

// Rank computes the ranking metrics at k of s on the held-out set: each
// row's candidates are the columns without an entry in the parts the set
// was told to exclude (the training part, for a validation set).
func (h *HeldOut) Rank(s Rates, k, workers int) (Ranking, error) {
	return Rank(s, h.X, h.exclude, k, workers)
}
