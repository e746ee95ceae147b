package compare

import (
	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/model"
)

// funcRates wraps a rate function.
type funcRates struct {
	f     func(u, i int) float64
	n, p  int
	total float64
}

var _ model.Rates = funcRates{}

// FuncRates returns the rates of any function μ_ui = f(u, i) over an
// n × p matrix, for a model that is not a factorization. Σ μ is summed
// over all n·p cells, once, here: keep n·p moderate, or give
// model.Factors.
func FuncRates(f func(u, i int) float64, n, p int) model.Rates {
	var t special.Sum
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			t.Add(f(u, i))
		}
	}
	return funcRates{f, n, p, t.Value()}
}

func (f funcRates) Dims() (int, int)      { return f.n, f.p }
func (f funcRates) Rate(u, i int) float64 { return f.f(u, i) }
func (f funcRates) Total() float64        { return f.total }
func (f funcRates) RowRates(u int, dst []float64) {
	for i := range dst {
		dst[i] = f.f(u, i)
	}
}
