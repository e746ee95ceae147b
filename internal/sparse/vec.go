package sparse

// The kernel's inner loop over the non-zeros of one row (or column),
// each non-zero two K-vector operations on a factor row picked by index:
// ratioAccum computes the rate S_ui as a dot product, the ratio, and adds
// the ratio times the row to an accumulator. On amd64 with AVX2 and FMA
// they run as assembly (vec_amd64.s), chosen at start-up from the
// processor's features: the whole row's loop in one call, fused
// multiply-adds four lanes wide, or eight (the row's tail under a lane
// mask) where the processor has AVX-512F, the next rows prefetched. Elsewhere, and under the purego
// build tag, they run as the Go loops below, which are also the reference
// the assembly is tested against. The paths round differently (the
// assembly fuses each multiply with its add and sums in four or eight
// lanes), so results agree to about 1e-15 relative between them; on one
// path, every result is the same for any number of workers.

// ratioAccum sets, for each entry j, with row = m[idx[j]·K:(idx[j]+1)·K]
// and K = len(acc),
//
//	s[j] = f · row,   and adds (x[j]/s[j])·row to acc if s[j] ≥ under.
//
// An entry whose s[j] is below under (or NaN) adds nothing and is
// counted in missed; the caller finds it in s and handles it.
// len(f) ≥ K ≥ 1; x and s hold at least len(idx) entries.
func ratioAccum(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int) {
	if useAVX512 {
		return ratioAccumAVX512(f, m, idx, x, acc, s, under)
	}
	if useAVX2FMA {
		return ratioAccumAVX2(f, m, idx, x, acc, s, under)
	}
	return ratioAccumGo(f, m, idx, x, acc, s, under)
}

// ratioAccumGo is ratioAccum in Go.
func ratioAccumGo(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int) {
	k := len(acc)
	f = f[:k]
	for j, i := range idx {
		row := m[int(i)*k : (int(i)+1)*k]
		v := dotGo(f, row)
		s[j] = v
		if v >= under {
			axpyGo(x[j]/v, row, acc)
		} else {
			missed++
		}
	}
	return missed
}

// dotGo returns Σ_k x[k]·y[k], four partial sums to keep the adds
// independent; len(y) ≥ len(x).
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

// axpyGo adds alpha·x to y; len(x) ≥ len(y).
func axpyGo(alpha float64, x, y []float64) {
	x = x[:len(y)]
	for k, v := range x {
		y[k] += alpha * v
	}
}
