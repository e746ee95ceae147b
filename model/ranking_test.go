package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// cellCounts returns an n × p matrix with a 1 in each of the cells.
func cellCounts(t *testing.T, n, p int, cells ...[2]int) *Counts {
	var r, c []int
	var v []float64
	for _, cell := range cells {
		r, c, v = append(r, cell[0]), append(c, cell[1]), append(v, 1)
	}
	x, err := NewCounts(n, p, r, c, v)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestRankByHand checks every metric of docs/MATH.md section 4 on a tiny
// example worked out by hand, k = 3:
//
// Row 0 scores columns 0..5 as 0.9 0.8 0.7 0.6 0.5 0.4; column 1 is in
// training and 3 in validation, so the candidates rank 0, 2, 4, 5 and the
// top 3 are [0, 2, 4]. T_0 = {2, 5}: one hit, at rank 2.
//
//	precision 1/3, recall 1/2, normalized precision 1/min(3,2) = 1/2,
//	NDCG (1/log2 3) / (1/log2 2 + 1/log2 3) = 0.63093/1.63093 = 0.386853,
//	MAP (1/min(3,2)) · (1 · precision@2 = 1/2) = 1/4.
//
// Row 1 scores 0.1 … 0.6 (ascending); column 5 is in training, so the top
// 3 are [4, 3, 2]. T_1 = {4}, fewer held-out items than k: one hit at
// rank 1, so precision 1/3, recall 1, normalized precision 1/min(3,1) = 1,
// NDCG 1, MAP 1.
//
// Row 2 has no test entries and is not averaged. The means over rows 0
// and 1: precision 1/3, recall 3/4, normalized precision 3/4,
// NDCG (0.386853 + 1)/2 = 0.693426, MAP 5/8.
func TestRankByHand(t *testing.T) {
	table := [][]float64{
		{0.9, 0.8, 0.7, 0.6, 0.5, 0.4},
		{0.1, 0.2, 0.3, 0.4, 0.5, 0.6},
		{1, 1, 1, 1, 1, 1},
	}
	s := rateFunc{3, 6, func(u, i int) float64 { return table[u][i] }}
	train := cellCounts(t, 3, 6, [2]int{0, 1}, [2]int{1, 5}, [2]int{2, 0})
	valid := cellCounts(t, 3, 6, [2]int{0, 3})
	test := cellCounts(t, 3, 6, [2]int{0, 2}, [2]int{0, 5}, [2]int{1, 4})
	for _, w := range []int{1, 3} {
		r, err := Rank(s, test, []*Counts{train, valid}, 3, w)
		if err != nil {
			t.Fatal(err)
		}
		ndcg0 := (1 / math.Log2(3)) / (1 + 1/math.Log2(3))
		want := Ranking{K: 3, Rows: 2, Precision: 1.0 / 3, Recall: 0.75, NormPrecision: 0.75, NDCG: (ndcg0 + 1) / 2, MAP: 0.625}
		for _, v := range []struct {
			name      string
			got, want float64
		}{{"precision", r.Precision, want.Precision}, {"recall", r.Recall, want.Recall}, {"normalized precision", r.NormPrecision, want.NormPrecision}, {"NDCG", r.NDCG, want.NDCG}, {"MAP", r.MAP, want.MAP}} {
			if !scalar.EqualWithinAbs(v.got, v.want, 1e-15) {
				t.Errorf("%s = %v, want %v", v.name, v.got, v.want)
			}
		}
		if r.Rows != 2 || !scalar.EqualWithinAbs(want.NDCG, 0.693426, 1e-6) {
			t.Fatalf("rows %d, NDCG check %v", r.Rows, want.NDCG)
		}
	}
	if _, err := Rank(s, test, nil, 0, 1); err == nil {
		t.Fatal("k = 0 accepted")
	}
}
