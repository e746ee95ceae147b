//go:build amd64 && !purego

package sparse

import "golang.org/x/sys/cpu"

// hasAVX2FMA and hasAVX512 are what this processor has of the
// instructions of vec_amd64.s: AVX2 and FMA for every loop, AVX-512F too
// for the eight-lane ones.
var (
	hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512  = hasAVX2FMA && cpu.X86.HasAVX512F
)

// useAVX2FMA is whether the kernels run the assembly (tests switch it
// with usePath).
var useAVX2FMA = hasAVX2FMA

// useAVX512 is whether the kernels run their eight-lane (AVX-512F) loops:
// the ratio kernel, CD's gather and its coordinate passes. On this
// project's AMD EPYC, whose AVX-512 is full width, they took StepSums
// from 0.33 to 0.21 ns a rate, GradSums from 0.14 to 0.08, the two-sided
// pass 8–12 % faster. They were measured on no processor that lowers its
// clock for 512-bit work; GODEBUG=cpu.avx512f=off (read by
// golang.org/x/sys/cpu at start-up) keeps a program on the four-lane
// loops.
var useAVX512 = hasAVX512

// ratioAccumAVX2 is ratioAccum in AVX2/FMA assembly (vec_amd64.s): the
// dot product sixteen, four, then one product at a time in four 4-lane
// accumulators summed at the end, the update a fused multiply-add, the
// rows of later entries prefetched.
//
//go:noescape
func ratioAccumAVX2(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int)

// ratioAccumAVX512 is ratioAccumAVX2 in AVX-512F assembly
// (vec_amd64.s), eight lanes wide, the row's tail under a lane mask.
//
//go:noescape
func ratioAccumAVX512(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int)

// gatherRowsAVX2 is GatherRows in AVX2/FMA assembly (vec_amd64.s) for
// len(idx) a positive multiple of 4 and K = len(f) ≥ 1.
//
//go:noescape
func gatherRowsAVX2(gt, mu, g, f []float64, idx []int32, stride int)

// gatherRowsAVX512 is GatherRows in AVX-512F assembly (vec_amd64.s) for
// len(idx) a positive multiple of 8 and K = len(f) ≥ 1.
//
//go:noescape
func gatherRowsAVX512(gt, mu, g, f []float64, idx []int32, stride int)

// coordSumsAVX2 is StepSums (step) and GradSums (!step: mu and prev
// unread) in AVX2/FMA assembly (vec_amd64.s), over len(next) elements,
// sixteen at a time in AVX-512F first when wide.
//
//go:noescape
func coordSumsAVX2(mu, inv, x, prev, next []float64, delta float64, step, wide bool) (grad, hess, peak float64)

// kernelPaths names the paths of the kernels this processor can run,
// for tests that compare them: "go", "avx2" with AVX2 and FMA, "avx512"
// with AVX-512F too.
func kernelPaths() []string {
	paths := []string{"go"}
	if hasAVX2FMA {
		paths = append(paths, "avx2")
	}
	if hasAVX512 {
		paths = append(paths, "avx512")
	}
	return paths
}

// usePath switches the kernels to the named path of kernelPaths, or
// back to the processor's best with "".
func usePath(path string) {
	useAVX2FMA = path != "go" && hasAVX2FMA
	useAVX512 = path != "go" && path != "avx2" && hasAVX512
}
