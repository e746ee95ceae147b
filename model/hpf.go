package model

import (
	"fmt"
	"math"
)

// HPF holds the hyperparameters of hierarchical Poisson factorization
// (Gopalan, Hofman & Blei; docs/MATH.md section 3):
//
//	ξ_u  ~ Gamma(a', a'/b')          activity of row u
//	θ_uk ~ Gamma(a, ξ_u)             row weights
//	η_i  ~ Gamma(c', c'/d')          popularity of column i
//	β_ik ~ Gamma(c, η_i)             column weights
//	x_ui ~ Poisson(Σ_k θ_uk β_ik)
//
// A zero field means its default, as WithDefaults fills in. The defaults
// of the weights' shapes, a = c = 1, were chosen by held-out measurement
// (README, "Held-out quality"): on four shared data sets they gave a
// better held-out log-likelihood than the paper's a = c = 0.3 and at
// least its ranking. The paper's prior is HPF{A: 0.3, C: 0.3}.
type HPF struct {
	// A is a, the shape of θ_uk. Zero means DefaultWeightShape.
	A float64 `json:"a"`
	// APrime is a', the shape of ξ_u. Zero means 0.3.
	APrime float64 `json:"a_prime"`
	// BPrime is b', the prior mean of ξ_u (its rate is a'/b'). Zero means 1.
	BPrime float64 `json:"b_prime"`
	// C is c, the shape of β_ik. Zero means DefaultWeightShape.
	C float64 `json:"c"`
	// CPrime is c', the shape of η_i. Zero means 0.3.
	CPrime float64 `json:"c_prime"`
	// DPrime is d', the prior mean of η_i (its rate is c'/d'). Zero means 1.
	DPrime float64 `json:"d_prime"`
	// NonHierarchical selects the non-hierarchical model of the same
	// paper: row activity and column popularity are fixed at their prior
	// means, ξ_u = b' and η_i = d', and are not inferred.
	NonHierarchical bool `json:"non_hierarchical"`
}

// DefaultWeightShape is the default of the shapes a of θ_uk and c of
// β_ik.
const DefaultWeightShape = 1.0

// WithDefaults returns h with every zero field set to its default.
func (h HPF) WithDefaults() HPF {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&h.A, DefaultWeightShape)
	def(&h.APrime, 0.3)
	def(&h.BPrime, 1)
	def(&h.C, DefaultWeightShape)
	def(&h.CPrime, 0.3)
	def(&h.DPrime, 1)
	return h
}

// Validate reports an error unless every hyperparameter of
// h.WithDefaults() is positive and finite.
func (h HPF) Validate() error {
	d := h.WithDefaults()
	for _, f := range []struct {
		name string
		v    float64
	}{{"a", d.A}, {"a'", d.APrime}, {"b'", d.BPrime}, {"c", d.C}, {"c'", d.CPrime}, {"d'", d.DPrime}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("model: hyperparameter %s = %v: want a positive finite number", f.name, f.v)
		}
	}
	return nil
}
