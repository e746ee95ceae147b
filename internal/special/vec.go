package special

import "math"

// LogTo sets dst[j] = log(src[j]) for every j < len(src); dst and src
// may be the same slice. ExpTo does the same for exp. They exist for the
// per-row and per-column work of a sweep, which takes a logarithm of
// every rate and shift and an exponential of every E log θ: one at a time
// through the math package these were a third of a CAVI sweep on
// newsgroups20. On amd64 with AVX2 and FMA they run four lanes at a time
// in assembly (vec_amd64.s), within 1 ulp of math.Log and math.Exp
// (tested); any group of four with an argument outside the range the
// lanes handle (for log, positive normal finite numbers; for exp,
// [−708, 709], where the result is normal), and every argument on other
// processors or under the purego build tag, goes through math.Log or
// math.Exp, so every input, 0, negative, subnormal, ±Inf or NaN, gets
// math's answer. Which path an element takes depends on the data alone.
func LogTo(dst, src []float64) { mapTo(dst, src, false) }

// ExpTo sets dst[j] = exp(src[j]) for every j < len(src); see LogTo.
func ExpTo(dst, src []float64) { mapTo(dst, src, true) }

// mapTo applies the four-lane assembly of log (or exp) and math's
// function to the groups it cannot take (see byLanes). The assembly is
// called by name, not through a function value, so that nothing passed
// escapes to the heap.
func mapTo(dst, src []float64, exp bool) {
	dst = dst[:len(src)]
	scalar, pad := math.Log, 1.0
	if exp {
		scalar, pad = math.Exp, 0
	}
	lanes := func(dst, src []float64) int {
		if exp {
			return expAVX2(dst, src)
		}
		return logAVX2(dst, src)
	}
	byLanes(len(src),
		func(lo int) int { return lanes(dst[lo:], src[lo:]) },
		func(lo int) bool {
			in, out := [4]float64{pad, pad, pad, pad}, [4]float64{}
			copy(in[:], src[lo:])
			if lanes(out[:], in[:]) < 4 {
				return false
			}
			copy(dst[lo:], out[:])
			return true
		},
		func(lo, hi int) {
			for j := lo; j < hi; j++ {
				dst[j] = scalar(src[j])
			}
		})
}

// byLanes covers the elements [0, n) of a four-lane computation: lanes(lo)
// runs the assembly from lo and returns how many elements it set, a
// multiple of four, stopping before a group with an argument it cannot
// take; scalar(lo, hi) does [lo, hi) in Go, for such a group and, without
// the assembly, for everything; tail(lo) runs the last n − lo < 4
// elements through the lanes in a group padded with an argument they
// take, and reports whether they could.
func byLanes(n int, lanes func(lo int) int, tail func(lo int) bool, scalar func(lo, hi int)) {
	i := 0
	if useAVX2FMA {
		for {
			i += lanes(i)
			if n-i < 4 {
				break
			}
			scalar(i, i+4)
			i += 4
		}
		if i < n && tail(i) {
			return
		}
	}
	scalar(i, n)
}
