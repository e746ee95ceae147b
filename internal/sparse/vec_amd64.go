//go:build amd64 && !purego

package sparse

import "golang.org/x/sys/cpu"

// useAVX2FMA is whether this processor has the instructions of
// vec_amd64.s.
var useAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// useAVX512 is whether coordSumsAVX2 runs its eight-lane (AVX-512F)
// loops first: on a processor with full-width AVX-512 (AMD Zen 5) they
// took StepSums from 0.33 to 0.21 ns a rate and GradSums from 0.14 to
// 0.08 (BenchmarkStepSums, BenchmarkGradSums).
var useAVX512 = useAVX2FMA && cpu.X86.HasAVX512F

// ratioAccumAVX2 is ratioAccum in AVX2/FMA assembly (vec_amd64.s): the
// dot product sixteen, four, then one product at a time in four 4-lane
// accumulators summed at the end, the update a fused multiply-add, the
// rows of later entries prefetched.
//
//go:noescape
func ratioAccumAVX2(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int)

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

// forceGo switches the kernels to the Go loops (on) or back to the
// processor's best path, for tests that compare the two.
func forceGo(on bool) {
	useAVX2FMA = !on && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAVX512 = useAVX2FMA && cpu.X86.HasAVX512F
}

// forceNarrow keeps the assembly to its four-lane loops (on) or lets it
// use AVX-512 where the processor has it, for tests of both.
func forceNarrow(on bool) { useAVX512 = !on && useAVX2FMA && cpu.X86.HasAVX512F }

// vectorPaths names the assembly paths this processor can run: the
// four-lane one, and the eight-lane one where it has AVX-512F.
func vectorPaths() []bool {
	if cpu.X86.HasAVX512F {
		return []bool{false, true}
	}
	return []bool{false}
}
