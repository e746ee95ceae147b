package inference

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/poisfact/poisfact/model"
)

// validationSplit returns the training part of an 80/10/10 split of
// onlineretail and its validation set.
func validationSplit(t *testing.T) (*model.Counts, *model.HeldOut) {
	t.Helper()
	split, err := model.NewSplit(readShipped(t, "onlineretail"), 0.1, 0.1, 1)
	if err != nil {
		t.Fatal(err)
	}
	valid, _, err := split.HeldOutSets(1)
	if err != nil {
		t.Fatal(err)
	}
	return split.Train, valid
}

// samePosterior reports whether two posteriors are bit-identical.
func samePosterior(a, b *model.Posterior) bool {
	return slices.Equal(a.ThetaShape.RawMatrix().Data, b.ThetaShape.RawMatrix().Data) &&
		slices.Equal(a.ThetaRate.RawMatrix().Data, b.ThetaRate.RawMatrix().Data) &&
		slices.Equal(a.BetaShape.RawMatrix().Data, b.BetaShape.RawMatrix().Data) &&
		slices.Equal(a.BetaRate.RawMatrix().Data, b.BetaRate.RawMatrix().Data) &&
		slices.Equal(a.XiRate, b.XiRate) && slices.Equal(a.EtaRate, b.EtaRate)
}

// TestBestCheckIsReturned runs past the validation peak and checks that
// the returned posterior is the best check's: its validation
// log-likelihood, recomputed from the returned posterior, is the largest
// criterion of the trace, and its ELBO, recomputed by the dense reference
// formula of model.Posterior, is the trace's ELBO at that sweep.
func TestBestCheckIsReturned(t *testing.T) {
	train, valid := validationSplit(t)
	// 149 sweeps: the validation peak falls near sweep 95, and the last
	// sweep, not a multiple of 3, is checked too.
	const sweeps = 149
	res := fit(t, train, Settings{K: 8, MaxIter: sweeps, Tol: -1, CheckEvery: 3, Seed: 2, Validation: valid, Workers: 2})
	if res.Criterion != CriterionValidation || res.Iterations != sweeps || len(res.Trace) != sweeps {
		t.Fatalf("criterion %v, %d sweeps, %d records", res.Criterion, res.Iterations, len(res.Trace))
	}
	best, bestIter := math.Inf(-1), 0
	for _, it := range res.Trace {
		if want := it.Iter%3 == 0 || it.Iter == sweeps; it.IsCheck() != want || it.HasValid() != want {
			t.Fatalf("sweep %d: check %v, validation %v", it.Iter, it.IsCheck(), it.HasValid())
		}
		if it.IsCheck() && it.Criterion > best {
			best, bestIter = it.Criterion, it.Iter
		}
	}
	if res.BestIter != bestIter || res.Best != best {
		t.Fatalf("kept sweep %d (%v), the trace's best is sweep %d (%v)", res.BestIter, res.Best, bestIter, best)
	}
	if got := valid.LogLik(res.Posterior.PointEstimate()).Mean; got != best {
		t.Fatalf("validation log-likelihood of the returned posterior %v, best check %v", got, best)
	}
	if want := res.Trace[bestIter-1].ELBO; res.ELBO != want {
		t.Fatalf("result ELBO %v, trace at sweep %d %v", res.ELBO, bestIter, want)
	}
	ref := referenceELBO(res.Posterior, train)
	if math.Abs(ref-res.ELBO) > 1e-9*math.Abs(ref) {
		t.Fatalf("reference ELBO of the returned posterior %v, recorded %v", ref, res.ELBO)
	}
	if bestIter == sweeps {
		t.Fatal("the validation peak is the last sweep: the fixture no longer tests the choice of the best check")
	}
}

