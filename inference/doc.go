// Package inference fits hierarchical Poisson factorization (Gopalan,
// Hofman & Blei) to a count matrix by coordinate-ascent variational
// inference.
//
// CAVI runs the sweep of docs/MATH.md section 3 (φ, row weights, row
// activity, column weights, column popularity) without ever storing φ:
// the shared kernel in internal/sparse computes Σ_i x_ui φ_uik and
// Σ_u x_ui φ_uik in one ratio pass, with digamma and exp evaluated once per
// row and per column. The exact ELBO falls out of the same pass and is
// recorded every iteration. Work is spread over goroutines on fixed chunks,
// so a seed gives bit-for-bit the same posterior on any number of workers.
package inference
