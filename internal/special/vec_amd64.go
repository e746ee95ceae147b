//go:build amd64 && !purego

package special

import "golang.org/x/sys/cpu"

// useAVX2FMA is whether this processor has the instructions of
// vec_amd64.s.
var useAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// logAVX2 sets dst[j] = log(src[j]) four at a time while every lane of a
// group is a positive normal finite number, and returns how many it set.
// Implemented in vec_amd64.s.
//
//go:noescape
func logAVX2(dst, src []float64) (done int)

// expAVX2 sets dst[j] = exp(src[j]) four at a time while every lane of a
// group is in [−708, 709], and returns how many it set. Implemented in
// vec_amd64.s.
//
//go:noescape
func expAVX2(dst, src []float64) (done int)

// digammaLogGammaAVX2 sets psi and lgamma from x four at a time while
// every lane of a group is in [1e-290, 1e300], and returns how many it
// set; see DigammaLogGammaTo. Implemented in vec_amd64.s.
//
//go:noescape
func digammaLogGammaAVX2(psi, lgamma, x []float64) (done int)

// forceGo switches LogTo and ExpTo to the math package (on) or back to
// the processor's best path, for tests that compare the two.
func forceGo(on bool) { useAVX2FMA = !on && cpu.X86.HasAVX2 && cpu.X86.HasFMA }
