package inference

import (
	"math"

	"gonum.org/v1/gonum/mathext"

	"github.com/poisfact/poisfact/model"
)

// This file holds a slow, independent implementation of HPF by CAVI that
// stores φ explicitly, evaluates exp per non-zero and uses gonum's digamma,
// against which the library is tested. It follows the equations of
// docs/MATH.md section 3 written out as a textbook would, over dense
// arrays.

type denseHPF struct {
	n, p, k        int
	h              model.HPF
	gs, gr, ls, lr [][]float64 // γˢ γʳ (n × K), λˢ λʳ (p × K)
	ks, kr, ts, tr []float64   // κ (n), τ (p)
	masked         func(u, i int) bool
}

func denseFromPosterior(q *model.Posterior) *denseHPF {
	n, p := q.Dims()
	k := q.K()
	d := &denseHPF{n: n, p: p, k: k, h: q.Hyper, masked: func(int, int) bool { return false }}
	grab := func(m interface{ At(i, j int) float64 }, rows int) [][]float64 {
		out := make([][]float64, rows)
		for r := range out {
			out[r] = make([]float64, k)
			for j := range out[r] {
				out[r][j] = m.At(r, j)
			}
		}
		return out
	}
	d.gs, d.gr = grab(q.ThetaShape, n), grab(q.ThetaRate, n)
	d.ls, d.lr = grab(q.BetaShape, p), grab(q.BetaRate, p)
	d.ks = append([]float64(nil), q.XiShape...)
	d.kr = append([]float64(nil), q.XiRate...)
	d.ts = append([]float64(nil), q.EtaShape...)
	d.tr = append([]float64(nil), q.EtaRate...)
	return d
}

func (d *denseHPF) elogTheta(u, k int) float64 {
	return mathext.Digamma(d.gs[u][k]) - math.Log(d.gr[u][k])
}
func (d *denseHPF) elogBeta(i, k int) float64 {
	return mathext.Digamma(d.ls[i][k]) - math.Log(d.lr[i][k])
}
func (d *denseHPF) eXi(u int) float64 {
	if d.h.NonHierarchical {
		return d.h.BPrime
	}
	return d.ks[u] / d.kr[u]
}
func (d *denseHPF) eEta(i int) float64 {
	if d.h.NonHierarchical {
		return d.h.DPrime
	}
	return d.ts[i] / d.tr[i]
}

// optimalPhi returns φ_uik ∝ exp(E log θ_uk + E log β_ik) for every cell
// with x_ui > 0 (nil elsewhere), exponentiating per non-zero.
func (d *denseHPF) optimalPhi(x [][]float64) [][][]float64 {
	phi := make([][][]float64, d.n)
	for u := range phi {
		phi[u] = make([][]float64, d.p)
		for i := range phi[u] {
			if x[u][i] == 0 {
				continue
			}
			v := make([]float64, d.k)
			var z float64
			for k := range v {
				v[k] = math.Exp(d.elogTheta(u, k) + d.elogBeta(i, k))
				z += v[k]
			}
			for k := range v {
				v[k] /= z
			}
			phi[u][i] = v
		}
	}
	return phi
}

// sweep applies one CAVI sweep in the order φ, γ, κ, λ, τ; the rates sum
// E β (E θ) over the cells that are not masked, by definition.
func (d *denseHPF) sweep(x [][]float64) {
	h := d.h
	phi := d.optimalPhi(x)
	for u := 0; u < d.n; u++ {
		xi := d.eXi(u)
		for k := 0; k < d.k; k++ {
			s, r := h.A, xi
			for i := 0; i < d.p; i++ {
				if phi[u][i] != nil {
					s += x[u][i] * phi[u][i][k]
				}
				if !d.masked(u, i) {
					r += d.ls[i][k] / d.lr[i][k]
				}
			}
			d.gs[u][k] = s
			d.gr[u][k] = r
		}
		if !h.NonHierarchical {
			d.kr[u] = h.APrime / h.BPrime
			for k := 0; k < d.k; k++ {
				d.kr[u] += d.gs[u][k] / d.gr[u][k]
			}
		}
	}
	for i := 0; i < d.p; i++ {
		eta := d.eEta(i)
		for k := 0; k < d.k; k++ {
			s, r := h.C, eta
			for u := 0; u < d.n; u++ {
				if phi[u][i] != nil {
					s += x[u][i] * phi[u][i][k]
				}
				if !d.masked(u, i) {
					r += d.gs[u][k] / d.gr[u][k]
				}
			}
			d.ls[i][k] = s
			d.lr[i][k] = r
		}
		if !h.NonHierarchical {
			d.tr[i] = h.CPrime / h.DPrime
			for k := 0; k < d.k; k++ {
				d.tr[i] += d.ls[i][k] / d.lr[i][k]
			}
		}
	}
}

