package model

// rateFunc is a test's rates given by a function over an n × p matrix;
// its Total is summed over every cell.
type rateFunc struct {
	n, p int
	f    func(u, i int) float64
}

func (r rateFunc) Dims() (int, int)      { return r.n, r.p }
func (r rateFunc) Rate(u, i int) float64 { return r.f(u, i) }
func (r rateFunc) RowRates(u int, dst []float64) {
	for i := range dst {
		dst[i] = r.f(u, i)
	}
}
func (r rateFunc) Total() float64 {
	var t float64
	for u := 0; u < r.n; u++ {
		for i := 0; i < r.p; i++ {
			t += r.f(u, i)
		}
	}
	return t
}
