package compare_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/compare"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// ExampleEvaluate shows the identity NLL − D = C(X) on real counts: the
// NLL and the divergence of a KL-NMF fit of the pbmc_small cells × genes
// matrix differ by C(X), a number of the data alone.
func ExampleEvaluate() {
	x, err := poisfact.Dataset("pbmc_small")
	if err != nil {
		log.Fatal(err)
	}
	for _, iters := range []int{1, 10, 100} {
		fit, err := mle.Fit(context.Background(), x, &mle.Settings{K: 5, MaxIter: iters, Tol: -1, Seed: 1})
		if err != nil {
			log.Fatal(err)
		}
		o := compare.Evaluate(x, model.Factors{W: fit.W, H: fit.H})
		fmt.Printf("%3d iterations: NLL %.1f, D %.1f, NLL − D = %.6f, |NLL − D − C(X)| < 1e-9: %v\n",
			iters, o.NLL, o.Divergence, o.NLL-o.Divergence, math.Abs(o.NLL-o.Divergence-o.C) < 1e-9)
	}
	fmt.Printf("C(X) = %.6f\n", x.DataConstant())
	// Output:
	//   1 iterations: NLL 29843.4, D 23766.0, NLL − D = 6077.392590, |NLL − D − C(X)| < 1e-9: true
	//  10 iterations: NLL 18980.2, D 12902.8, NLL − D = 6077.392590, |NLL − D − C(X)| < 1e-9: true
	// 100 iterations: NLL 15784.8, D 9707.4, NLL − D = 6077.392590, |NLL − D − C(X)| < 1e-9: true
	// C(X) = 6077.392590
}

// ExampleRun runs every check of the identity on a small real matrix.
func ExampleRun() {
	x, err := poisfact.Dataset("pbmc_small")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := compare.Run(context.Background(), x, &compare.Settings{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range rep.Checks {
		fmt.Printf("%-52s passed: %v\n", c.Name, c.Passed)
	}
	fmt.Println("all passed:", rep.Passed)
	// Output:
	// NLL − D = C(X), random factorizations                passed: true
	// NLL − D = C(X) along an MU fit                       passed: true
	// ∇NLL = ∇D = analytic gradient                        passed: true
	// argmin at K = 1: independence model                  passed: true
	// argmin at K = 3: MU's point is stationary for the NLL passed: true
	// normalized: D = KL when Σ x = Σ μ = 1                passed: true
	// all passed: true
}
