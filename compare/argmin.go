package compare

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// lbfgsNLL minimizes the NLL over W = exp(a), H = exp(b) by gonum's
// L-BFGS, from (w, h), and returns the minimizer. Log-parameters keep the
// factors positive without constraints; the gradient is ∂/∂a = W ⊙ ∇_W.
//
// The log-parameters are scaled by the square root of the Hessian's
// diagonal at the start (for a_uk it is the expected count of factor k
// in row u, w_uk Σ_i h_ik): counts from 1 to 10⁵ in one matrix make the
// unscaled problem so ill-conditioned that L-BFGS stops far from the
// optimum of the light rows. It is then restarted from its own end point,
// with the scale taken there, until the objective stops falling, so that a
// check built on it fails for the model, not for the optimizer.
func lbfgsNLL(x *model.Counts, w, h *mat.Dense) (*mat.Dense, *mat.Dense, error) {
	n, k := w.Dims()
	p, _ := h.Dims()
	w, h = mat.DenseCopyOf(w), mat.DenseCopyOf(h)
	prev := math.Inf(1)
	for round := 0; round < 10; round++ {
		f, err := lbfgsRound(x, w, h, n, p, k)
		if err != nil {
			return nil, nil, err
		}
		if !(f < prev-1e-15*math.Abs(f)) {
			break
		}
		prev = f
	}
	return w, h, nil
}

// lbfgsRound runs one diagonally scaled L-BFGS minimization from (w, h),
// overwriting them with its end point, and returns the objective there.
func lbfgsRound(x *model.Counts, w, h *mat.Dense, n, p, k int) (float64, error) {
	// scale_j = √(Hessian diagonal), at least 1e-8 of the largest.
	scale := make([]float64, (n+p)*k)
	sumW, sumH := make([]float64, k), make([]float64, k)
	for j := range sumW {
		sumW[j], sumH[j] = model.ColSum(w, j), model.ColSum(h, j)
	}
	for e, v := range w.RawMatrix().Data {
		scale[e] = v * sumH[e%k]
	}
	for e, v := range h.RawMatrix().Data {
		scale[n*k+e] = v * sumW[e%k]
	}
	top := 0.0
	for _, d := range scale {
		top = math.Max(top, d)
	}
	for j, d := range scale {
		scale[j] = math.Sqrt(math.Max(d, 1e-16*top))
	}
	unpack := func(z []float64) (*mat.Dense, *mat.Dense) {
		e := make([]float64, len(z))
		for j, t := range z {
			e[j] = math.Exp(t / scale[j])
		}
		return mat.NewDense(n, k, e[:n*k]), mat.NewDense(p, k, e[n*k:])
	}
	init := make([]float64, 0, (n+p)*k)
	for _, m := range []*mat.Dense{w, h} {
		for _, v := range m.RawMatrix().Data {
			init = append(init, math.Log(math.Max(v, 1e-300))*scale[len(init)])
		}
	}
	prob := optimize.Problem{
		Func: func(z []float64) float64 {
			w, h := unpack(z)
			return nllNoFactorial(x, model.Factors{W: w, H: h})
		},
		Grad: func(grad, z []float64) {
			w, h := unpack(z)
			gw, gh := gradient(x, w, h)
			for j, g := range gw.RawMatrix().Data {
				grad[j] = g * w.RawMatrix().Data[j] / scale[j]
			}
			for j, g := range gh.RawMatrix().Data {
				grad[n*k+j] = g * h.RawMatrix().Data[j] / scale[n*k+j]
			}
		},
	}
	res, err := optimize.Minimize(prob, init, &optimize.Settings{
		GradientThreshold: 1e-12,
		MajorIterations:   20000,
		Converger:         &optimize.FunctionConverge{Relative: 1e-16, Iterations: 50},
	}, &optimize.LBFGS{})
	if err != nil && res == nil {
		return 0, fmt.Errorf("compare: L-BFGS: %w", err)
	}
	w2, h2 := unpack(res.X)
	w.Copy(w2)
	h.Copy(h2)
	return res.F, nil
}

// nllNoFactorial returns Σ μ − Σ x log μ, the NLL without its constant
// log x! terms, which the optimizer does not need.
func nllNoFactorial(x *model.Counts, r model.Rates) float64 {
	var s special.Sum
	for u := 0; u < x.Rows(); u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			s.Add(vals[e] * math.Log(r.Rate(u, int(i))))
		}
	}
	return r.Total() - s.Value()
}

