package inference_test

import (
	"context"
	"fmt"
	"log"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// ExampleCAVI fits HPF to a small cells × genes matrix, holding out 10% of
// each cell's non-zeros for validation and 10% for test.
func ExampleCAVI() {
	x, err := model.ReadFile(testutil.Testdata("pbmc_small", "matrix.mtx.gz"))
	if err != nil {
		log.Fatal(err)
	}
	split, err := model.NewSplit(x, 0.1, 0.1, 1)
	if err != nil {
		log.Fatal(err)
	}
	valid, _ := split.HeldOut(split.Valid, 2)
	test, _ := split.HeldOut(split.Test, 3)
	res, err := inference.CAVI(context.Background(), split.Train, &inference.Settings{
		K:          4,
		Seed:       1,
		Validation: valid,
	})
	if err != nil {
		log.Fatal(err)
	}
	q := res.Posterior
	fmt.Println("stopped:", res.Status)
	fmt.Printf("ELBO rose from %.0f to %.0f\n", res.Trace[0].ELBO, res.ELBO)
	fmt.Printf("test loglik_mean: %.2f\n", test.LogLik(q.Rate).Mean)
	fmt.Printf("E[θ] of the first cell: %.2f\n", q.ETheta().RawRowView(0))
	// Output:
	// stopped: converged
	// ELBO rose from -29874 to -19040
	// test loglik_mean: -2.44
	// E[θ] of the first cell: [0.03 0.03 0.11 0.49]
}
