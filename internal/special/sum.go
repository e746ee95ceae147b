package special

import "math"

// Sum is a compensated (Kahan–Babuška–Neumaier) running sum: its error
// stays at a few ulps of the result however many terms are added, where a
// plain sum over n terms can lose log₂ n bits. The zero value is an empty
// sum.
type Sum struct {
	s, c float64
}

// Add adds v to the sum.
func (a *Sum) Add(v float64) {
	t := a.s + v
	if math.IsInf(t, 0) || math.IsNaN(t) {
		a.s = t // the compensation of an infinite sum is meaningless
		return
	}
	if abs(a.s) >= abs(v) {
		a.c += (a.s - t) + v
	} else {
		a.c += (v - t) + a.s
	}
	a.s = t
}

// Merge adds the sum b to a.
func (a *Sum) Merge(b Sum) {
	a.Add(b.s)
	a.Add(b.c)
}

// Value returns the sum.
func (a *Sum) Value() float64 {
	if math.IsInf(a.s, 0) || math.IsNaN(a.s) {
		return a.s
	}
	return a.s + a.c
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
