package mle

import (
	"math"

	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/sparse"
	"github.com/poisfact/poisfact/internal/special"
)

// cdIteration runs one cycle of coordinate descent: every entry of W with
// H fixed (rows in parallel), then every entry of H with the new W fixed
// (columns in parallel). It returns Σ x log(x/μ) at the new point, which
// the column pass gets for one log per non-zero, and the column sums.
func (s *state) cdIteration() (xLogXOverMu float64, sumW, sumH []float64) {
	rowPtr, colIdx, val := s.x.CSR()
	sumH = s.colSums(s.h, s.cols)
	xLogXOverMu = s.cdSide(s.rows, s.w, s.h, sumH, func(u int) ([]int32, []float64) {
		lo, hi := rowPtr[u], rowPtr[u+1]
		return colIdx[lo:hi], val[lo:hi]
	})
	sumW = s.colSums(s.w, s.rows)
	if s.fixedH {
		return xLogXOverMu, sumW, sumH
	}
	colPtr, rowIdx, _ := s.x.CSC()
	colVal := s.kn.ColValues()
	xLogXOverMu = s.cdSide(s.cols, s.h, s.w, sumW, func(i int) ([]int32, []float64) {
		lo, hi := colPtr[i], colPtr[i+1]
		return rowIdx[lo:hi], colVal[lo:hi]
	})
	sumH = s.colSums(s.h, s.cols)
	return xLogXOverMu, sumW, sumH
}

// cdSide updates every entry of the factor F (W or H; its rows are the
// rows or the columns of X) with the other factor G fixed. For row r with
// non-zeros x_e at other-side indices o_e and μ_e = Σ_k F_rk G_{o_e k},
// the objective in one entry f = F_rk is convex:
//
//	φ(f) = f Σ_j G_jk − Σ_e x_e log μ_e  [+ b f − (α−1) log f for MAP]
//
// Each entry takes one Newton step δ = −φ'/φ” projected onto f ≥ 0
// (Hsieh & Dhillon 2011, section 4), with
//
//	φ'  = Σ_j G_jk − Σ_e x_e G_{o_e k}/μ_e  [+ b − (α−1)/f]
//	φ'' = Σ_e x_e G²_{o_e k}/μ_e²           [+ (α−1)/f²]
//
// φ” falls as f grows, so an upward step never overshoots; a downward
// step can, and unless it is short enough to bound the curvature
// (curvatureBounded) it is halved until φ decreases (and every μ_e stays
// positive), which makes every step a descent step. μ_e is kept up to date
// after each step (with 1/μ_e and x_e/μ_e = x_e·(1/μ_e), one division)
// and recomputed from scratch at the start of each row.
// The other factor's rows for the row's non-zeros are gathered into a
// per-worker K × (row non-zeros) buffer, so memory beyond the factors is
// K times the longest row or column, never nnz × K. It returns
// Σ x log(x/μ) over all non-zeros at the end.
func (s *state) cdSide(chunks parallel.Chunks, f, g, sumG []float64, entries func(r int) ([]int32, []float64)) float64 {
	k := s.k
	var a1, b float64
	if s.prior != nil {
		a1, b = s.prior.Shape-1, s.prior.Rate
	}
	scratch := make([]cdScratch, parallel.Workers(s.workers))
	return chunks.Sum(s.workers, func(worker, lo, hi int) float64 {
		sc := &scratch[worker]
		var sum float64
		for r := lo; r < hi; r++ {
			idx, xs := entries(r)
			m := len(idx)
			sc.grow(m, k)
			mu, inv, ratio, gt := sc.mu[:m], sc.inv[:m], sc.ratio[:m], sc.gt[:m*k]
			fr := f[r*k : (r+1)*k]
			// Gather μ and the other factor's rows, transposed so that
			// each coordinate scans contiguous memory. inv = 1/μ and
			// ratio = x/μ are kept beside μ so that the gradient loop
			// does no division. (Transposing eight rows at a time, a
			// cache line of gt per coordinate, measured slower: the dot
			// product then needs a pass of its own.)
			for e, o := range idx {
				gr := g[int(o)*k : (int(o)+1)*k]
				var v float64
				for j, gv := range gr {
					v += fr[j] * gv
					gt[j*m+e] = gv
				}
				inv[e] = 1 / v
				mu[e], ratio[e] = v, xs[e]*inv[e]
			}
			for j := range fr {
				gj := gt[j*m : (j+1)*m]
				sg, hess := sparse.GradSums(gj, ratio, inv)
				grad := sumG[j] + b - sg
				cur := fr[j]
				if a1 > 0 {
					grad -= a1 / cur
					hess += a1 / (cur * cur)
				}
				if !(hess > 0) {
					if grad > 0 && a1 == 0 && cur > 0 {
						fr[j] = 0 // no data on this coordinate: φ is linear, least at zero
					}
					continue
				}
				delta := max(-grad/hess, -cur)
				if delta < 0 && !curvatureBounded(delta, cur, a1, mu, gj) {
					delta = safeDownStep(delta, cur, sumG[j]+b, a1, mu, xs, gj)
				}
				if delta != 0 {
					fr[j] = max(cur+delta, 0)
					// Every μ of the row moves, with 1/μ and x/μ:
					// divisions were most of CD's time, so they run
					// four lanes wide where the processor can.
					sparse.StepRates(mu, inv, ratio, xs, gj, delta)
				}
			}
			// Σ x log(x/μ), the divergence's own term.
			logs := sc.logs[:m]
			special.LogTo(logs, ratio)
			for e, v := range logs {
				sum += xs[e] * v
			}
		}
		return sum
	})
}

