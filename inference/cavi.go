package inference

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/internal/sparse"
	"github.com/poisfact/poisfact/model"
)

// Result is a fitted HPF model with the record of its fit.
type Result struct {
	// Posterior holds every variational shape and rate.
	Posterior *model.Posterior
	// Trace has one record per sweep, Trace[t-1] for sweep t.
	Trace []Iteration
	// Status says why the fit stopped.
	Status Status
	// Iterations is the number of complete sweeps.
	Iterations int
	// ELBO is the exact ELBO of Posterior on the training counts.
	ELBO float64
	// Elapsed is the wall time of the fit.
	Elapsed time.Duration
}

// CAVI fits HPF to x by coordinate-ascent variational inference
// (docs/MATH.md section 3). Each sweep updates, in order, φ, the row
// weights γ, the row activities κ, the column weights λ and the column
// popularities τ; each step maximizes the ELBO over its block, so the ELBO
// never decreases. The ELBO recorded for sweep t is that of the parameters
// after sweep t, computed exactly from the ratio pass that also serves
// sweep t+1. Held-out cells of a split are zeros of x, as in the paper,
// unless Settings.Mask leaves them out of the likelihood.
//
// Cancelling ctx stops the fit after the current sweep with status
// Cancelled and the parameters of the last complete sweep.
func CAVI(ctx context.Context, x *model.Counts, settings *Settings) (*Result, error) {
	s, err := settings.withDefaults(x)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	n, p := x.Dims()
	k, h, w := s.K, s.Hyper, s.Workers
	kn := sparse.New(x, k)
	rows := newSide(n, k, h.A, h.APrime, h.BPrime, h.NonHierarchical, kn.RowChunks())
	cols := newSide(p, k, h.C, h.CPrime, h.DPrime, h.NonHierarchical, kn.ColChunks())
	if s.Mask != nil {
		rows.maskPtr, rows.maskIdx, _ = s.Mask.CSR()
		cols.maskPtr, cols.maskIdx, _ = s.Mask.CSC()
	}
	rows.initialize(rand.NewPCG(s.Seed, 1))
	cols.initialize(rand.NewPCG(s.Seed, 2))

	var lgammaX float64 // Σ log Γ(x_ui + 1), a constant of the ELBO
	_, _, val := x.CSR()
	for _, v := range val {
		lgammaX += lgamma(v + 1)
	}
	phiRow, phiCol := make([]float64, n*k), make([]float64, p*k)
	logs := &sparse.Logs{LogA: rows.logF, LogB: cols.logF, MaxA: rows.shift, MaxB: cols.shift}

	// evaluate runs the ratio pass for the current parameters: it fills
	// phiRow and phiCol for the next sweep and returns their ELBO.
	evaluate := func(rowELBO, colELBO float64, sumTheta, sumBeta []float64) float64 {
		lik := kn.TwoSided(w, rows.fac, cols.fac, logs, phiRow, phiCol)
		var cross float64
		for j := range sumTheta {
			cross += sumTheta[j] * sumBeta[j]
		}
		return lik - lgammaX - cross + rowELBO + colELBO
	}
	rowELBO, sumTheta := rows.sweep(w, nil, nil, cols.mean, false)
	colELBO, sumBeta := cols.sweep(w, nil, nil, rows.mean, true)
	elbo := evaluate(rowELBO, colELBO, sumTheta, sumBeta)

	res := &Result{Status: MaxIterations}
	falls := 0 // successive checks at which the validation log-likelihood fell
	prevCheck := elbo
	if s.Validation != nil {
		prevCheck = math.NaN()
	}
	for t := 1; t <= s.MaxIter; t++ {
		if ctx.Err() != nil {
			res.Status = Cancelled
			break
		}
		rowELBO, sumTheta = rows.sweep(w, phiRow, sumBeta, cols.mean, false)
		colELBO, sumBeta = cols.sweep(w, phiCol, sumTheta, rows.mean, true)
		elbo = evaluate(rowELBO, colELBO, sumTheta, sumBeta)
		if math.IsNaN(elbo) || math.IsInf(elbo, 0) {
			return nil, fmt.Errorf("inference: the ELBO became %v at sweep %d: numerical failure (please report with the data and settings)", elbo, t)
		}
		it := Iteration{Iter: t, ELBO: elbo, ValidLogLik: math.NaN()}
		check := t%s.CheckEvery == 0 || t == s.MaxIter
		current := elbo
		if check && s.Validation != nil {
			means := model.Factors{W: mat.NewDense(n, k, rows.mean), H: mat.NewDense(p, k, cols.mean)}
			it.ValidLogLik = s.Validation.LogLik(means.Rate).Mean
			current = it.ValidLogLik
		}
		it.Elapsed = time.Since(start)
		res.Trace = append(res.Trace, it)
		res.Iterations = t
		if s.Recorder != nil {
			s.Recorder(it)
		}
		if !check {
			continue
		}
		if s.Validation != nil && current < prevCheck {
			falls++
		} else {
			falls = 0
		}
		if t >= s.MinIter && s.Tol > 0 && (falls >= validationPatience || fitting.RelativeChange(current, prevCheck, s.Tol)) {
			res.Status = Converged
			break
		}
		prevCheck = current
	}
	res.ELBO = elbo
	res.Posterior = rows.posterior(cols, h)
	res.Elapsed = time.Since(start)
	return res, nil
}

// validationPatience is how many successive checks the validation
// log-likelihood must fall before the fit stops on it. The HPF paper's
// reference code stops at the first fall; but in the first sweeps, while
// the factors break their initial symmetry, the validation value can dip
// once and then climb for hundreds of sweeps (seen on onlineretail at
// K = 100), so a single fall is not evidence of overfitting.
const validationPatience = 3

// posterior hands the two sides' parameters over to a model.Posterior;
// the sides must not be used after.
func (rows *side) posterior(cols *side, h model.HPF) *model.Posterior {
	q := &model.Posterior{
		Hyper:      h,
		ThetaShape: mat.NewDense(rows.m, rows.k, rows.shape), ThetaRate: mat.NewDense(rows.m, rows.k, rows.rate),
		BetaShape: mat.NewDense(cols.m, cols.k, cols.shape), BetaRate: mat.NewDense(cols.m, cols.k, cols.rate),
	}
	if !h.NonHierarchical {
		q.XiShape, q.XiRate = constant(rows.m, rows.actShape), rows.actRate
		q.EtaShape, q.EtaRate = constant(cols.m, cols.actShape), cols.actRate
	}
	return q
}

// constant returns a slice of m copies of v.
func constant(m int, v float64) []float64 {
	out := make([]float64, m)
	for j := range out {
		out[j] = v
	}
	return out
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
