package evaluation

import (
	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/model"
)

// Scorer scores the columns of a row: a model's predicted rates.
type Scorer interface {
	// Dims returns the rows and columns scored.
	Dims() (n, p int)
	// RowScores fills dst (length p) with the scores of every column of
	// row u. It must be safe for concurrent use.
	RowScores(u int, dst []float64)
}

// factorScorer scores by μ_ui = Σ_k W_uk H_ik.
type factorScorer struct {
	w, h *mat.Dense
}

// FactorScorer scores by the rates μ = W Hᵀ of factors W (n × K) and H
// (p × K); the matrices are copied.
func FactorScorer(w, h mat.Matrix) Scorer {
	return factorScorer{mat.DenseCopyOf(w), mat.DenseCopyOf(h)}
}

// PosteriorScorer scores by the point estimate μ_ui = Σ_k E[θ_uk] E[β_ik]
// of an HPF posterior.
func PosteriorScorer(q *model.Posterior) Scorer {
	return factorScorer{q.ETheta(), q.EBeta()}
}

func (f factorScorer) Dims() (int, int) {
	n, _ := f.w.Dims()
	p, _ := f.h.Dims()
	return n, p
}

func (f factorScorer) RowScores(u int, dst []float64) {
	wu := f.w.RawRowView(u)
	for i := range dst {
		hi := f.h.RawRowView(i)
		var s float64
		for k, v := range wu {
			s += v * hi[k]
		}
		dst[i] = s
	}
}

// Rate returns μ_ui.
func (f factorScorer) Rate(u, i int) float64 {
	wu, hi := f.w.RawRowView(u), f.h.RawRowView(i)
	var s float64
	for k, v := range wu {
		s += v * hi[k]
	}
	return s
}

// popularity scores every row alike by the training column totals.
type popularity struct {
	n      int
	totals []float64
}

// Popularity is the baseline that ranks columns by their training totals,
// the same for every row (docs/MATH.md section 4).
func Popularity(train *model.Counts) Scorer {
	return popularity{train.Rows(), train.ColSums()}
}

func (p popularity) Dims() (int, int)               { return p.n, len(p.totals) }
func (p popularity) RowScores(_ int, dst []float64) { copy(dst, p.totals) }
