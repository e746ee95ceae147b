// Package mle fits Poisson maximum likelihood factorizations X ≈ W Hᵀ,
// which is NMF under the generalized KL divergence (docs/MATH.md sections
// 1 and 2).
//
// Two solvers share the sparse kernel of internal/sparse with CAVI:
// Lee–Seung multiplicative updates (MU, the reference: two ratio passes an
// iteration, each half-step never increases the divergence) and cyclic
// coordinate descent with one-variable Newton steps (CD, after Hsieh &
// Dhillon 2011), which reaches a converged divergence in far fewer passes.
// Both also fit the MAP variant with Gamma(α, b) priors on every entry of
// W and H. Every cost is O(nnz·K) per iteration; zeros enter only through
// column sums. A seed gives bit-for-bit the same fit on any number of
// workers.
package mle
