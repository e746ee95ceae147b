package mle

import (
	"math"

	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/sparse"
	"github.com/poisfact/poisfact/model"
)

// state is a fit in progress: the factors in the flat row-major layout of
// the kernel and the constants of the objective.
type state struct {
	x          *model.Counts
	n, p, k    int
	workers    int
	prior      *Prior
	w, h       []float64 // W (n × K) and H (p × K)
	kn         *sparse.Kernel
	rows, cols parallel.Chunks
	outW, outH []float64   // kernel outputs
	fixedH     bool        // H is held (fold-in): only W steps
	cdScratch  []cdScratch // CD's per-worker space, kept across passes
}

func newState(x *model.Counts, k, workers int, prior *Prior) *state {
	n, p := x.Dims()
	kn := sparse.New(x, k)
	s := &state{
		x: x, n: n, p: p, k: k, workers: workers, prior: prior,
		w: make([]float64, n*k), h: make([]float64, p*k),
		kn: kn, rows: kn.RowChunks(), cols: kn.ColChunks(),
		outW: make([]float64, n*k), outH: make([]float64, p*k),
	}
	return s
}

// colSums returns Σ_r f_rk over the rows r of a flat m × K factor,
// reduced over fixed chunks so that it does not depend on workers.
func (s *state) colSums(f []float64, chunks parallel.Chunks) []float64 {
	k := s.k
	return chunks.SumVec(s.workers, k, func(_, lo, hi int, acc []float64) {
		for r := lo; r < hi; r++ {
			for j, v := range f[r*k : (r+1)*k] {
				acc[j] += v
			}
		}
	})
}

// divergence returns D(X ‖ W Hᵀ) = Σ x log(x/μ) − Σ x + Σ μ from
// Σ x log(x/μ) over the non-zeros (the kernel's data term) and the column
// sums of W and H (docs/MATH.md section 1: Σ_ij μ_ij =
// Σ_k (Σ_i W_ik)(Σ_j H_jk)).
func (s *state) divergence(xLogXOverMu float64, sumW, sumH []float64) float64 {
	var total float64
	for j := range sumW {
		total += sumW[j] * sumH[j]
	}
	return xLogXOverMu - s.x.Total() + total
}

// penalty returns the MAP prior's share of the objective,
// Σ [b W − (α−1) log W] + (the same for H), or 0 without a prior.
func (s *state) penalty() float64 {
	if s.prior == nil {
		return 0
	}
	a1, b := s.prior.Shape-1, s.prior.Rate
	term := func(f []float64, chunks parallel.Chunks) float64 {
		k := s.k
		return chunks.Sum(s.workers, func(_, lo, hi int) float64 {
			var t float64
			for _, v := range f[lo*k : hi*k] {
				t += b * v
				if a1 != 0 {
					t -= a1 * math.Log(v)
				}
			}
			return t
		})
	}
	return term(s.w, s.rows) + term(s.h, s.cols)
}
