package compare

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// randomFactors draws W (n × K) and H (p × K) with entries uniform in
// (0.01, 1], scaled so that Σ μ = Σ x: a generic positive factorization.
func randomFactors(x *model.Counts, k int, r *rand.Rand) (w, h *mat.Dense) {
	n, p := x.Dims()
	w, h = mat.NewDense(n, k, nil), mat.NewDense(p, k, nil)
	for _, m := range []*mat.Dense{w, h} {
		d := m.RawMatrix().Data
		for j := range d {
			d[j] = 0.01 + 0.99*(1-r.Float64())
		}
	}
	c := math.Sqrt(x.Total() / model.Factors{W: w, H: h}.Total())
	w.Scale(c, w)
	h.Scale(c, h)
	return w, h
}

// identityRandom evaluates NLL and D for trials random positive
// factorizations W Hᵀ of rank k and checks that NLL − D = C(X) in every
// one (consequence 1 of docs/MATH.md section 1), to tol relative to C(X).
func identityRandom(x *model.Counts, k, trials int, seed uint64, tol float64) Check {
	c := x.DataConstant()
	r := rand.New(rand.NewPCG(seed, 11))
	ev := NewEvaluator(x)
	var d deviations
	var values []float64
	for t := 0; t < trials; t++ {
		w, h := randomFactors(x, k, r)
		o := ev.Evaluate(model.Factors{W: w, H: h})
		d.add(o.NLL-o.Divergence, c, c)
		if t < 10 {
			values = append(values, o.NLL-o.Divergence-c)
		}
	}
	return d.check("NLL − D = C(X), random factorizations", tol,
		fmt.Sprintf("%d random positive W Hᵀ at K = %d; deviation of NLL − D from C(X), relative to C(X); values: first NLL − D − C(X)", trials, k), values)
}

// identityAlongFit runs iters iterations of MU and checks at every
// iterate that NLL − D = C(X), with NLL and D evaluated from the iterate's
// factors; the values are NLL − D − C(X) per iteration.
func identityAlongFit(ctx context.Context, x *model.Counts, k, iters int, seed uint64, workers int, tol float64) (Check, error) {
	c := x.DataConstant()
	var d deviations
	var values []float64
	var fitDiv deviations
	ev := NewEvaluator(x)
	_, err := mle.Fit(ctx, x, &mle.Settings{K: k, MaxIter: iters, Tol: -1, Seed: seed, Workers: workers, Recorder: func(it mle.Iteration) {
		w, h := it.Factors()
		o := ev.Evaluate(model.Factors{W: w, H: h})
		d.add(o.NLL-o.Divergence, c, c)
		fitDiv.add(it.Divergence, o.Divergence, o.Divergence)
		values = append(values, o.NLL-o.Divergence-c)
	}})
	if err != nil {
		return Check{}, err
	}
	ch := d.check("NLL − D = C(X) along an MU fit", tol,
		fmt.Sprintf("%d MU iterations at K = %d; deviation of NLL − D from C(X) at every iterate, relative to C(X); the fit's own recorded D agrees with Evaluate to %.2g relative", iters, k, fitDiv.rel), values)
	return ch, nil
}

// gradient returns the analytic gradient of NLL (equally of D) with
// respect to W and H (consequence 2: ∂NLL/∂μ = ∂D/∂μ = 1 − x/μ):
//
//	∂/∂W_uk = Σ_i H_ik − Σ_{x_ui>0} x_ui H_ik / μ_ui
//	∂/∂H_ik = Σ_u W_uk − Σ_{x_ui>0} x_ui W_uk / μ_ui
func gradient(x *model.Counts, w, h *mat.Dense) (gw, gh *mat.Dense) {
	n, k := w.Dims()
	p, _ := h.Dims()
	gw, gh = mat.NewDense(n, k, nil), mat.NewDense(p, k, nil)
	for j := 0; j < k; j++ {
		sw, sh := model.ColSum(w, j), model.ColSum(h, j)
		for u := 0; u < n; u++ {
			gw.Set(u, j, sh)
		}
		for i := 0; i < p; i++ {
			gh.Set(i, j, sw)
		}
	}
	rates := model.Factors{W: w, H: h}
	for u := 0; u < n; u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			r := vals[e] / rates.Rate(u, int(i))
			for j := 0; j < k; j++ {
				gw.Set(u, j, gw.At(u, j)-r*h.At(int(i), j))
				gh.Set(int(i), j, gh.At(int(i), j)-r*w.At(u, j))
			}
		}
	}
	return gw, gh
}

