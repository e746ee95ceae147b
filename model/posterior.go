package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/special"
)

// Posterior is the mean-field variational posterior of HPF
// (docs/MATH.md section 3):
//
//	q(θ_uk) = Gamma(γˢ_uk, γʳ_uk)    q(β_ik) = Gamma(λˢ_ik, λʳ_ik)
//	q(ξ_u)  = Gamma(κˢ_u, κʳ_u)      q(η_i)  = Gamma(τˢ_i, τʳ_i)
//
// Every shape and rate is an exported field. In the non-hierarchical
// model (Hyper.NonHierarchical) ξ and η are fixed at b' and d' and the
// Xi and Eta fields are nil.
type Posterior struct {
	// Hyper holds the hyperparameters, defaults filled in.
	Hyper HPF
	// ThetaShape and ThetaRate are γˢ and γʳ, n × K.
	ThetaShape, ThetaRate *mat.Dense
	// BetaShape and BetaRate are λˢ and λʳ, p × K.
	BetaShape, BetaRate *mat.Dense
	// XiShape and XiRate are κˢ and κʳ, length n.
	XiShape, XiRate []float64
	// EtaShape and EtaRate are τˢ and τʳ, length p.
	EtaShape, EtaRate []float64
}

// NewPosterior returns a posterior for n rows, p columns and K factors
// with every shape and rate set to zero; the fitting code fills them in.
func NewPosterior(n, p, k int, h HPF) *Posterior {
	h = h.WithDefaults()
	q := &Posterior{
		Hyper:      h,
		ThetaShape: mat.NewDense(n, k, nil), ThetaRate: mat.NewDense(n, k, nil),
		BetaShape: mat.NewDense(p, k, nil), BetaRate: mat.NewDense(p, k, nil),
	}
	if !h.NonHierarchical {
		q.XiShape, q.XiRate = make([]float64, n), make([]float64, n)
		q.EtaShape, q.EtaRate = make([]float64, p), make([]float64, p)
	}
	return q
}

// Dims returns the number of rows, columns and factors.
func (q *Posterior) Dims() (n, p, k int) {
	n, k = q.ThetaShape.Dims()
	p, _ = q.BetaShape.Dims()
	return n, p, k
}

// ratio returns the element-wise quotient of two equally shaped matrices.
func ratio(s, r *mat.Dense) *mat.Dense {
	var d mat.Dense
	d.DivElem(s, r)
	return &d
}

// elog returns ψ(s) − log r element-wise.
func elog(s, r *mat.Dense) *mat.Dense {
	var d mat.Dense
	d.Apply(func(i, j int, v float64) float64 { return special.Digamma(v) - math.Log(r.At(i, j)) }, s)
	return &d
}

// ETheta returns E[θ_uk] = γˢ_uk / γʳ_uk as a new n × K matrix.
func (q *Posterior) ETheta() *mat.Dense { return ratio(q.ThetaShape, q.ThetaRate) }

// EBeta returns E[β_ik] = λˢ_ik / λʳ_ik as a new p × K matrix.
func (q *Posterior) EBeta() *mat.Dense { return ratio(q.BetaShape, q.BetaRate) }

// ELogTheta returns E[log θ_uk] = ψ(γˢ_uk) − log γʳ_uk as a new matrix.
func (q *Posterior) ELogTheta() *mat.Dense { return elog(q.ThetaShape, q.ThetaRate) }

// ELogBeta returns E[log β_ik] = ψ(λˢ_ik) − log λʳ_ik as a new matrix.
func (q *Posterior) ELogBeta() *mat.Dense { return elog(q.BetaShape, q.BetaRate) }

// EXi returns E[ξ_u] = κˢ_u / κʳ_u, or b' for every row in the
// non-hierarchical model.
func (q *Posterior) EXi() []float64 {
	n, _, _ := q.Dims()
	return meanOrFixed(q.XiShape, q.XiRate, n, q.Hyper.BPrime)
}

// EEta returns E[η_i] = τˢ_i / τʳ_i, or d' for every column in the
// non-hierarchical model.
func (q *Posterior) EEta() []float64 {
	_, p, _ := q.Dims()
	return meanOrFixed(q.EtaShape, q.EtaRate, p, q.Hyper.DPrime)
}

func meanOrFixed(shape, rate []float64, m int, fixed float64) []float64 {
	out := make([]float64, m)
	for j := range out {
		if shape == nil {
			out[j] = fixed
		} else {
			out[j] = shape[j] / rate[j]
		}
	}
	return out
}

// Rate returns the predicted rate μ_ui = Σ_k E[θ_uk] E[β_ik].
func (q *Posterior) Rate(u, i int) float64 {
	_, _, k := q.Dims()
	var s float64
	for j := 0; j < k; j++ {
		s += q.ThetaShape.At(u, j) / q.ThetaRate.At(u, j) * q.BetaShape.At(i, j) / q.BetaRate.At(i, j)
	}
	return s
}

