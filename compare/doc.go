// Package compare checks numerically that Poisson maximum likelihood and
// the generalized KL divergence are one objective up to a constant of the
// data. (Fitting HPF and KL-NMF side by side is evaluation.SideBySide.)
//
// docs/MATH.md section 1:
//
//	NLL(X; μ) = Σ_ij [μ_ij − x_ij log μ_ij + log Γ(x_ij + 1)]
//	D(X ‖ μ)  = Σ_ij [x_ij log(x_ij / μ_ij) − x_ij + μ_ij]
//	NLL − D   = C(X) = Σ_ij [log Γ(x_ij + 1) − x_ij log x_ij + x_ij]
//
// Evaluate computes these objectives over the non-zeros plus Σ μ, with
// compensated sums, for any model.Rates: factors W Hᵀ (model.Factors), an
// HPF posterior, or a rate function (FuncRates). C(X) is the matrix's own
// (model.Counts.DataConstant). The checks (Run, or each Check function)
// return reports with the numbers, the largest deviations and a verdict at
// a tolerance; AssertEquivalent turns them into a test helper. The checks
// along a fit and at the argmin run the package mle's multiplicative
// updates, whose iterates and fixed points are what they check.
package compare
