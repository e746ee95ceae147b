//go:build !amd64 || purego

package sparse

// useAVX2FMA is false: the Go loops run.
const useAVX2FMA = false

// useAVX512 is false: the Go loops run.
const useAVX512 = false

func ratioAccumAVX2(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int) {
	panic("sparse: no AVX2 on this build")
}

func ratioAccumAVX512(f, m []float64, idx []int32, x, acc, s []float64, under float64) (missed int) {
	panic("sparse: no AVX-512 on this build")
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

// kernelPaths is the one path, the Go loops.
func kernelPaths() []string { return []string{"go"} }

// usePath is a no-op: the Go loops are the only path.
func usePath(string) {}
