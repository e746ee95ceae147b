package evaluation

import (
	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/model"
)

// popularity rates every row alike by the training column totals.
type popularity struct {
	n      int
	totals []float64
}

// Popularity is the baseline that ranks columns by their training totals,
// the same for every row (docs/MATH.md section 4): the rates μ_ui = the
// total of column i, for every u.
func Popularity(train *model.Counts) model.Rates {
	return popularity{train.Rows(), train.ColSums()}
}

var _ model.Rates = popularity{}

func (p popularity) Dims() (int, int)              { return p.n, len(p.totals) }
func (p popularity) Rate(_, i int) float64         { return p.totals[i] }
func (p popularity) RowRates(_ int, dst []float64) { copy(dst, p.totals) }
func (p popularity) Total() float64 {
	var t special.Sum
	for _, v := range p.totals {
		t.Add(v)
	}
	return float64(p.n) * t.Value()
}
