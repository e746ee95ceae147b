//go:build !amd64 || purego

package sparse

// useAVX2FMA is false: the Go loops run.
const useAVX2FMA = false

// useAVX512 is false: the Go loops run.
const useAVX512 = false

func ratioAccumAVX2(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int) {
	panic("sparse: no AVX2 on this build")
}

func gatherRowsAVX2(gt, mu, g, f []float64, idx []int32, stride int) {
	panic("sparse: no AVX2 on this build")
}

func gatherRowsAVX512(gt, mu, g, f []float64, idx []int32, stride int) {
	panic("sparse: no AVX-512 on this build")
}

func coordSumsAVX2(mu, inv, x, prev, next []float64, delta float64, step, wide bool) (grad, hess, peak float64) {
	panic("sparse: no AVX2 on this build")
}

// forceGo is a no-op: the Go loops are the only path.
func forceGo(on bool) {}

// forceNarrow is a no-op: the Go loops are the only path.
func forceNarrow(on bool) {}

// vectorPaths is the one path, the Go loops.
func vectorPaths() []bool { return []bool{false} }
