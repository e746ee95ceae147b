package main

import "gonum.org/v1/gonum/mat"

// column returns v as a one-column matrix.
func column(v []float64) *mat.Dense {
	return mat.NewDense(len(v), 1, append([]float64(nil), v...))
}