// gradientsCheck compares, at a random positive factorization of rank k,
// the analytic gradient with central finite differences of NLL and of D,
// each evaluated on its own, for 40 random entries of W and 40 of H (see
// fdGradients for the step and the scale).
func gradientsCheck(x *model.Counts, k int, seed uint64, tol float64) Check {
	r := rand.New(rand.NewPCG(seed, 13))
	w, h := randomFactors(x, k, r)
	n, p := x.Dims()
	var entries []gradEntry
	for t := 0; t < 40; t++ {
		entries = append(entries, gradEntry{false, r.IntN(n), r.IntN(k)}, gradEntry{true, r.IntN(p), r.IntN(k)})
	}
	var d deviations
	fdGradients(x, w, h, entries, &d)
	return d.check("∇NLL = ∇D = analytic gradient", tol,
		fmt.Sprintf("central differences of NLL and of D (each evaluated on its own) against the analytic gradient Σ (1 − x/μ) ∂μ, at 80 entries of a random rank-%d W, H", k), nil)
}

// gradEntry names one entry of W (inH false) or H.
type gradEntry struct {
	inH      bool
	row, col int
}

// fdGradients adds to d, for each entry, the deviations of the central
// differences of NLL and of D from the analytic gradient. The step is
// 1e-4 times the entry, where truncation (O(h²)) and rounding (O(ε f / h))
// errors are both near 1e-8 relative on small matrices. The deviation is
// relative to the gradient's natural scale Σ_i H_ik (for W_uk; Σ_u W_uk for
// H_ik), the size of each of the two terms whose difference the gradient
// is: near a stationary point the gradient itself is near zero, and a
// relative error against it would measure nothing but rounding. Entries
// below 1e-3 of their column's largest are skipped: a step of 1e-4 times
// such an entry moves the objective by less than its rounding (fitted
// factors hold entries of 1e-20 and below).
func fdGradients(x *model.Counts, w, h *mat.Dense, entries []gradEntry, d *deviations) {
	gw, gh := gradient(x, w, h)
	ev := NewEvaluator(x)
	for _, e := range entries {
		f, g, other := w, gw, h
		if e.inH {
			f, g, other = h, gh, w
		}
		v := f.At(e.row, e.col)
		if !(v > 1e-3*mat.Max(f.ColView(e.col))) {
			continue
		}
		step := 1e-4 * v
		eval := func(val float64) Objectives {
			f.Set(e.row, e.col, val)
			defer f.Set(e.row, e.col, v)
			return ev.Evaluate(model.Factors{W: w, H: h})
		}
		plus, minus := eval(v+step), eval(v-step)
		want := g.At(e.row, e.col)
		scale := math.Max(math.Abs(want), model.ColSum(other, e.col))
		d.add((plus.NLL-minus.NLL)/(2*step), want, scale)
		d.add((plus.Divergence-minus.Divergence)/(2*step), want, scale)
	}
}

// normalizedCheck scales X and a random rank-k μ to sum to one and checks
// that the generalized divergence, evaluated by its own formula, equals
// the ordinary KL divergence Σ p log(p/q) (consequence 3).
func normalizedCheck(x *model.Counts, k int, seed uint64, tol float64) Check {
	r := rand.New(rand.NewPCG(seed, 17))
	w, h := randomFactors(x, k, r)
	rates := model.Factors{W: w, H: h}
	n, m := x.Total(), rates.Total()
	// D(p ‖ q) = Σ [p log(p/q) − p + q] with p = x/N, q = μ/M, the zero
	// cells entering through Σ q = 1.
	var div special.Sum
	for u := 0; u < x.Rows(); u++ {
		cols, vals := x.Row(u)
		for e, i := range cols {
			p, q := vals[e]/n, rates.Rate(u, int(i))/m
			div.Add(p*math.Log(p/q) - p)
		}
	}
	div.Add(m / m)
	kl := NormalizedKL(x, rates)
	var d deviations
	d.add(div.Value(), kl, kl)
	return d.check("normalized: D = KL when Σ x = Σ μ = 1", tol,
		"p = X/Σx, q = μ/Σμ for a random W Hᵀ; the generalized divergence against Σ p log(p/q), relative to the KL", []float64{div.Value(), kl})
}
