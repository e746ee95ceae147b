// Package sparse holds the one hot loop of poisfact: ratio passes over the
// non-zeros of a count matrix, shared by CAVI and the maximum-likelihood
// updates.
//
// Given row factors A (n × K), column factors B (p × K), both row-major,
// and counts X, a pass computes for each non-zero
//
//	S_ui = Σ_k A_uk B_ik,   r_ui = x_ui / S_ui
//
// and from them A ⊙ (R B) (a CSR pass over rows) and/or B ⊙ (Rᵀ A) (a CSC
// pass over columns), plus the objective's data term over the non-zeros
// (see Kernel). With
// A = exp(E log θ − max) and B = exp(E log β − max) the two products are
// Σ_i x_ui φ_uik and Σ_u x_ui φ_uik of hierarchical Poisson factorization;
// with A = W, B = H they are the numerators of the Lee–Seung updates. The
// package knows nothing of Gammas or divergences.
//
// No nnz × K buffer is ever formed, nor any per-non-zero state between
// the passes: the CSC pass computes each rate again (from a copy of the
// counts in column order, made once per kernel) instead of reading the
// CSR pass's ratios back, which measured faster than storing one ratio
// per non-zero at its scattered CSC position. Each row's (or column's)
// loop over its non-zeros runs as one AVX2/FMA assembly call where the
// processor has it, eight lanes wide where it has AVX-512F (see vec.go), and the data term's logarithms of a
// line's rates run four lanes at a time (special.LogTo). Rows are
// split among workers for the CSR pass and columns for the CSC pass, so
// every output has one owner and is summed in a fixed order; the
// returned sums are reduced over fixed chunks. Results are therefore
// bit-for-bit identical for any number of workers.
package sparse
