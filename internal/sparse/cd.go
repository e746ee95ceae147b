package sparse

// Coordinate descent for the KL divergence (mle's CD) updates one entry of
// a factor at a time. A row's update gathers the other factor's rows for
// the row's non-zeros once, transposed so that each coordinate reads one
// contiguous column (GatherRows), then runs over the rates of the row's
// non-zeros once per coordinate: the step for one coordinate and the
// Newton sums for the next in the same pass (StepSums), or the sums alone
// when a coordinate does not move (GradSums). These are those loops, in
// AVX2/FMA assembly where the processor has it (four lanes wide, one
// division per four rates), in Go otherwise (the reference, under the
// purego tag too); as for the kernel, the two paths agree to rounding and
// each gives the same bits for any number of workers.

// GatherRows copies the rows of g (K = len(f) wide) that a row's
// non-zeros point at into gt transposed, and computes the rates:
//
//	gt[j·m + e] = g[idx[e]·K + j]     for j < K, e < m = len(idx)
//	mu[e]       = Σ_j f[j]·g[idx[e]·K + j]
//
// gt holds at least K·m elements, mu at least m; every idx[e] is a row of
// g. The assembly takes the entries four at a time (a 4 × 4 transpose in
// registers, four dot products side by side), the Go loop one at a time;
// the sums agree to rounding.
func GatherRows(gt, mu, g, f []float64, idx []int32) {
	k, m := len(f), len(idx)
	_, _ = gt[:k*m], mu[:m]
	done := 0
	if useAVX2FMA && k > 0 {
		done = m &^ 3
		if done > 0 {
			gatherRowsAVX2(gt, mu, g, f, idx[:done], m)
		}
	}
	gatherRowsGo(gt, mu, g, f, idx, m, done)
}

// GradSums returns the data parts of the gradient and curvature of a
// coordinate's Newton step and the largest relative sensitivity of a
// rate to the step,
//
//	grad = Σ_e g[e]·ratio_e,  hess = Σ_e g[e]·ratio_e·g[e]·inv[e],
//	peak = max_e g[e]·inv[e],  ratio_e = x[e]·inv[e],
//
// for g the other factor's column over a row's non-zeros, x their counts
// and inv = 1/μ. x and inv are at least as long as g; g ≥ 0.
func GradSums(g, x, inv []float64) (grad, hess, peak float64) {
	if useAVX2FMA {
		return gradSumsAVX2(g, x, inv)
	}
	return gradSumsGo(g, x, inv)
}

// StepSums moves the rates μ of a row's non-zeros by a step delta in one
// coordinate, μ += delta·prev (fused), keeps inv = 1/μ beside them, and
// returns GradSums(next, x, inv) at the new rates: the sums of the next
// coordinate, whose column is next, from the same pass. inv, x, prev and
// next are at least as long as mu.
func StepSums(mu, inv, x, prev, next []float64, delta float64) (grad, hess, peak float64) {
	if useAVX2FMA {
		return stepSumsAVX2(mu, inv, x, prev, next, delta)
	}
	return stepSumsGo(mu, inv, x, prev, next, delta)
}

// gatherRowsGo is GatherRows in Go for the entries from done on (all of
// them, done = 0, as the reference), with m the stride of gt.
func gatherRowsGo(gt, mu, g, f []float64, idx []int32, m, done int) {
	k := len(f)
	for e := done; e < len(idx); e++ {
		o := int(idx[e])
		row := g[o*k : (o+1)*k]
		var v float64
		for j, gv := range row {
			v += f[j] * gv
			gt[j*m+e] = gv
		}
		mu[e] = v
	}
}

// gradSumsGo is GradSums in Go, in four partial sums.
func gradSumsGo(g, x, inv []float64) (grad, hess, peak float64) {
	x, inv = x[:len(g)], inv[:len(g)]
	var s [4]float64
	var h [4]float64
	for e, gv := range g {
		q := x[e] * inv[e] * gv
		gi := gv * inv[e]
		s[e&3] += q
		h[e&3] += q * gi
		peak = max(peak, gi)
	}
	return (s[0] + s[1]) + (s[2] + s[3]), (h[0] + h[1]) + (h[2] + h[3]), peak
}

// stepSumsGo is StepSums in Go: one division per rate.
func stepSumsGo(mu, inv, x, prev, next []float64, delta float64) (grad, hess, peak float64) {
	inv, x, prev, next = inv[:len(mu)], x[:len(mu)], prev[:len(mu)], next[:len(mu)]
	var s [4]float64
	var h [4]float64
	for e := range mu {
		v := mu[e] + delta*prev[e]
		iv := 1 / v
		mu[e], inv[e] = v, iv
		gv := next[e]
		q := x[e] * iv * gv
		gi := gv * iv
		s[e&3] += q
		h[e&3] += q * gi
		peak = max(peak, gi)
	}
	return (s[0] + s[1]) + (s[2] + s[3]), (h[0] + h[1]) + (h[2] + h[3]), peak
}
