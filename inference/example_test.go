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
	// kept sweep 30 of restart 1 (50 sweeps)
	// ELBO rose from -29874 to -19076
	// test loglik_mean: -2.48
	// E[θ] of the first cell: [0.03 0.04 0.06 0.54]
}
