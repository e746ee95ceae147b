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

// halfLog2Pi is ½ log 2π, the constant of Stirling's series.
const halfLog2Pi = 0.91893853320467274178

// DigammaLogGamma returns ψ(x) and log Γ(x) for x > 0 together; see
// DigammaLogGammaTo, which it calls for one element.
func DigammaLogGamma(x float64) (psi, lgamma float64) {
	var p, l, in [1]float64
	in[0] = x
	DigammaLogGammaTo(p[:], l[:], in[:])
	return p[0], l[0]
}

// DigammaLogGammaTo sets psi[j] = ψ(x[j]) and lgamma[j] = log Γ(x[j]) for
// every j < len(x), for the ELBO's Gamma terms, which need both of every
// variational shape: one shift and one logarithm of x serve both (where
// Digamma and math.Lgamma would each do their own), four lanes at a time
// in AVX2/FMA assembly where the processor has it (for x in [1e-290,
// 1e300]; other groups, and other processors, take the same steps in Go).
// Each value has an absolute error below 1e-14·max(1, |value|): the
// fraction below rounds a few times more than Digamma's sum, and the
// shift subtracts log P from log Γ(x + m), which is 13 to 20, so log Γ is
// off by tens of ulps of 1 at worst (relative accuracy is lost near its
// zeros at 1 and 2, which does not matter in a sum). An x ≤ 0 or NaN
// gives NaN, NaN; +Inf gives +Inf, +Inf.
//
// Below 10 both recurrences shift x by an even m to reach x + m ≥ 10:
//
//	ψ(x) = ψ(x + m) − Σ_j 1/(x + j),   log Γ(x) = log Γ(x + m) − log Π_j (x + j),
//
// two steps at a time, at most five times (enough for any x > 0), with
// the sum kept as one fraction N/P over the product P (no division per
// step, one at the end):
//
//	q = x(x + 1),  N ← N·q + P·(2x + 1),  P ← P·q,  x ← x + 2.
//
// Above, Digamma's series, and Stirling's (DLMF 5.11.1)
//
//	log Γ(x) ~ (x − ½) log x − x + ½ log 2π + Σ_{k≥1} B_{2k} / (2k(2k−1) x^{2k−1})
//
// with the eight terms k = 1..8 (B_16 = −3617/510): at x ≥ 10 the first
// omitted one is below 2e-18.
func DigammaLogGammaTo(psi, lgamma, x []float64) {
	psi, lgamma = psi[:len(x)], lgamma[:len(x)]
	byLanes(len(x),
		func(lo int) int { return digammaLogGammaAVX2(psi[lo:], lgamma[lo:], x[lo:]) },
		func(lo int) bool {
			in, p, l := [4]float64{1, 1, 1, 1}, [4]float64{}, [4]float64{}
			copy(in[:], x[lo:])
			if digammaLogGammaAVX2(p[:], l[:], in[:]) < 4 {
				return false
			}
			copy(psi[lo:], p[:])
			copy(lgamma[lo:], l[:])
			return true
		},
		func(lo, hi int) {
			for j := lo; j < hi; j++ {
				psi[j], lgamma[j] = digammaLogGammaGo(x[j])
			}
		})
}

// digammaLogGammaGo is one element of DigammaLogGammaTo in Go.
func digammaLogGammaGo(x float64) (psi, lgamma float64) {
	switch {
	case !(x > 0):
		return math.NaN(), math.NaN()
	case math.IsInf(x, 1):
		return x, x
	}
	num, prod := 0.0, 1.0
	for t := 0; t < 5 && x < digammaAsymptoticMin; t++ {
		q := x * (x + 1)
		num = num*q + prod*(2*x+1)
		prod *= q
		x += 2
	}
	inv := 1 / x
	w := inv * inv
	lx := math.Log(x)
	series := w * (1.0/12 - w*(1.0/120-w*(1.0/252-w*(1.0/240-w*(1.0/132-w*(691.0/32760-w*(1.0/12)))))))
	stirling := (1.0/12 - w*(1.0/360-w*(1.0/1260-w*(1.0/1680-w*(1.0/1188-w*(691.0/360360-w*(1.0/156-w*(3617.0/122400)))))))) * inv
	psi = lx - 0.5*inv - series - num/prod
	lgamma = (x-0.5)*lx - x + halfLog2Pi + stirling - math.Log(prod)
	return psi, lgamma
}
