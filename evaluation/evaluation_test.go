package evaluation

import (
	"context"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// tableScorer rates from a fixed table.
type tableScorer [][]float64

func (t tableScorer) Dims() (int, int)              { return len(t), len(t[0]) }
func (t tableScorer) Rate(u, i int) float64         { return t[u][i] }
func (t tableScorer) RowRates(u int, dst []float64) { copy(dst, t[u]) }
func (t tableScorer) Total() float64 {
	var s float64
	for _, row := range t {
		for _, v := range row {
			s += v
		}
	}
	return s
}

func counts(t *testing.T, n, p int, cells ...[2]int) *model.Counts {
	var r, c []int
	var v []float64
	for _, cell := range cells {
		r, c, v = append(r, cell[0]), append(c, cell[1]), append(v, 1)
	}
	x, err := model.NewCounts(n, p, r, c, v)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestRecommendTies: ties rank the lower column first. Row 2 scores every
// column 1 and has column 0 in training, so its top 2 are [1, 2]; row 0's
// (training column 1 left out) are [0, 2].
func TestRecommendTies(t *testing.T) {
	s := tableScorer{
		{0.9, 0.8, 0.7, 0.6, 0.5, 0.4},
		{0.1, 0.2, 0.3, 0.4, 0.5, 0.6},
		{1, 1, 1, 1, 1, 1},
	}
	train := counts(t, 3, 6, [2]int{0, 1}, [2]int{1, 5}, [2]int{2, 0})
	rec, err := Recommend(s, []*model.Counts{train}, []int{2, 0}, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if rec[0][0].Col != 1 || rec[0][1].Col != 2 || rec[1][0].Col != 0 || rec[1][1].Col != 2 {
		t.Fatalf("recommendations %v", rec)
	}
}

// TestHPFBeatsPopularity: on onlineretail with a seeded 80/10/10 split,
// HPF at K = 20 beats the popularity baseline on NDCG@10 and recall@10.
func TestHPFBeatsPopularity(t *testing.T) {
	if testing.Short() {
		t.Skip("fits HPF at K = 20 on onlineretail")
	}
	x, err := model.ReadFile(testutil.Testdata("onlineretail", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	split, _ := model.NewSplit(x, 0.1, 0.1, 1)
	valid, _ := split.HeldOut(split.Valid, 2)
	res, err := inference.CAVI(context.Background(), split.Train, &inference.Settings{K: 20, Seed: 1, Validation: valid})
	if err != nil {
		t.Fatal(err)
	}
	exclude := []*model.Counts{split.Train, split.Valid}
	hpf, _ := model.Rank(res.Posterior, split.Test, exclude, 10, 0)
	pop, _ := model.Rank(Popularity(split.Train), split.Test, exclude, 10, 0)
	t.Logf("HPF K=20 (%d sweeps): NDCG@10 %.4f recall@10 %.4f precision@10 %.4f MAP@10 %.4f", res.Iterations, hpf.NDCG, hpf.Recall, hpf.Precision, hpf.MAP)
	t.Logf("popularity:          NDCG@10 %.4f recall@10 %.4f precision@10 %.4f MAP@10 %.4f", pop.NDCG, pop.Recall, pop.Precision, pop.MAP)
	if !(hpf.NDCG > pop.NDCG) || !(hpf.Recall > pop.Recall) {
		t.Fatalf("HPF does not beat popularity")
	}
}

func TestSimilarAndTopColumns(t *testing.T) {
	f := mat.NewDense(4, 2, []float64{
		1, 0,
		0.9, 0.1,
		0, 1,
		0.1, 3,
	})
	sim, err := SimilarColumns(f, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	// cos(0,1) = 0.9/√0.82 = 0.9939; cos(0,3) = 0.1/√9.01 = 0.0333; cos(0,2) = 0.
	if sim[0].Col != 1 || !scalar.EqualWithinAbs(sim[0].Score, 0.9/math.Sqrt(0.82), 1e-15) || sim[1].Col != 3 {
		t.Fatalf("similar %v", sim)
	}
	top := TopColumnsPerFactor(f, 2)
	if top[0][0].Col != 0 || top[0][1].Col != 1 || top[1][0].Col != 3 || top[1][1].Col != 2 {
		t.Fatalf("top %v", top)
	}
}

// TestIntervals: the Gamma interval's ends have CDF (1−level)/2 and
// (1+level)/2; the sampled rate interval contains the posterior mean and
// agrees with the exact Gamma interval when K = 1 and β is nearly fixed.
func TestIntervals(t *testing.T) {
	q := model.NewPosterior(1, 1, 1, model.HPF{})
	q.ThetaShape.Set(0, 0, 3)
	q.ThetaRate.Set(0, 0, 2)
	q.BetaShape.Set(0, 0, 1e8) // β ≈ 1 with sd 1e-4
	q.BetaRate.Set(0, 0, 1e8)
	iv, err := ThetaInterval(q, 0, 0, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	g := distuv.Gamma{Alpha: 3, Beta: 2}
	if !scalar.EqualWithinAbs(g.CDF(iv.Lo), 0.05, 1e-9) || !scalar.EqualWithinAbs(g.CDF(iv.Hi), 0.95, 1e-9) || iv.Mean != 1.5 {
		t.Fatalf("θ interval %+v", iv)
	}
	r, err := RateInterval(q, 0, 0, 0.9, 20000, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Monte Carlo quantiles from 20000 draws: within 3% of the exact ones.
	if !scalar.EqualWithinRel(r.Lo, iv.Lo, 0.03) || !scalar.EqualWithinRel(r.Hi, iv.Hi, 0.03) || !(r.Lo < r.Mean && r.Mean < r.Hi) {
		t.Fatalf("rate interval %+v, θ interval %+v", r, iv)
	}
	if _, err := BetaInterval(q, 0, 0, 1); err == nil {
		t.Fatal("level 1 accepted")
	}
}

func TestSelectK(t *testing.T) {
	_, x, err := model.Sample(120, 90, 3, model.HPF{A: 0.3, APrime: 2, C: 0.3, CPrime: 2}, 0, 5)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	res, err := SelectK(context.Background(), x, SelectKSettings{Ks: []int{1, 3, 12}, Restarts: 2, Seed: 1, Recorder: func(r KResult) { seen = append(seen, r.K) }})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seen, []int{1, 3, 12}) || len(res.Rows) != 3 {
		t.Fatalf("rows %+v", res.Rows)
	}
	best := res.Rows[0]
	for _, r := range res.Rows {
		if r.ValidLogLik > best.ValidLogLik {
			best = r
		}
		if math.IsNaN(r.ValidLogLik) || r.Seconds <= 0 || r.Iterations == 0 {
			t.Fatalf("row %+v", r)
		}
	}
	if res.Best != best.K {
		t.Fatalf("best %d, table says %d", res.Best, best.K)
	}
	if res.AtEdge != (best.K == 1 || best.K == 12) {
		t.Fatalf("best K %d, at the edge %v", best.K, res.AtEdge)
	}
	// Data with 3 factors are not explained by one.
	if res.Rows[0].ValidLogLik >= res.Rows[1].ValidLogLik {
		t.Fatalf("K = 1 (%v) not below K = 3 (%v)", res.Rows[0].ValidLogLik, res.Rows[1].ValidLogLik)
	}
	if _, err := SelectK(context.Background(), x, SelectKSettings{Ks: []int{0}}); err == nil {
		t.Fatal("K = 0 accepted")
	}
}
