package inference

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/model"
)

// referenceELBO returns the evidence lower bound of x at the optimal φ
// (docs/MATH.md section 3):
//
//	ELBO = Σ_{x_ui>0} [x_ui log Σ_k exp(E log θ_uk + E log β_ik) − log Γ(x_ui+1)]
//	     − Σ_k (Σ_u E θ_uk)(Σ_i E β_ik)
//	     + Σ_u {E[log p(ξ_u)] + H[q(ξ_u)]} + Σ_uk {E[log p(θ_uk|ξ_u)] + H[q(θ_uk)]}
//	     + the same for η and β.
//
// It is a plain serial computation with a log-sum-exp per non-zero, written
// apart from the fit's algebra (ψ and log Γ each on their own, math.Lgamma
// for the latter, where the fit evaluates them together), as the reference the tests hold CAVI's
// recorded ELBO to.
func referenceELBO(q *model.Posterior, x *model.Counts) float64 {
	n, k := q.ThetaShape.Dims()
	elt, elb := q.ELogTheta(), q.ELogBeta()
	var elbo float64
	terms := make([]float64, k)
	for u := 0; u < n; u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			for j := 0; j < k; j++ {
				terms[j] = elt.At(u, j) + elb.At(int(i), j)
			}
			elbo += vals[e]*logSumExp(terms) - special.LogGamma(vals[e]+1)
		}
	}
	et, eb := q.ETheta(), q.EBeta()
	for j := 0; j < k; j++ {
		elbo -= mat.Sum(et.ColView(j)) * mat.Sum(eb.ColView(j))
	}
	h := q.Hyper
	elbo += localELBO(h.A, h.APrime, h.BPrime, q.ThetaShape, q.ThetaRate, q.XiShape, q.XiRate)
	elbo += localELBO(h.C, h.CPrime, h.DPrime, q.BetaShape, q.BetaRate, q.EtaShape, q.EtaRate)
	return elbo
}

// localELBO sums gammaELBOTerm over one side: the activities (shape a',
// rate a'/b'), or their fixed value b' when act is nil, and the weights
// (shape a, rate the activity).
func localELBO(a, aPrime, bPrime float64, shape, rate *mat.Dense, actShape, actRate []float64) float64 {
	m, k := shape.Dims()
	lga, lgaPrime := special.LogGamma(a), special.LogGamma(aPrime)
	var s float64
	for u := 0; u < m; u++ {
		eLogAct, eAct := math.Log(bPrime), bPrime
		if actShape != nil {
			ks, kr := actShape[u], actRate[u]
			psi := special.Digamma(ks)
			eLogAct, eAct = psi-math.Log(kr), ks/kr
			s += gammaELBOTerm(aPrime, lgaPrime, math.Log(aPrime/bPrime), aPrime/bPrime, ks, ks/kr, psi, special.LogGamma(ks), math.Log(kr))
		}
		for j := 0; j < k; j++ {
			gs, gr := shape.At(u, j), rate.At(u, j)
			s += gammaELBOTerm(a, lga, eLogAct, eAct, gs, gs/gr, special.Digamma(gs), special.LogGamma(gs), math.Log(gr))
		}
	}
	return s
}

// logSumExp returns log Σ exp(v), stable for any range of v.
func logSumExp(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	if math.IsInf(m, -1) {
		return m
	}
	var z float64
	for _, x := range v {
		z += math.Exp(x - m)
	}
	return m + math.Log(z)
}
