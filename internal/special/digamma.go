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
// Digamma and math.Lgamma would each do their own), and the logarithms
// run four at a time (LogTo). Each value has an absolute error below
// 1e-14·max(1, |value|): the fraction below rounds a few times more than
// Digamma's sum, and the shift subtracts log P from log Γ(x + m), which
// is 13 to 20, so log Γ is off by tens of ulps of 1 at worst (relative
// accuracy is lost near its zeros at 1 and 2, which does not matter in a
// sum). An x ≤ 0 or NaN gives NaN, NaN; +Inf gives +Inf, +Inf.
//
// Below 10 both recurrences shift x by m to reach x + m ≥ 10:
//
//	ψ(x) = ψ(x + m) − Σ_j 1/(x + j),   log Γ(x) = log Γ(x + m) − log Π_j (x + j),
//
// with the sum kept as one fraction N/P over the product P (no division
// per step, one at the end), at most ten steps (enough for any x > 0; an
// x ≤ 0 gives NaN whatever the shift did), four lanes at a time where the
// processor has AVX2 (gammaShiftAVX2). Above, Digamma's series, and Stirling's
// (DLMF 5.11.1)
//
//	log Γ(x) ~ (x − ½) log x − x + ½ log 2π + Σ_{k≥1} B_{2k} / (2k(2k−1) x^{2k−1})
//
// with the eight terms k = 1..8 (B_16 = −3617/510): at x ≥ 10 the first
// omitted one is below 2e-18.
func DigammaLogGammaTo(psi, lgamma, x []float64) {
	const block = 64
	var xs, ratio, prod, logX, logProd [block]float64
	psi, lgamma = psi[:len(x)], lgamma[:len(x)]
	for lo := 0; lo < len(x); lo += block {
		n := min(block, len(x)-lo)
		copy(xs[:n], x[lo:lo+n])
		done := 0
		if useAVX2FMA {
			done = n &^ 3
			gammaShiftAVX2(xs[:done], ratio[:done], prod[:done])
		}
		for j := done; j < n; j++ {
			v, num, p := xs[j], 0.0, 1.0
			for t := 0; t < 10 && v < digammaAsymptoticMin; t++ { // NaN: no shift
				num = num*v + p
				p *= v
				v++
			}
			xs[j], ratio[j], prod[j] = v, num, p
		}
		for j := range n {
			ratio[j] /= prod[j] // Σ 1/(x + i) = num / prod
		}
		LogTo(logX[:n], xs[:n])
		LogTo(logProd[:n], prod[:n])
		for j := range n {
			v, lx := xs[j], logX[j]
			switch orig := x[lo+j]; {
			case !(orig > 0):
				psi[lo+j], lgamma[lo+j] = math.NaN(), math.NaN()
				continue
			case math.IsInf(orig, 1):
				psi[lo+j], lgamma[lo+j] = orig, orig
				continue
			}
			inv := 1 / v
			w := inv * inv
			series := w * (1.0/12 - w*(1.0/120-w*(1.0/252-w*(1.0/240-w*(1.0/132-w*(691.0/32760-w*(1.0/12)))))))
			stirling := (1.0/12 - w*(1.0/360-w*(1.0/1260-w*(1.0/1680-w*(1.0/1188-w*(691.0/360360-w*(1.0/156-w*(3617.0/122400)))))))) * inv
			psi[lo+j] = lx - 0.5*inv - series - ratio[j]
			lgamma[lo+j] = (v-0.5)*lx - v + halfLog2Pi + stirling - logProd[j]
		}
	}
}