// gammaEntropy is the differential entropy of Gamma(shape s, rate r):
// s − log r + log Γ(s) + (1 − s) ψ(s).
func gammaEntropy(s, r float64) float64 {
	lg, _ := math.Lgamma(s)
	return s - math.Log(r) + lg + (1-s)*mathext.Digamma(s)
}

// expectedLogGamma is E_q[log Gamma(v; α, R)] for independent v and R:
// α E[log R] − log Γ(α) + (α − 1) E[log v] − E[R] E[v].
func expectedLogGamma(alpha, eLogR, eR, eLogV, eV float64) float64 {
	lg, _ := math.Lgamma(alpha)
	return alpha*eLogR - lg + (alpha-1)*eLogV - eR*eV
}

// elboWithPhi computes E_q[log p(X, z, θ, β, ξ, η)] − E_q[log q] for the
// given φ, cell by cell over the dense matrix. The latent counts
// z_uik ~ Poisson(θ_uk β_ik) determine x_ui = Σ_k z_uik, and under
// q(z_ui) = Multinomial(x_ui, φ_ui) the log z! terms of p and q cancel,
// leaving for each cell that is not masked
//
//	Σ_k [x φ_k (E log θ_uk + E log β_ik − log φ_k)] − log x! − Σ_k E θ_uk E β_ik.
func (d *denseHPF) elboWithPhi(x [][]float64, phi [][][]float64) float64 {
	h := d.h
	var elbo float64
	for u := 0; u < d.n; u++ {
		for i := 0; i < d.p; i++ {
			for k := 0; k < d.k; k++ {
				if !d.masked(u, i) {
					elbo -= d.gs[u][k] / d.gr[u][k] * d.ls[i][k] / d.lr[i][k]
				}
				if x[u][i] > 0 {
					f := phi[u][i][k]
					if f > 0 {
						elbo += x[u][i] * f * (d.elogTheta(u, k) + d.elogBeta(i, k) - math.Log(f))
					}
				}
			}
			if x[u][i] > 0 {
				lg, _ := math.Lgamma(x[u][i] + 1)
				elbo -= lg
			}
		}
	}
	for u := 0; u < d.n; u++ {
		eLogXi, eXi := math.Log(h.BPrime), h.BPrime
		if !h.NonHierarchical {
			eLogXi, eXi = mathext.Digamma(d.ks[u])-math.Log(d.kr[u]), d.ks[u]/d.kr[u]
			elbo += expectedLogGamma(h.APrime, math.Log(h.APrime/h.BPrime), h.APrime/h.BPrime, eLogXi, eXi) + gammaEntropy(d.ks[u], d.kr[u])
		}
		for k := 0; k < d.k; k++ {
			elbo += expectedLogGamma(h.A, eLogXi, eXi, d.elogTheta(u, k), d.gs[u][k]/d.gr[u][k]) + gammaEntropy(d.gs[u][k], d.gr[u][k])
		}
	}
	for i := 0; i < d.p; i++ {
		eLogEta, eEta := math.Log(h.DPrime), h.DPrime
		if !h.NonHierarchical {
			eLogEta, eEta = mathext.Digamma(d.ts[i])-math.Log(d.tr[i]), d.ts[i]/d.tr[i]
			elbo += expectedLogGamma(h.CPrime, math.Log(h.CPrime/h.DPrime), h.CPrime/h.DPrime, eLogEta, eEta) + gammaEntropy(d.ts[i], d.tr[i])
		}
		for k := 0; k < d.k; k++ {
			elbo += expectedLogGamma(h.C, eLogEta, eEta, d.elogBeta(i, k), d.ls[i][k]/d.lr[i][k]) + gammaEntropy(d.ls[i][k], d.lr[i][k])
		}
	}
	return elbo
}

// denseCounts returns x as nested slices.
func denseCounts(c *model.Counts) [][]float64 {
	n, p := c.Dims()
	x := make([][]float64, n)
	for u := range x {
		x[u] = make([]float64, p)
		cols, vals := c.Row(u)
		for e, i := range cols {
			x[u][i] = vals[e]
		}
	}
	return x
}
