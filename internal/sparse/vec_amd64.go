//go:build amd64 && !purego

package sparse

import "golang.org/x/sys/cpu"

// useAVX2FMA is whether this processor has the instructions of
// vec_amd64.s.
var useAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotAVX2 returns Σ_k x[k]·y[k] for len(x) ≥ 4 and len(y) ≥ len(x):
// sixteen products at a time in four 4-lane FMA accumulators, then four
// at a time, then one at a time into the first lane, the lanes summed at
// the end. Implemented in vec_amd64.s.
//
//go:noescape
func dotAVX2(x, y []float64) float64

// axpyAVX2 adds alpha·x to y for len(x) ≥ 4 and len(y) ≥ len(x), sixteen,
// then four, then one element at a time, each a fused multiply-add.
// Implemented in vec_amd64.s.
//
//go:noescape
func axpyAVX2(alpha float64, x, y []float64)

// forceGo switches the kernels to the Go loops (on) or back to the
// processor's best path, for tests that compare the two.
func forceGo(on bool) { useAVX2FMA = !on && cpu.X86.HasAVX2 && cpu.X86.HasFMA }
