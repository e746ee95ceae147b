package special

import "math"

// digammaAsymptoticMin is where the asymptotic series takes over: at x ≥ 10
// the first omitted term, 1/(12 x¹⁴), is below 8.4e-16, about two ulps of
// ψ(10) ≈ 2.25.
const digammaAsymptoticMin = 10

// Digamma returns ψ(x) = d/dx log Γ(x) for x > 0, with an absolute error of
// a few ulps of max(1, |ψ(x)|) over (1e-8, 1e12). It returns NaN for x ≤ 0
// or NaN and +Inf for +Inf.
//
// Below 10 it applies the recurrence (DLMF 5.5.2)
//
//	ψ(x) = ψ(x + m) − Σ_{j=0}^{m−1} 1/(x + j)
//
// to reach x + m ≥ 10, then the asymptotic expansion (DLMF 5.11.2)
//
//	ψ(x) ~ log x − 1/(2x) − Σ_{k≥1} B_{2k} / (2k x^{2k})
//
// with the seven terms k = 1..7 (Bernoulli numbers B_2 = 1/6, B_4 = −1/30,
// B_6 = 1/42, B_8 = −1/30, B_10 = 5/66, B_12 = −691/2730, B_14 = 7/6).
// gonum's mathext.Digamma is accurate to only about 1e-10 near x = 1,
// which shows in ELBO differences.
func Digamma(x float64) float64 {
	if !(x > 0) {
		return math.NaN()
	}
	if math.IsInf(x, 1) {
		return x
	}
	var shift float64
	for x < digammaAsymptoticMin {
		shift += 1 / x
		x++
	}
	w := 1 / (x * x)
	// −Σ B_2k/(2k) w^k in Horner form: coefficients B_2k/(2k).
	series := w * (1.0/12 - w*(1.0/120-w*(1.0/252-w*(1.0/240-w*(1.0/132-w*(691.0/32760-w*(1.0/12)))))))
	return math.Log(x) - 0.5/x - series - shift
}
