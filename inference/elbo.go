package inference

// gammaELBOTerm returns one latent Gamma variable's share of the ELBO:
// the expected log prior under q plus the entropy of q,
//
//	E_q[log Gamma(v; α, R)] + H[q(v)]
//	  = α E[log R] − log Γ(α) + (α−1) E[log v] − E[R] E[v]
//	  + s − log r + log Γ(s) + (1 − s) ψ(s)
//
// for q(v) = Gamma(s, r), where E[v] = s/r, E[log v] = ψ(s) − log r and the
// prior's rate R is itself random (E[log R], E[R]) or fixed
// (E[log R] = log R). The caller passes log Γ(α), E[v], ψ(s), log Γ(s) and
// log r, which it has at hand (a sweep computes E[v] for the means
// anyway). Every level of HPF uses it: θ (α = a, R = ξ), ξ (α = a',
// R = a'/b'), β and η likewise.
func gammaELBOTerm(alpha, lgammaAlpha, eLogRate, eRate, s, ev, psiS, lgs, logR float64) float64 {
	elog := psiS - logR
	return alpha*eLogRate - lgammaAlpha + (alpha-1)*elog - eRate*ev +
		s - logR + lgs + (1-s)*psiS
}
