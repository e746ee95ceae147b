package evaluation

import (
	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/model"
)

// Scorer scores the columns of a row: a model's predicted rates.
type Scorer interface {
	// Dims returns the rows and columns scored.
	Dims() (n, p int)
	// RowRates fills dst (length p) with the scores of every column of
	// row u: a model's predicted rates μ_ui. It must be safe for
	// concurrent use.
	RowRates(u int, dst []float64)
}

// FactorScorer scores by the rates μ = W Hᵀ of factors W (n × K) and H
// (p × K); the matrices are copied.
func FactorScorer(w, h mat.Matrix) Scorer {
	return model.Factors{W: mat.DenseCopyOf(w), H: mat.DenseCopyOf(h)}
}

// PosteriorScorer scores by the point estimate μ_ui = Σ_k E[θ_uk] E[β_ik]
// of an HPF posterior.
func PosteriorScorer(q *model.Posterior) Scorer {
	return q.PointEstimate()
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

func (p popularity) Dims() (int, int)              { return p.n, len(p.totals) }
func (p popularity) RowRates(_ int, dst []float64) { copy(dst, p.totals) }