// bruteNDCG is NDCG@k of the validation part by a full sort of each
// row's candidates, ties by column (no heap, no model.Rank): the reference for the
// validation-ndcg criterion.
func bruteNDCG(r model.Rates, train, valid *model.Counts, k int) float64 {
	n, p := r.Dims()
	scores := make([]float64, p)
	var sum float64
	var rows int
	for u := 0; u < n; u++ {
		truth, _ := valid.Row(u)
		if len(truth) == 0 {
			continue
		}
		r.RowRates(u, scores)
		var cand []int
		for i := 0; i < p; i++ {
			if train.At(u, i) == 0 {
				cand = append(cand, i)
			}
		}
		slices.SortFunc(cand, func(a, b int) int { // by score, ties by column
			switch {
			case scores[a] > scores[b]:
				return -1
			case scores[a] < scores[b]:
				return 1
			}
			return a - b
		})
		var dcg, ideal float64
		for j := 0; j < k && j < len(cand); j++ {
			if valid.At(u, cand[j]) != 0 {
				dcg += 1 / math.Log2(float64(j+2))
			}
		}
		for j := 0; j < min(k, len(truth)); j++ {
			ideal += 1 / math.Log2(float64(j+2))
		}
		sum += dcg / ideal
		rows++
	}
	return sum / float64(rows)
}

// TestNDCGCriterion: with CriterionValidationNDCG every check's criterion
// is the validation NDCG@10 of the parameters at that sweep, and the
// returned posterior is the best check's: its NDCG, recomputed by a full
// sort, is the trace's largest.
func TestNDCGCriterion(t *testing.T) {
	train, valid := validationSplit(t)
	res := fit(t, train, Settings{K: 8, MaxIter: 120, Tol: -1, CheckEvery: 5, Seed: 2, Validation: valid, Criterion: CriterionValidationNDCG, Workers: 2})
	if res.Criterion != CriterionValidationNDCG || res.Iterations != 120 {
		t.Fatalf("criterion %v, %d sweeps", res.Criterion, res.Iterations)
	}
	best, bestIter, distinct := math.Inf(-1), 0, map[float64]bool{}
	for _, it := range res.Trace {
		if it.IsCheck() {
			distinct[it.Criterion] = true
			if it.Criterion > best {
				best, bestIter = it.Criterion, it.Iter
			}
		}
	}
	if res.BestIter != bestIter || res.Best != best || len(distinct) < 5 {
		t.Fatalf("kept sweep %d (%v), the trace's best is sweep %d (%v); %d distinct values", res.BestIter, res.Best, bestIter, best, len(distinct))
	}
	if got := bruteNDCG(res.Posterior.PointEstimate(), train, valid.X, ValidationRankK); math.Abs(got-best) > 1e-12 {
		t.Fatalf("NDCG@10 of the returned posterior %v, best check %v", got, best)
	}
	if bestIter == 120 {
		t.Fatal("the NDCG peak is the last sweep: the fixture no longer tests the choice of the best check")
	}
}

