package compare

import (
	"math"

	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/model"
)

// Objectives are the objectives of docs/MATH.md section 1 for one X and
// one μ, each summed on its own with compensated sums, so that their
// agreement is a real check.
type Objectives struct {
	// NLL is the Poisson negative log-likelihood with log x! included:
	// Σ_ij [μ_ij − x_ij log μ_ij + log Γ(x_ij + 1)].
	NLL float64
	// NLLNoFactorial is the same without log x!, as many implementations
	// report it: Σ_ij [μ_ij − x_ij log μ_ij].
	NLLNoFactorial float64
	// Divergence is the generalized KL (I-) divergence
	// D(X ‖ μ) = Σ_ij [x_ij log(x_ij / μ_ij) − x_ij + μ_ij], 0 log 0 = 0.
	Divergence float64
	// C is C(X) = Σ_ij [log Γ(x_ij + 1) − x_ij log x_ij + x_ij], which
	// depends on X alone; NLL − Divergence = C.
	C float64
}

// Evaluator computes the objectives of one count matrix under many rates
// (random factorizations, the iterates of a fit). The terms of the data
// alone, Σ log Γ(x+1), Σ x log x and Σ x, are the matrix's own
// (model.Counts.DataConstant and its parts), computed once per matrix.
type Evaluator struct {
	x      *model.Counts
	chunks parallel.Chunks
}

// NewEvaluator prepares the evaluation of x.
func NewEvaluator(x *model.Counts) *Evaluator {
	return &Evaluator{x: x, chunks: parallel.Balanced(x.Rows(), 1, func(u int) int64 { return int64(x.RowNNZ(u)) })}
}

// Evaluate computes the objectives of x under the rates r. The zero cells
// contribute only through Σ μ = r.Total(); a non-zero with μ = 0 makes NLL
// and D +Inf, as they are. NLL sums x log μ and D sums x log(x/μ), each on
// its own. The non-zeros are summed in parallel over fixed chunks of rows,
// with compensated sums merged in chunk order, so the result does not
// depend on the number of cores; r.Rate must be safe for concurrent use
// (the package's own Rates are).
func (ev *Evaluator) Evaluate(r model.Rates) Objectives {
	x := ev.x
	type sums struct{ xLogMu, xLogXOverMu special.Sum }
	part := make([]sums, ev.chunks.Len())
	ev.chunks.Run(0, func(_, c, lo, hi int) {
		s := &part[c]
		for u := lo; u < hi; u++ {
			cols, vals := x.Row(u)
			for e, i := range cols {
				v, mu := vals[e], r.Rate(u, int(i))
				s.xLogMu.Add(v * math.Log(mu))
				s.xLogXOverMu.Add(v * math.Log(v/mu))
			}
		}
	})
	var all sums
	for _, s := range part {
		all.xLogMu.Merge(s.xLogMu)
		all.xLogXOverMu.Merge(s.xLogXOverMu)
	}
	total := r.Total()
	var o Objectives
	o.NLLNoFactorial = total - all.xLogMu.Value()
	o.NLL = o.NLLNoFactorial + x.LogFactorialSum()
	o.Divergence = all.xLogXOverMu.Value() - x.Total() + total
	o.C = x.DataConstant()
	return o
}

// Evaluate computes the objectives of x under the rates r; see
// Evaluator.Evaluate. For many rates on one x, use an Evaluator.
func Evaluate(x *model.Counts, r model.Rates) Objectives {
	return NewEvaluator(x).Evaluate(r)
}

// NormalizedKL returns the ordinary KL divergence Σ_ij p_ij log(p_ij/q_ij)
// of the distributions p = X / Σ x and q = μ / Σ μ.
func NormalizedKL(x *model.Counts, r model.Rates) float64 {
	n, m := x.Total(), r.Total()
	var kl special.Sum
	for u := 0; u < x.Rows(); u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			p, q := vals[e]/n, r.Rate(u, int(i))/m
			kl.Add(p * math.Log(p/q))
		}
	}
	return kl.Value()
}
