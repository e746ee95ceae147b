package mle

import "github.com/poisfact/poisfact/internal/parallel"

// muApply finishes a multiplicative half-step on one factor F (W or H)
// from num = F ⊙ (R G) (the kernel's output) and the column sums of the
// other factor G (docs/MATH.md section 2):
//
//	F_ik ← num_ik / Σ_j G_jk                           maximum likelihood
//	F_ik ← (α − 1 + num_ik) / (b + Σ_j G_jk)           MAP, Gamma(α, b) prior
//
// A factor whose other side sums to zero carries no rate: its entries are
// left at zero rather than 0/0.
func (s *state) muApply(f, num, sumOther []float64, chunks parallel.Chunks) {
	k := s.k
	var a1, b float64
	if s.prior != nil {
		a1, b = s.prior.Shape-1, s.prior.Rate
	}
	chunks.Run(s.workers, func(_, _, lo, hi int) {
		for r := lo; r < hi; r++ {
			fr, nr := f[r*k:(r+1)*k], num[r*k:(r+1)*k]
			for j := range fr {
				den := b + sumOther[j]
				if den > 0 {
					fr[j] = (a1 + nr[j]) / den
				} else {
					fr[j] = 0
				}
			}
		}
	})
}

// muIteration runs one Lee–Seung iteration whose W numerators, from the
// row pass over the current W and H, are already in s.outW: the W step,
// then a column pass with the new W for the H step, then the row pass of
// the next iteration, whose Σ x log(x/μ) is the new point's. It returns
// that sum and the column sums of the new W and H.
func (s *state) muIteration() (xLogXOverMu float64, sumW, sumH []float64) {
	sumH = s.colSums(s.h, s.cols)
	s.muApply(s.w, s.outW, sumH, s.rows)
	sumW = s.colSums(s.w, s.rows)
	if !s.fixedH {
		s.kn.ColSideProducts(s.workers, s.w, s.h, s.outH)
		s.muApply(s.h, s.outH, sumW, s.cols)
		sumH = s.colSums(s.h, s.cols)
	}
	xLogXOverMu = s.kn.RowSide(s.workers, s.w, s.h, nil, s.outW)
	return xLogXOverMu, sumW, sumH
}
