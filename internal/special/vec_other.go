//go:build !amd64 || purego

package special

// useAVX2FMA is false: the math package runs.
const useAVX2FMA = false

func logAVX2(dst, src []float64) int { panic("special: no AVX2 on this build") }

func expAVX2(dst, src []float64) int { panic("special: no AVX2 on this build") }

func digammaLogGammaAVX2(psi, lgamma, x []float64) int { panic("special: no AVX2 on this build") }

// forceGo is a no-op: the math package is the only path.
func forceGo(on bool) {}
