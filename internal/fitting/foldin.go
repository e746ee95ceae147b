package fitting

// The defaults of both fold-ins (inference.FoldIn, mle.FoldIn): a fold-in
// is a fit with one side held, small and convex per row in the MLE case,
// so it runs to a tight tolerance on the same stopping rule as the fits.
const (
	// FoldInMaxIter bounds a fold-in's iterations.
	FoldInMaxIter = 10000
	// FoldInTol is the relative change of the objective at which a
	// fold-in has converged.
	FoldInTol = 1e-12
	// FoldInPatience is the number of successive stalls that stop an HPF
	// fold-in: near the optimum the ELBO's change is quadratic in the
	// parameters', so one stall of 1e-13 still leaves E[θ] 1.7e-6 from
	// its limit (pbmc_small, K = 4); five leave it within 1e-6.
	FoldInPatience = 5
)

// FoldInDefaults fills a fold-in's zero MaxIter and Tol with
// FoldInMaxIter and FoldInTol.
func FoldInDefaults(maxIter *int, tol *float64) {
	if *maxIter == 0 {
		*maxIter = FoldInMaxIter
	}
	if *tol == 0 {
		*tol = FoldInTol
	}
}
