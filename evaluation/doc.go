// Package evaluation measures and uses fitted models: the popularity
// baseline for the held-out ranking metrics of model.Rank (docs/MATH.md
// section 4), recommendations, similar columns, the top columns of each factor,
// posterior credible intervals, and the choice of K by validation
// likelihood.
//
// Every fitted model enters as model.Rates: an HPF posterior (or its
// PointEstimate), KL-NMF factors (model.Factors) or the popularity
// baseline (Popularity), so that every table is computed by the same code.
package evaluation