// cdScratch is one worker's space for one row: its μ, 1/μ, x/μ and
// log(x/μ), and the other factor's rows transposed (K × the row's
// non-zeros).
type cdScratch struct {
	mu, inv, ratio, logs, gt []float64
}

func (sc *cdScratch) grow(m, k int) {
	if cap(sc.mu) < m {
		sc.mu, sc.inv, sc.ratio, sc.logs = make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)
	}
	if cap(sc.gt) < m*k {
		sc.gt = make([]float64, m*k)
	}
}

// curvatureBounded reports whether a downward Newton step δ = −φ'/h keeps
// every μ_e (and f, under a prior) above 1/√2 of its value. Then φ” stays
// below 2h along the step (each term x g²/μ² at most doubles), and Taylor's
// theorem gives φ(f+δ) − φ(f) ≤ φ'δ + h δ² = 0: the step cannot raise φ, no
// logarithms needed.
func curvatureBounded(delta, cur, a1 float64, mu, gj []float64) bool {
	const keep = 1 - 1/math.Sqrt2
	for e, gv := range gj {
		if delta*gv < -keep*mu[e] {
			return false
		}
	}
	return a1 == 0 || delta >= -keep*cur
}

// minRatio is the smallest factor by which one step may shrink a μ_e of
// a non-zero: below it the rounding of the update could leave μ_e at zero
// or below, and x log μ → −∞ there anyway.
const minRatio = 1e-10

// safeDownStep halves a downward step until the one-variable objective
//
//	Δφ(δ) = δ c − Σ_e x_e log(1 + δ G_{o_e j}/μ_e) − (α−1) log(1 + δ/f)
//
// is negative with every μ_e and f + δ positive (where they must be), or
// returns 0 after 30 halvings.
func safeDownStep(delta, cur, c, a1 float64, mu, xs, gj []float64) float64 {
	for range 30 {
		change := delta * c
		ok := true
		for e, gv := range gj {
			ratio := 1 + delta*gv/mu[e]
			if !(ratio > minRatio) {
				ok = false
				break
			}
			change -= xs[e] * math.Log(ratio)
		}
		if ok && a1 > 0 {
			if !(cur+delta > 0) {
				ok = false
			} else {
				change -= a1 * math.Log1p(delta/cur)
			}
		}
		if ok && change <= 0 {
			return delta
		}
		delta /= 2
	}
	return 0
}