// TestRestartsKeepTheBest: a fit with three restarts is the best of the
// three single fits from RestartSeed(seed, r), bit for bit, and its trace
// holds every restart's sweeps in order.
func TestRestartsKeepTheBest(t *testing.T) {
	train, valid := validationSplit(t)
	base := Settings{K: 6, MaxIter: 40, CheckEvery: 4, Seed: 9, Validation: valid, Workers: 2}
	s := base
	s.Restarts = 3
	res := fit(t, train, s)
	if len(res.Restarts) != 3 {
		t.Fatalf("%d restarts", len(res.Restarts))
	}
	bestR, bestV := -1, math.Inf(-1)
	var winner *Result
	offset := 0
	for r := 0; r < 3; r++ {
		one := base
		one.Seed = RestartSeed(base.Seed, r)
		single := fit(t, train, one)
		got := res.Restarts[r]
		if got.Seed != one.Seed || got.Best != single.Best || got.BestIter != single.BestIter || got.Iterations != single.Iterations || got.Status != single.Status {
			t.Fatalf("restart %d: %+v, single fit: best %v at %d of %d", r, got, single.Best, single.BestIter, single.Iterations)
		}
		for j, it := range single.Trace {
			if rt := res.Trace[offset+j]; rt.Restart != r || rt.Iter != it.Iter || rt.ELBO != it.ELBO {
				t.Fatalf("restart %d sweep %d: trace record %+v, single fit %+v", r, j+1, rt, it)
			}
		}
		offset += len(single.Trace)
		if single.Best > bestV {
			bestR, bestV, winner = r, single.Best, single
		}
	}
	if offset != len(res.Trace) {
		t.Fatalf("trace has %d records, the restarts %d", len(res.Trace), offset)
	}
	if res.Restart != bestR || res.Best != bestV || !samePosterior(res.Posterior, winner.Posterior) {
		t.Fatalf("returned restart %d (%v), the best single fit is %d (%v)", res.Restart, res.Best, bestR, bestV)
	}
	if RestartSeed(9, 0) != 9 || RestartSeed(9, 1) == RestartSeed(10, 0) || RestartSeed(9, 1) == RestartSeed(10, 1) {
		t.Fatal("restart seeds of nearby seeds collide")
	}
}

// TestStartsIndependentOfWorkers: every start, with restarts, gives
// bit-identical results for 1 and 3 workers, and the ELBO never falls
// from any of them.
func TestStartsIndependentOfWorkers(t *testing.T) {
	train, valid := validationSplit(t)
	for _, in := range []Init{{}, {Method: InitJitter, Jitter: 0.01}, {Method: InitPrior}, {Method: InitNMF, NMFIters: 5}, {Method: InitNMF, NMFIters: 5, NMFRows: 40}, {Method: InitUniform}} {
		t.Run(fmt.Sprintf("%v/%d", in.Method, in.NMFRows), func(t *testing.T) {
			run := func(w int) *Result {
				return fit(t, train, Settings{K: 5, MaxIter: 25, Tol: -1, Init: in, Restarts: 2, Seed: 4, Validation: valid, Workers: w})
			}
			one, three := run(1), run(3)
			if !samePosterior(one.Posterior, three.Posterior) || one.Restart != three.Restart || one.BestIter != three.BestIter {
				t.Fatal("1 and 3 workers differ")
			}
			for j := 1; j < len(one.Trace); j++ {
				a, b := one.Trace[j-1], one.Trace[j]
				if a.Restart == b.Restart && b.ELBO < a.ELBO-1e-9*math.Abs(a.ELBO) {
					t.Fatalf("restart %d: ELBO fell from %v to %v at sweep %d", b.Restart, a.ELBO, b.ELBO, b.Iter)
				}
			}
		})
	}
}

