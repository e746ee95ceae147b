package main

import (
	"fmt"
	"io"

	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/model"
)

// rankingReport holds the ranking metrics at 10 of docs/MATH.md section 4.
type rankingReport struct {
	PrecisionAt10     float64 `json:"precision_at_10"`
	RecallAt10        float64 `json:"recall_at_10"`
	NormPrecisionAt10 float64 `json:"normalized_precision_at_10"`
	NDCGAt10          float64 `json:"ndcg_at_10"`
	MAPAt10           float64 `json:"map_at_10"`
}

// heldOutReport is the "heldout" object of fit and evaluate.
type heldOutReport struct {
	Fraction          float64   `json:"fraction"`
	Masked            bool      `json:"masked"`
	LogLikMean        jsonFloat `json:"loglik_mean"`
	LogLikMeanNonzero jsonFloat `json:"loglik_mean_nonzero"`
	NonZeros          int       `json:"nonzeros"`
	Zeros             int       `json:"zeros"`
	rankingReport
	// RankedRows is the number of rows with test entries the ranking
	// metrics average over.
	RankedRows int            `json:"ranked_rows"`
	Popularity *rankingReport `json:"popularity"`
}

const rankingK = 10

// scorerOf returns the scorer of a saved model.
func scorerOf(m *model.Saved) evaluation.Scorer {
	if m.Kind == model.KindHPF {
		return evaluation.PosteriorScorer(m.Posterior)
	}
	return evaluation.FactorScorer(m.W, m.H)
}

// rateOf returns μ_ui of a saved model.
func rateOf(m *model.Saved) func(u, i int) float64 {
	if m.Kind == model.KindHPF {
		return m.Posterior.PointEstimate().Rate
	}
	return model.Factors{W: m.W, H: m.H}.Rate
}

// heldOutMetrics scores a model on the test part: the held-out
// log-likelihood and the ranking metrics at 10 (candidates exclude each
// row's training and validation entries), with the popularity baseline's
// ranking metrics beside them.
func heldOutMetrics(m *model.Saved, d *dataParts, workers int) (*heldOutReport, error) {
	ll := d.testHeld.LogLik(rateOf(m))
	h := &heldOutReport{LogLikMean: jsonFloat(ll.Mean), LogLikMeanNonzero: jsonFloat(ll.MeanNonzero), NonZeros: ll.NonZeros, Zeros: ll.Zeros}
	exclude := []*model.Counts{d.train, d.valid}
	r, err := evaluation.Rank(scorerOf(m), d.test, exclude, rankingK, workers)
	if err != nil {
		return nil, err
	}
	pop, err := evaluation.Rank(evaluation.Popularity(d.train), d.test, exclude, rankingK, workers)
	if err != nil {
		return nil, err
	}
	h.rankingReport, h.RankedRows = toReport(r), r.Rows
	p := toReport(pop)
	h.Popularity = &p
	return h, nil
}

func toReport(r evaluation.Ranking) rankingReport {
	return rankingReport{r.Precision, r.Recall, r.NormPrecision, r.NDCG, r.MAP}
}

func printHeldOut(w io.Writer, h *heldOutReport) {
	fmt.Fprintf(w, "held out    loglik_mean %.6f, loglik_mean_nonzero %.6f (%d non-zeros, %d zeros; masked %v)\n", float64(h.LogLikMean), float64(h.LogLikMeanNonzero), h.NonZeros, h.Zeros, h.Masked)
	for _, r := range []struct {
		name string
		r    *rankingReport
	}{{"model", &h.rankingReport}, {"popularity", h.Popularity}} {
		fmt.Fprintf(w, "  %-10s @10: precision %.4f, recall %.4f, normalized precision %.4f, NDCG %.4f, MAP %.4f\n", r.name, r.r.PrecisionAt10, r.r.RecallAt10, r.r.NormPrecisionAt10, r.r.NDCGAt10, r.r.MAPAt10)
	}
}
