package inference_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/model"
)

// ExampleCAVI fits HPF to a small cells × genes matrix, holding out 10% of
// each cell's non-zeros for validation and 10% for test.
func ExampleCAVI() {
	x, err := poisfact.Dataset("pbmc_small")
	if err != nil {
		log.Fatal(err)
	}
	split, err := model.NewSplit(x, 0.1, 0.1, 1)
	if err != nil {
		log.Fatal(err)
	}
	// The zero cells of the held-out sets come from the split's seed; the
	// validation set knows nothing of the test part.
	valid, test, err := split.HeldOutSets(1)
	if err != nil {
		log.Fatal(err)
	}
	res, err := inference.CAVI(context.Background(), split.Train, &inference.Settings{
		K:          4,
		Seed:       1,
		Validation: valid, // the stopping criterion: the best check is kept
		Restarts:   2,
	})
	if err != nil {
		log.Fatal(err)
	}
	q := res.Posterior
	fmt.Println("stopped:", res.Status)
	fmt.Printf("kept sweep %d of restart %d (%d sweeps)\n", res.BestIter, res.Restart, res.Iterations)
	fmt.Printf("ELBO rose from %.0f to %.0f\n", res.Trace[0].ELBO, res.ELBO)
	fmt.Printf("test loglik_mean: %.2f\n", test.LogLik(q).Mean)
	fmt.Printf("E[θ] of the first cell: %.2f\n", q.ETheta().RawRowView(0))
	// Output:
	// stopped: converged
	// kept sweep 100 of restart 0 (140 sweeps)
	// ELBO rose from -29319 to -19815
	// test loglik_mean: -2.45
	// E[θ] of the first cell: [0.01 0.01 0.04 0.20]
}

// ExampleFitShards fits HPF with its rows held as three shards, run here
// in this process (LocalShards); a runner such as the beam module's runs
// the same steps on other machines. The ELBO agrees with the in-process
// fit's to rounding.
func ExampleFitShards() {
	x, err := poisfact.Dataset("pbmc_small")
	if err != nil {
		log.Fatal(err)
	}
	shards, err := inference.NewLocalShards(x, 3, 1)
	if err != nil {
		log.Fatal(err)
	}
	s := &inference.Settings{K: 4, MaxIter: 20, Tol: -1, Seed: 1}
	n, p := x.Dims()
	f, err := inference.FitShards(context.Background(), n, p, x.NNZ(), s, shards.Sharding())
	if err != nil {
		log.Fatal(err)
	}
	res, err := f.Result(shards.Rows[f.BestIter]) // the posterior, gathered
	if err != nil {
		log.Fatal(err)
	}
	whole, err := inference.CAVI(context.Background(), x, s)
	if err != nil {
		log.Fatal(err)
	}
	agree := math.Abs(res.ELBO-whole.ELBO) <= 1e-12*math.Abs(whole.ELBO)
	fmt.Printf("%d sweeps; the ELBO agrees with the in-process fit's to 1e-12: %v\n", res.Iterations, agree)
	// Output:
	// 20 sweeps; the ELBO agrees with the in-process fit's to 1e-12: true
}