// RowRates returns μ_ui for every column i of row u.
func (q *Posterior) RowRates(u int) []float64 {
	_, p, k := q.Dims()
	et := make([]float64, k)
	for j := range et {
		et[j] = q.ThetaShape.At(u, j) / q.ThetaRate.At(u, j)
	}
	out := make([]float64, p)
	Factors{W: mat.NewDense(1, k, et), H: q.EBeta()}.RowRates(0, out)
	return out
}

// Rates returns μ for each of the given cells.
func (q *Posterior) Rates(cells []Cell) []float64 {
	out := make([]float64, len(cells))
	for j, c := range cells {
		out[j] = q.Rate(int(c.Row), int(c.Col))
	}
	return out
}

// checkShape returns an error unless x has the posterior's n and p.
func (q *Posterior) checkShape(x *Counts) error {
	n, p, _ := q.Dims()
	if x.Rows() != n || x.Cols() != p {
		return fmt.Errorf("%w: counts are %d × %d, posterior is %d × %d", ErrShape, x.Rows(), x.Cols(), n, p)
	}
	return nil
}

// LogLikelihood returns the Poisson log-likelihood of all n·p cells of x
// under the point estimate μ = E[θ] E[β]ᵀ, with the log x! terms included:
//
//	Σ_ui [x_ui log μ_ui − μ_ui − log Γ(x_ui + 1)]
//
// computed over the non-zeros plus Σ_ui μ_ui = Σ_k (Σ_u E θ_uk)(Σ_i E β_ik).
func (q *Posterior) LogLikelihood(x *Counts) (float64, error) {
	if err := q.checkShape(x); err != nil {
		return 0, err
	}
	return PoissonLogLik(x, q.ETheta(), q.EBeta()), nil
}

// ELBO returns the evidence lower bound of x at the optimal φ
// (docs/MATH.md section 3):
//
//	ELBO = Σ_{x_ui>0} [x_ui log Σ_k exp(E log θ_uk + E log β_ik) − log Γ(x_ui+1)]
//	     − Σ_k (Σ_u E θ_uk)(Σ_i E β_ik)
//	     + Σ_u {E[log p(ξ_u)] + H[q(ξ_u)]} + Σ_uk {E[log p(θ_uk|ξ_u)] + H[q(θ_uk)]}
//	     + the same for η and β.
//
// It is a plain serial computation with a log-sum-exp per non-zero, meant
// as a reference; inference.CAVI records the same number every iteration
// at a fraction of the cost.
func (q *Posterior) ELBO(x *Counts) (float64, error) {
	if err := q.checkShape(x); err != nil {
		return 0, err
	}
	n, _, k := q.Dims()
	elt, elb := q.ELogTheta(), q.ELogBeta()
	var elbo float64
	terms := make([]float64, k)
	for u := 0; u < n; u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			for j := 0; j < k; j++ {
				terms[j] = elt.At(u, j) + elb.At(int(i), j)
			}
			elbo += vals[e]*logSumExp(terms) - lgamma(vals[e]+1)
		}
	}
	et, eb := q.ETheta(), q.EBeta()
	for j := 0; j < k; j++ {
		elbo -= mat.Sum(et.ColView(j)) * mat.Sum(eb.ColView(j))
	}
	h := q.Hyper
	elbo += localELBO(h.A, h.APrime, h.BPrime, q.ThetaShape, q.ThetaRate, q.XiShape, q.XiRate)
	elbo += localELBO(h.C, h.CPrime, h.DPrime, q.BetaShape, q.BetaRate, q.EtaShape, q.EtaRate)
	return elbo, nil
}

// localELBO sums GammaELBOTerm over one side: the activities (shape a',
// rate a'/b'), or their fixed value b' when act is nil, and the weights
// (shape a, rate the activity).
func localELBO(a, aPrime, bPrime float64, shape, rate *mat.Dense, actShape, actRate []float64) float64 {
	m, k := shape.Dims()
	lga, lgaPrime := lgamma(a), lgamma(aPrime)
	var s float64
	for u := 0; u < m; u++ {
		eLogAct, eAct := math.Log(bPrime), bPrime
		if actShape != nil {
			ks, kr := actShape[u], actRate[u]
			psi := special.Digamma(ks)
			eLogAct, eAct = psi-math.Log(kr), ks/kr
			s += GammaELBOTerm(aPrime, lgaPrime, math.Log(aPrime/bPrime), aPrime/bPrime, ks, kr, psi, math.Log(kr))
		}
		for j := 0; j < k; j++ {
			gs, gr := shape.At(u, j), rate.At(u, j)
			s += GammaELBOTerm(a, lga, eLogAct, eAct, gs, gr, special.Digamma(gs), math.Log(gr))
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