// argminIndependence checks at K = 1 that the maximum likelihood
// rates are the closed-form independence model μ_ij = r_i c_j / N (row
// totals, column totals, grand total), reached both by MU (after one
// iteration) and by L-BFGS on the NLL from a random start. The deviation
// is the largest relative difference of μ over the non-zeros.
func argminIndependence(ctx context.Context, x *model.Counts, seed uint64, tol float64) (Check, error) {
	fit, err := mle.Fit(ctx, x, &mle.Settings{K: 1, MaxIter: 1, Tol: -1, Seed: seed})
	if err != nil {
		return Check{}, err
	}
	start, err := mle.Fit(ctx, x, &mle.Settings{K: 1, MaxIter: 1, Tol: -1, Seed: seed + 1, Init: mle.InitRandom})
	if err != nil {
		return Check{}, err
	}
	// Perturb MU's one-step point far from the optimum so that L-BFGS
	// has real work to do.
	w0, h0 := mat.DenseCopyOf(start.W), mat.DenseCopyOf(start.H)
	w0.Apply(func(i, _ int, v float64) float64 { return v * (1 + 0.5*math.Sin(float64(i))) }, w0)
	h0.Apply(func(i, _ int, v float64) float64 { return v * (1 + 0.5*math.Cos(float64(i))) }, h0)
	lw, lh, err := lbfgsNLL(x, w0, h0)
	if err != nil {
		return Check{}, err
	}
	var d deviations
	mu, lb := model.Factors{W: fit.W, H: fit.H}, model.Factors{W: lw, H: lh}
	for u := 0; u < x.Rows(); u++ {
		cols, _ := x.Row(u)
		for _, i := range cols {
			want := x.RowSum(u) * x.ColSum(int(i)) / x.Total()
			d.add(mu.Rate(u, int(i)), want, want)
			d.add(lb.Rate(u, int(i)), want, want)
		}
	}
	return d.check("argmin at K = 1: independence model", tol,
		"μ of MU after one iteration and of L-BFGS on the NLL (log-parameters) against r_i c_j / N over the non-zeros, relative", nil), nil
}

// argminStationary fits MU at rank k to convergence, then runs L-BFGS
// on the NLL from MU's point: since a stationary point of D is one of the
// NLL, L-BFGS must not lower the divergence by more than tol relative.
func argminStationary(ctx context.Context, x *model.Counts, k int, seed uint64, tol float64) (Check, error) {
	fit, err := mle.Fit(ctx, x, &mle.Settings{K: k, MaxIter: 50000, MinIter: 100, Tol: 1e-14, Seed: seed, Normalize: mle.NormalizeNone})
	if err != nil {
		return Check{}, err
	}
	lw, lh, err := lbfgsNLL(x, fit.W, fit.H)
	if err != nil {
		return Check{}, err
	}
	dMU := Evaluate(x, model.Factors{W: fit.W, H: fit.H}).Divergence
	dLB := Evaluate(x, model.Factors{W: lw, H: lh}).Divergence
	var d deviations
	// Only a decrease counts: L-BFGS ending a hair above is no evidence
	// against stationarity.
	d.add(math.Min(dLB, dMU), dMU, dMU)
	return d.check(fmt.Sprintf("argmin at K = %d: MU's point is stationary for the NLL", k), tol,
		fmt.Sprintf("D after %d MU iterations (%v) against D after L-BFGS on the NLL from there; relative decrease", fit.Iterations, fit.Status), []float64{dMU, dLB}), nil
}

// heaviest returns the submatrix of x on its maxRows rows and maxCols
// columns with the largest totals (in their original order), so that the
// checks that need a small matrix can run on any input.
func heaviest(x *model.Counts, maxRows, maxCols int) (*model.Counts, error) {
	n, p := x.Dims()
	if n <= maxRows && p <= maxCols {
		return x, nil
	}
	pick := func(m, keep int, total func(int) float64) []int {
		idx := make([]int, m)
		for j := range idx {
			idx[j] = j
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch ta, tb := total(a), total(b); {
			case ta > tb:
				return -1
			case ta < tb:
				return 1
			}
			return 0
		})
		idx = idx[:min(keep, m)]
		slices.Sort(idx)
		return idx
	}
	rows, cols := pick(n, maxRows, x.RowSum), pick(p, maxCols, x.ColSum)
	colPos := make(map[int]int, len(cols))
	for j, i := range cols {
		colPos[i] = j
	}
	var ri, ci []int
	var vals []float64
	for r, u := range rows {
		c, v := x.Row(u)
		for e, i := range c {
			if j, ok := colPos[int(i)]; ok {
				ri, ci, vals = append(ri, r), append(ci, j), append(vals, v[e])
			}
		}
	}
	return model.NewCounts(len(rows), len(cols), ri, ci, vals)
}
