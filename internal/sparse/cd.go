package sparse

// Coordinate descent for the KL divergence (mle's CD) updates one entry of
// a factor at a time, and each update runs over the rates of one row's (or
// column's) non-zeros twice: once for the Newton step's sums, once to move
// every rate by the step. These are those two loops, in AVX2/FMA assembly
// where the processor has it (four lanes wide, one division per four
// rates instead of one per rate), in Go otherwise (the reference, under
// the purego tag too); as for the kernel, the two paths agree to rounding
// and each gives the same bits for any number of workers.

// GradSums returns Σ_e g[e]·ratio[e] and Σ_e g[e]²·ratio[e]·inv[e], the
// data parts of the gradient and curvature of a coordinate step, for g
// the other factor's column over a row's non-zeros, ratio = x/μ and
// inv = 1/μ. ratio and inv are at least as long as g.
func GradSums(g, ratio, inv []float64) (grad, hess float64) {
	if useAVX2FMA {
		return gradSumsAVX2(g, ratio, inv)
	}
	return gradSumsGo(g, ratio, inv)
}

// StepRates moves the rates μ of a row's non-zeros by a step delta in one
// coordinate, μ += delta·g, and keeps inv = 1/μ and ratio = x/μ beside
// them. inv, ratio, x and g are at least as long as mu.
func StepRates(mu, inv, ratio, x, g []float64, delta float64) {
	if useAVX2FMA {
		stepRatesAVX2(mu, inv, ratio, x, g, delta)
		return
	}
	stepRatesGo(mu, inv, ratio, x, g, delta)
}

// gradSumsGo is GradSums in Go, in four partial sums.
func gradSumsGo(g, ratio, inv []float64) (grad, hess float64) {
	ratio, inv = ratio[:len(g)], inv[:len(g)]
	var g0, g1, g2, g3, h0, h1, h2, h3 float64
	e := 0
	for ; e+4 <= len(g); e += 4 {
		q0, q1, q2, q3 := ratio[e]*g[e], ratio[e+1]*g[e+1], ratio[e+2]*g[e+2], ratio[e+3]*g[e+3]
		g0, g1, g2, g3 = g0+q0, g1+q1, g2+q2, g3+q3
		h0 += q0 * g[e] * inv[e]
		h1 += q1 * g[e+1] * inv[e+1]
		h2 += q2 * g[e+2] * inv[e+2]
		h3 += q3 * g[e+3] * inv[e+3]
	}
	for ; e < len(g); e++ {
		q := ratio[e] * g[e]
		g0 += q
		h0 += q * g[e] * inv[e]
	}
	return (g0 + g1) + (g2 + g3), (h0 + h1) + (h2 + h3)
}

// stepRatesGo is StepRates in Go: one division per rate.
func stepRatesGo(mu, inv, ratio, x, g []float64, delta float64) {
	inv, ratio, x, g = inv[:len(mu)], ratio[:len(mu)], x[:len(mu)], g[:len(mu)]
	for e, gv := range g {
		v := mu[e] + delta*gv
		iv := 1 / v
		mu[e], inv[e], ratio[e] = v, iv, x[e]*iv
	}
}
