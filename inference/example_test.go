package inference_test

import (
	"context"
	"fmt"
	"log"

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
