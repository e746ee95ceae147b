// Package evaluation measures and uses fitted models: held-out ranking
// metrics with a popularity baseline (docs/MATH.md section 4),
// recommendations, similar columns, the top columns of each factor,
// posterior credible intervals, and the choice of K by validation
// likelihood.
//
// Every fitted model enters as model.Rates: an HPF posterior (or its
// PointEstimate), KL-NMF factors (model.Factors) or the popularity
// baseline (Popularity), so that every table is computed by the same code.
package evaluation
