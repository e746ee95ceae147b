package special

import "math"

// LogGamma returns log Γ(x) for x > 0, where Γ is positive and the sign
// math.Lgamma returns is always +1: the one place the library drops it.
func LogGamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
