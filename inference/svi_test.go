package inference

import (
	"context"
	"math"
	"testing"

	"github.com/poisfact/poisfact/model"
)

// sviData draws a 2000 × 300 matrix from the model (K = 5) and splits it
// 80/10/10.
func sviData(t *testing.T) (*model.Split, *model.HeldOut, *model.HeldOut) {
	t.Helper()
	_, x, err := model.Sample(2000, 300, 5, model.HPF{A: 0.3, APrime: 2, C: 0.3, CPrime: 2}, 0.5, 7)
	if err != nil {
		t.Fatal(err)
	}
	split, err := model.NewSplit(x, 0.1, 0.1, 3)
	if err != nil {
		t.Fatal(err)
	}
	valid, test, err := split.RequireHeldOutSets(3)
	if err != nil {
		t.Fatal(err)
	}
	return split, valid, test
}

// TestSVIReachesCAVI: on simulated data, SVI with minibatches of 200 rows
// reaches a test log-likelihood within 1% of batch CAVI's converged
// value, and the result is bit-identical for 1 and 3 workers.
func TestSVIReachesCAVI(t *testing.T) {
	if testing.Short() {
		t.Skip("fits a 2000 × 300 matrix twice by SVI")
	}
	split, valid, test := sviData(t)
	batch := fit(t, split.Train, Settings{K: 5, Validation: valid, Seed: 1, MaxIter: 2000})
	want := test.Evaluate(batch.Posterior).Mean
	run := func(w, epochs int) *Result {
		res, err := SVI(context.Background(), split.Train, &Settings{K: 5, Validation: valid, Seed: 1, MaxIter: epochs, Workers: w},
			&Stochastic{BatchRows: 200, CheckBatches: 5})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	one := run(2, 60)
	got := test.Evaluate(one.Posterior).Mean
	t.Logf("test loglik_mean: CAVI %.5f (%d sweeps), SVI %.5f (%d batches, %v)", want, batch.Iterations, got, one.Iterations, one.Status)
	if math.Abs(got-want) > 0.01*math.Abs(want) {
		t.Errorf("SVI %.5f, CAVI %.5f: more than 1%% apart", got, want)
	}
	if a, b := run(1, 3), run(3, 3); !samePosterior(a.Posterior, b.Posterior) || a.Iterations != b.Iterations {
		t.Error("1 and 3 workers differ")
	}
	if !(one.ELBO < 0) || math.IsNaN(one.ELBO) || len(one.Trace) == 0 {
		t.Errorf("ELBO %v, %d checks", one.ELBO, len(one.Trace))
	}
}

// TestSVISettings: bad settings are errors, and cancelling returns the
// parameters of the last check with status Cancelled.
func TestSVISettings(t *testing.T) {
	split, valid, _ := sviData(t)
	for _, st := range []Stochastic{{BatchRows: -1}, {BatchRows: 10_000}, {Forget: 0.4}, {Forget: 1.5}, {Delay: -1}} {
		if _, err := SVI(context.Background(), split.Train, &Settings{K: 3}, &st); err == nil {
			t.Errorf("%+v accepted", st)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := SVI(ctx, split.Train, &Settings{K: 3, Validation: valid, MaxIter: 50, Recorder: func(it Iteration) {
		if it.Iter == 3 {
			cancel()
		}
	}}, &Stochastic{BatchRows: 100, CheckBatches: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != Cancelled || res.Iterations > 7 {
		t.Fatalf("status %v after %d batches", res.Status, res.Iterations)
	}
}
