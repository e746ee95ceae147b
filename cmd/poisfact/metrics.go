package main

import (
	"fmt"
	"io"

	"github.com/poisfact/poisfact/evaluation"
	"github.com/poisfact/poisfact/internal/report"
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
	Fraction          float64      `json:"fraction"`
	Masked            bool         `json:"masked"`
	LogLikMean        report.Float `json:"loglik_mean"`
	LogLikMeanNonzero report.Float `json:"loglik_mean_nonzero"`
	// LogLikMeanExact is the expectation of loglik_mean over the draw of
	// the zero cells: the mean of loglik_mean_nonzero and of
	// ZeroLogLikMeanExact, the mean of −μ over every cell zero in all
	// parts, with no sampling.
	LogLikMeanExact     report.Float `json:"loglik_mean_exact"`
	ZeroLogLikMeanExact report.Float `json:"zero_loglik_mean_exact"`
	NonZeros            int          `json:"nonzeros"`
	Zeros               int          `json:"zeros"`
	// RateZero counts the test non-zeros whose rate is 0, each of which
	// makes the means −∞; the finite parts are the means over the other
	// terms, as the independent evaluator reports them.
	RateZero                int           `json:"n_test_nonzero_mu_le0"`
	LogLikMeanFinite        *report.Float `json:"loglik_mean_finite_part,omitempty"`
	LogLikMeanNonzeroFinite *report.Float `json:"loglik_mean_nonzero_finite_part,omitempty"`
	rankingReport
	// RankedRows is the number of rows with test entries the ranking
	// metrics average over.
	RankedRows int            `json:"ranked_rows"`
	Popularity *rankingReport `json:"popularity"`
}

const rankingK = 10

// heldOutMetrics scores a model on the test part: the held-out
// log-likelihood and the ranking metrics at 10 (candidates exclude each
// row's training and validation entries), with the popularity baseline's
// ranking metrics beside them.
func heldOutMetrics(m *model.Saved, d *dataParts, workers int) (*heldOutReport, error) {
	rates := m.Rates()
	ll := d.testHeld.Evaluate(rates)
	h := &heldOutReport{
		LogLikMean: report.Float(ll.Mean), LogLikMeanNonzero: report.Float(ll.MeanNonzero),
		LogLikMeanExact: report.Float(ll.MeanExact), ZeroLogLikMeanExact: report.Float(ll.ZeroMeanExact),
		NonZeros: ll.NonZeros, Zeros: ll.Zeros, RateZero: ll.RateZero,
	}
	if ll.RateZero > 0 {
		a, b := report.Float(ll.MeanFinite), report.Float(ll.MeanNonzeroFinite)
		h.LogLikMeanFinite, h.LogLikMeanNonzeroFinite = &a, &b
	}
	exclude := []*model.Counts{d.train, d.valid}
	r, err := model.Rank(rates, d.test, exclude, rankingK, workers)
	if err != nil {
		return nil, err
	}
	pop, err := model.Rank(evaluation.Popularity(d.train), d.test, exclude, rankingK, workers)
	if err != nil {
		return nil, err
	}
	h.rankingReport, h.RankedRows = toReport(r), r.Rows
	p := toReport(pop)
	h.Popularity = &p
	return h, nil
}

func toReport(r model.Ranking) rankingReport {
	return rankingReport{r.Precision, r.Recall, r.NormPrecision, r.NDCG, r.MAP}
}

func printHeldOut(w io.Writer, h *heldOutReport) {
	fmt.Fprintf(w, "held out    loglik_mean %.6f, loglik_mean_nonzero %.6f (%d non-zeros, %d zeros; masked %v); exact over all zero cells %.6f\n", float64(h.LogLikMean), float64(h.LogLikMeanNonzero), h.NonZeros, h.Zeros, h.Masked, float64(h.LogLikMeanExact))
	if h.RateZero > 0 {
		fmt.Fprintf(w, "            %d test non-zeros have rate 0; finite parts: loglik_mean %.6f, loglik_mean_nonzero %.6f\n", h.RateZero, float64(*h.LogLikMeanFinite), float64(*h.LogLikMeanNonzeroFinite))
	}
	for _, r := range []struct {
		name string
		r    *rankingReport
	}{{"model", &h.rankingReport}, {"popularity", h.Popularity}} {
		fmt.Fprintf(w, "  %-10s @10: precision %.4f, recall %.4f, normalized precision %.4f, NDCG %.4f, MAP %.4f\n", r.name, r.r.PrecisionAt10, r.r.RecallAt10, r.r.NormPrecisionAt10, r.r.NDCGAt10, r.r.MAPAt10)
	}
}
