// Package compare checks numerically that Poisson maximum likelihood and
// the generalized KL divergence are one objective up to a constant of the
// data, and puts the Bayesian (HPF) and maximum likelihood (KL-NMF) fits
// side by side.
//
// docs/MATH.md section 1:
//
//	NLL(X; μ) = Σ_ij [μ_ij − x_ij log μ_ij + log Γ(x_ij + 1)]
//	D(X ‖ μ)  = Σ_ij [x_ij log(x_ij / μ_ij) − x_ij + μ_ij]
//	NLL − D   = C(X) = Σ_ij [log Γ(x_ij + 1) − x_ij log x_ij + x_ij]
//
// Evaluate computes these objectives over the non-zeros plus Σ μ, with
// compensated sums, for factors W Hᵀ, an HPF posterior's point estimate
// or any rate function. The checks (Run, or each Check function) return
// reports with the numbers, the largest deviations and a verdict at a
// tolerance; AssertEquivalent turns them into a test helper. SideBySide
// fits HPF and KL-NMF on one split and tabulates held-out likelihoods,
// divergences, iterations and times.
package compare
