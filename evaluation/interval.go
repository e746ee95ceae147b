package evaluation

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/poisfact/poisfact/model"
)

// Interval is a central credible interval.
type Interval struct {
	Lo, Hi float64
	// Mean is the posterior mean.
	Mean float64
}

// checkLevel rejects levels outside (0, 1).
func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return fmt.Errorf("evaluation: credible level %v: want a number in (0, 1)", level)
	}
	return nil
}

// gammaInterval returns the central interval of Gamma(shape, rate) with
// the given mass, from its quantiles.
func gammaInterval(shape, rate, level float64) Interval {
	g := distuv.Gamma{Alpha: shape, Beta: rate}
	a := (1 - level) / 2
	return Interval{Lo: g.Quantile(a), Hi: g.Quantile(1 - a), Mean: shape / rate}
}

// ThetaInterval returns the central credible interval with mass level of
// θ_uk under q(θ_uk) = Gamma(γˢ_uk, γʳ_uk).
func ThetaInterval(q *model.Posterior, u, k int, level float64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	return gammaInterval(q.ThetaShape.At(u, k), q.ThetaRate.At(u, k), level), nil
}

// BetaInterval returns the central credible interval with mass level of
// β_ik under q(β_ik) = Gamma(λˢ_ik, λʳ_ik).
func BetaInterval(q *model.Posterior, i, k int, level float64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	return gammaInterval(q.BetaShape.At(i, k), q.BetaRate.At(i, k), level), nil
}

// RateInterval returns a central credible interval with mass level of the
// rate μ_ui = Σ_k θ_uk β_ik under the variational posterior, from draws
// independent samples of θ_u· and β_i· (seeded); its Mean is the exact
// posterior mean Σ_k E[θ_uk] E[β_ik].
func RateInterval(q *model.Posterior, u, i int, level float64, draws int, seed uint64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	if draws < 2 {
		return Interval{}, fmt.Errorf("evaluation: %d draws: want at least 2", draws)
	}
	k := q.K()
	src := rand.NewPCG(seed, uint64(u)<<32|uint64(i))
	g := distuv.Gamma{Src: src}
	samples := make([]float64, draws)
	for d := range samples {
		var mu float64
		for j := 0; j < k; j++ {
			g.Alpha, g.Beta = q.ThetaShape.At(u, j), q.ThetaRate.At(u, j)
			t := g.Rand()
			g.Alpha, g.Beta = q.BetaShape.At(i, j), q.BetaRate.At(i, j)
			mu += t * g.Rand()
		}
		samples[d] = mu
	}
	sort.Float64s(samples)
	a := (1 - level) / 2
	at := func(f float64) float64 { return samples[min(draws-1, int(f*float64(draws)))] }
	return Interval{Lo: at(a), Hi: at(1 - a), Mean: q.Rate(u, i)}, nil
}
