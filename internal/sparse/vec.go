package sparse

// The kernel's two inner operations on K-vectors: a dot product (the
// rate S_ui of a non-zero) and a scaled accumulation (adding r_ui times
// a factor row). On amd64 with AVX2 and FMA they run as fused
// multiply-adds four lanes wide (vec_amd64.s), chosen at start-up from
// the processor's features; elsewhere, and under the purego build tag,
// they run as the Go loops below, which are also the reference the
// assembly is tested against. The two paths round differently (the
// assembly fuses each multiply with its add and sums in four lanes), so
// results agree to about 1e-15 relative between them; on one path, every
// result is the same for any number of workers.

// dot returns Σ_k x[k]·y[k]; len(y) ≥ len(x).
func dot(x, y []float64) float64 {
	if useAVX2FMA && len(x) >= 4 {
		return dotAVX2(x, y)
	}
	return dotGo(x, y)
}

// axpy adds alpha·x to y; len(y) ≥ len(x).
func axpy(alpha float64, x, y []float64) {
	if useAVX2FMA && len(x) >= 4 {
		axpyAVX2(alpha, x, y)
		return
	}
	axpyGo(alpha, x, y)
}

// dotGo is dot in Go, four partial sums to keep the adds independent.
func dotGo(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(x); k += 4 {
		s0 += x[k] * y[k]
		s1 += x[k+1] * y[k+1]
		s2 += x[k+2] * y[k+2]
		s3 += x[k+3] * y[k+3]
	}
	for ; k < len(x); k++ {
		s0 += x[k] * y[k]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyGo is axpy in Go.
func axpyGo(alpha float64, x, y []float64) {
	y = y[:len(x)]
	for k, v := range x {
		y[k] += alpha * v
	}
}
