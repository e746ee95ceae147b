package evaluation

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/internal/fixtures"
	"github.com/poisfact/poisfact/model"
)

// TestSideBySide runs the comparison on onlineretail: HPF's held-out
// log-likelihood is finite for every held-out entry, including those the
// maximum likelihood fits predict as 0, whose −∞ is reported.
func TestSideBySide(t *testing.T) {
	if testing.Short() {
		t.Skip("fits three models to onlineretail")
	}
	x := fixtures.Shipped(t, "onlineretail")
	tab, err := SideBySide(context.Background(), x, SideBySideSettings{K: 10, Seed: 1, MaxIter: 300})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	tab.Print(&b)
	t.Log("\n" + b.String())
	if len(tab.Rows) != 3 {
		t.Fatalf("%d rows", len(tab.Rows))
	}
	hpf := tab.Rows[0]
	if hpf.ZeroRates != 0 || math.IsInf(hpf.HeldOut.Mean, 0) || math.IsNaN(hpf.HeldOut.Mean) {
		t.Fatalf("HPF: %+v", hpf)
	}
	var mleZeros int
	for _, r := range tab.Rows[1:] {
		mleZeros += r.ZeroRates
		if r.ZeroRates > 0 && !math.IsInf(r.HeldOut.Mean, -1) {
			t.Fatalf("%s predicts %d held-out counts at rate 0 but reports %v", r.Model, r.ZeroRates, r.HeldOut.Mean)
		}
		if !(r.TrainDivergence < hpf.TrainDivergence) {
			t.Errorf("%s: training divergence %v not below HPF's %v (MLE minimizes it)", r.Model, r.TrainDivergence, hpf.TrainDivergence)
		}
	}
	if mleZeros == 0 {
		t.Fatal("expected the MLE fits to predict some held-out counts at rate 0 on these data")
	}
	// Every held-out entry under HPF, one by one.
	split, _ := model.NewSplit(x, 0.1, 0.1, 1)
	fit, err := inference.CAVI(context.Background(), split.Train, &inference.Settings{K: 10, Seed: 1, MaxIter: 50})
	if err != nil {
		t.Fatal(err)
	}
	for u := 0; u < x.Rows(); u++ {
		cols, vals := split.Test.Row(u)
		for e, i := range cols {
			mu := fit.Posterior.Rate(u, int(i))
			if term := vals[e]*math.Log(mu) - mu; math.IsInf(term, 0) || math.IsNaN(term) {
				t.Fatalf("HPF held-out term at (%d, %d) is %v", u, i, term)
			}
		}
	}
}
