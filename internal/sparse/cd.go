package sparse

// Coordinate descent for the KL divergence (mle's CD) updates one entry of
// a factor at a time. A row's update gathers the other factor's rows for
// the row's non-zeros once, transposed so that each coordinate reads one
// contiguous column (GatherRows), then runs over the rates of the row's
// non-zeros once per coordinate: the step for one coordinate and the
// Newton sums for the next in the same pass (StepSums), or the sums alone
// when a coordinate does not move (GradSums). These are those loops, in
// AVX2/FMA assembly where the processor has it (four lanes wide, one
// division for eight rates where their products allow it; eight lanes
// wide first where it has AVX-512F), in Go
// otherwise (the reference, under the purego tag too); as for the kernel,
// the two paths agree to rounding and each gives the same bits for any
// number of workers.

// GatherRows copies the rows of g (K = len(f) wide) that a row's
// non-zeros point at into gt transposed, each column stride elements
// apart, and computes the rates:
//
//	gt[j·stride + e] = g[idx[e]·K + j]     for j < K, e < m = len(idx)
//	mu[e]            = Σ_j f[j]·g[idx[e]·K + j]
//
// stride ≥ m (GatherStride(m) is the one to use), gt holds at least
// (K−1)·stride + m elements, mu at least m; every idx[e] is a row of g.
// The assembly takes the entries eight at a time where the processor has
// AVX-512F (an 8 × 8 transpose in registers, eight dot products side by
// side), then four at a time (4 × 4), the Go loop the rest one at a
// time; the sums agree to rounding.
func GatherRows(gt, mu, g, f []float64, idx []int32, stride int) {
	k, m := len(f), len(idx)
	if k == 0 {
		return
	}
	_, _ = gt[:(k-1)*stride+m], mu[:m]
	done := 0
	if useAVX512 {
		done = m &^ 7
		if done > 0 {
			gatherRowsAVX512(gt, mu, g, f, idx[:done], stride)
		}
	}
	if useAVX2FMA {
		if four := (m - done) &^ 3; four > 0 {
			gatherRowsAVX2(gt[done:], mu[done:], g, f, idx[done:done+four], stride)
			done += four
		}
	}
	gatherRowsGo(gt, mu, g, f, idx, stride, done)
}

// GatherStride returns the distance between GatherRows' columns for m
// entries: m rounded up to a whole number of 64-byte lines, and to an odd
// number of them. The columns of one entry then fall into different sets
// of a cache whatever K is (up to the cache's number of sets): with a
// stride of m itself, m = 128 (1 KB) put every fourth column into the
// same set, and the gather ran three times slower than at m = 64 or 1000.
func GatherStride(m int) int {
	lines := (m + 7) / 8
	return 8 * (lines | 1)
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
		return coordSumsAVX2(g, inv, x, g, g, 0, false, useAVX512)
	}
	return gradSumsGo(g, x, inv)
}

// StepSums moves the rates μ of a row's non-zeros by a step delta in one
// coordinate, μ += delta·prev (fused), keeps inv = 1/μ beside them, and
// returns GradSums(next, x, inv) at the new rates: the sums of the next
// coordinate, whose column is next, from the same pass. inv, x, prev and
// next are at least as long as mu. The assembly's 1/μ is within 1.5 ulp
// of the quotient (see coordSumsAVX2), the Go loop's is the quotient.
func StepSums(mu, inv, x, prev, next []float64, delta float64) (grad, hess, peak float64) {
	if useAVX2FMA {
		return coordSumsAVX2(mu, inv, x, prev, next[:len(mu)], delta, true, useAVX512)
	}
	return stepSumsGo(mu, inv, x, prev, next, delta)
}

// gatherRowsGo is GatherRows in Go for the entries from done on (all of
// them, done = 0, as the reference).
func gatherRowsGo(gt, mu, g, f []float64, idx []int32, stride, done int) {
	k := len(f)
	for e := done; e < len(idx); e++ {
		o := int(idx[e])
		row := g[o*k : (o+1)*k]
		var v float64
		for j, gv := range row {
			v += f[j] * gv
			gt[j*stride+e] = gv
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

// stepSumsGo is StepSums in Go: the update, one division per rate, then
// GradSums' loop (the assembly does both in one pass).
func stepSumsGo(mu, inv, x, prev, next []float64, delta float64) (grad, hess, peak float64) {
	inv, prev = inv[:len(mu)], prev[:len(mu)]
	for e := range mu {
		mu[e] += delta * prev[e]
		inv[e] = 1 / mu[e]
	}
	return gradSumsGo(next[:len(mu)], x, inv)
}
