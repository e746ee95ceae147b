//go:build !amd64 || purego

package sparse

// useAVX2FMA is false: the Go loops run.
const useAVX2FMA = false

func dotAVX2(x, y []float64) float64 { panic("sparse: no AVX2 on this build") }

func axpyAVX2(alpha float64, x, y []float64) { panic("sparse: no AVX2 on this build") }

// forceGo is a no-op: the Go loops are the only path.
func forceGo(on bool) {}
