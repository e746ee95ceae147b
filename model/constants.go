package model

import (
	"math"
	"sync"

	"github.com/poisfact/poisfact/internal/special"
)

// dataConstants caches the sums of a Counts that depend on the data alone.
// Copies of a Counts (WithLabels) share it: they hold the same entries.
type dataConstants struct {
	once                sync.Once
	logFactorial, xLogX float64
}

// sums computes, once, Σ log Γ(x+1) and Σ x log x over the non-zeros with
// compensated sums.
func (c *Counts) sums() (logFactorial, xLogX float64) {
	compute := func() (float64, float64) {
		var lg, xl special.Sum
		for _, v := range c.val {
			lg.Add(special.LogGamma(v + 1))
			xl.Add(v * math.Log(v))
		}
		return lg.Value(), xl.Value()
	}
	if c.consts == nil {
		return compute()
	}
	c.consts.once.Do(func() { c.consts.logFactorial, c.consts.xLogX = compute() })
	return c.consts.logFactorial, c.consts.xLogX
}

// LogFactorialSum returns Σ log Γ(x_ui + 1) = Σ log x_ui! over the
// non-zeros: the data-only term of the Poisson log-likelihood. It is
// computed once per matrix.
func (c *Counts) LogFactorialSum() float64 {
	lg, _ := c.sums()
	return lg
}

// DataConstant returns C(X) = Σ [log Γ(x+1) − x log x + x] over the
// non-zeros, the constant by which the Poisson negative log-likelihood
// exceeds the generalized KL divergence: NLL = D + C(X) (docs/MATH.md
// section 1).
func (c *Counts) DataConstant() float64 {
	lg, xl := c.sums()
	return lg - xl + c.total
}