// TestCancelKeepsTheLastSweep: a fit cancelled between checks still
// checks its last complete sweep, so a better last sweep is not lost.
func TestCancelKeepsTheLastSweep(t *testing.T) {
	train, _ := validationSplit(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := Settings{K: 4, MaxIter: 100, Criterion: CriterionTrainLogLik, CheckEvery: 10, Seed: 1, Workers: 2,
		Recorder: func(it Iteration) {
			if it.Iter == 13 {
				cancel()
			}
		}}
	res, err := CAVI(ctx, train, &s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Cancelled || res.Iterations != 13 || res.BestIter != 13 {
		t.Fatalf("status %v after %d sweeps, kept sweep %d", res.Status, res.Iterations, res.BestIter)
	}
	// The training log-likelihood rises over these early sweeps: recompute
	// it for the returned posterior with the model's own formula.
	q := res.Posterior.PointEstimate()
	if want, _ := model.PoissonLogLik(train, q); math.Abs(want-res.Best) > 1e-9*math.Abs(want) {
		t.Fatalf("criterion %v, Poisson log-likelihood of the returned posterior %v", res.Best, want)
	}
}

// TestUniformStart: the uniform start puts every weight shape and rate in
// [a', a' + Jitter), a different draw for each, and every activity rate at
// b', as the original HPF code does.
func TestUniformStart(t *testing.T) {
	train, _ := validationSplit(t)
	s, err := (&Settings{K: 3, Init: Init{Method: InitUniform, Jitter: 0.02}, Hyper: model.HPF{APrime: 0.4, CPrime: 0.5, BPrime: 2, DPrime: 3}}).withDefaults(train)
	if err != nil {
		t.Fatal(err)
	}
	f := newFit(train, s)
	if err := f.start(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	for _, side := range []struct {
		name           string
		sd             *side
		aPrime, bPrime float64
	}{{"rows", f.rows, 0.4, 2}, {"columns", f.cols, 0.5, 3}} {
		seen := map[float64]bool{}
		for j := range side.sd.shape {
			for _, v := range []float64{side.sd.shape[j], side.sd.rate[j]} {
				if !(v >= side.aPrime && v < side.aPrime+0.02) || seen[v] {
					t.Fatalf("%s: %v outside [a', a' + 0.02) or repeated", side.name, v)
				}
				seen[v] = true
			}
		}
		for _, r := range side.sd.actRate {
			if r != side.bPrime {
				t.Fatalf("%s: activity rate %v, want b' = %v", side.name, r, side.bPrime)
			}
		}
	}
}

// TestNMFSubsampleStart: the KL-NMF start on a subsample leaves every
// undrawn row at its prior values; the rows it drew start with rates
// E θ E βᵀ whose total is their counts' total, as at an MU fixed point
// (W Hᵀ keeps each column's total); and each column's rate stands for
// the whole matrix, as an SVI step scales a minibatch: its prior plus n/m
// times the drawn rows' Σ_u E θ_uk. Weak priors keep the shifts they put
// between E θ and W small.
func TestNMFSubsampleStart(t *testing.T) {
	train, _ := validationSplit(t)
	n, k, m := train.Rows(), 3, train.Rows()/4
	h := model.HPF{A: 0.01, C: 0.01, APrime: 0.3, CPrime: 0.3, BPrime: 0.01, DPrime: 0.01}
	s, err := (&Settings{K: k, Hyper: h, Init: Init{Method: InitNMF, NMFRows: m, NMFIters: 200}}).withDefaults(train)
	if err != nil {
		t.Fatal(err)
	}
	f := newFit(train, s)
	if err := f.start(context.Background(), 5); err != nil {
		t.Fatal(err)
	}
	r, c := f.rows, f.cols
	sumBeta := make([]float64, k)
	for e := range c.shape {
		sumBeta[e%k] += c.shape[e] / c.rate[e]
	}
	var drawn int
	var rate, count float64
	sumTheta := make([]float64, k)
	for u := 0; u < n; u++ {
		prior := true
		for e := u * k; e < (u+1)*k; e++ {
			prior = prior && r.shape[e] == r.a && r.rate[e] == r.bPrime
		}
		if prior {
			continue
		}
		drawn++
		for j := 0; j < k; j++ {
			rate += r.shape[u*k+j] / r.rate[u*k+j] * sumBeta[j]
			sumTheta[j] += r.shape[u*k+j] / r.rate[u*k+j]
		}
		_, vals := train.Row(u)
		for _, v := range vals {
			count += v
		}
	}
	if drawn != m {
		t.Fatalf("%d rows moved from the prior, %d drawn", drawn, m)
	}
	if math.Abs(rate-count) > 0.01*count {
		t.Errorf("the drawn rows' rates total %v, their counts %v", rate, count)
	}
	for j := 0; j < k; j++ {
		want := float64(n) / float64(m) * sumTheta[j]
		if got := c.rate[j] - h.DPrime; math.Abs(got-want) > 0.01*want {
			t.Errorf("factor %d: the first column's rate %v above its prior, n/m Σ E θ %v", j, got, want)
		}
	}
}
