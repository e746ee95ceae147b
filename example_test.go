package poisfact_test

import (
	"context"
	"fmt"
	"log"
	"math"

	"github.com/poisfact/poisfact"
	"github.com/poisfact/poisfact/compare"
	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// Example is the README's tour of the library: split a count matrix, fit
// HPF with validation stopping, score it on the test part, fit KL-NMF by
// coordinate descent, check NLL − D = C(X) on its factors, and rank.
func Example() {
	ctx := context.Background()
	x, err := poisfact.Dataset("pbmc_small") // 80 cells × 230 genes, UMI counts
	if err != nil {
		log.Fatal(err)
	}
	const splitSeed = 1
	split, err := model.NewSplit(x, 0.1, 0.1, splitSeed) // 80/10/10 per row
	if err != nil {
		log.Fatal(err)
	}
	// The zero cells come from the split's seed; valid knows nothing of test.
	valid, test, err := split.RequireHeldOutSets(splitSeed)
	if err != nil {
		log.Fatal(err)
	}

	res, err := inference.CAVI(ctx, split.Train, &inference.Settings{K: 5, Validation: valid, Restarts: 2, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	// res.Posterior holds every shape and rate (ThetaShape, ...) of the
	// best check; res.Trace the exact ELBO of every sweep.
	rates := res.Posterior.PointEstimate() // E[θ] E[β]ᵀ, E[β] computed once for every row
	ll := test.Evaluate(rates)
	fmt.Printf("HPF: kept sweep %d of restart %d; test loglik_mean %.2f\n", res.BestIter, res.Restart, ll.Mean)

	nmf, err := mle.Fit(ctx, split.Train, &mle.Settings{K: 5, Method: mle.CD, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	o := compare.Evaluate(split.Train, model.Factors{W: nmf.W, H: nmf.H})
	fmt.Printf("KL-NMF: |NLL − D − C(X)| < 1e-9: %v\n", math.Abs(o.NLL-o.Divergence-split.Train.DataConstant()) < 1e-9)

	r, err := model.Rank(rates, split.Test, []*model.Counts{split.Train, split.Valid}, 10, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("HPF ranks %d test rows: NDCG@10 %.3f\n", r.Rows, r.NDCG)
	// Output:
	// HPF: kept sweep 125 of restart 0; test loglik_mean -2.42
	// KL-NMF: |NLL − D − C(X)| < 1e-9: true
	// HPF ranks 80 test rows: NDCG@10 0.416
}
