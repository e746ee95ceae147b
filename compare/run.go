package compare

import (
	"context"

	"github.com/poisfact/poisfact/model"
)

// Settings configures Run and each Check function (nil means the
// defaults). The zero value of every field means the
// documented default.
type Settings struct {
	// K is the rank of the random factorizations and of the fit. Zero
	// means 5.
	K int
	// Trials is the number of random factorizations. Zero means 100.
	Trials int
	// FitIterations is the number of MU iterations checked. Zero means 200.
	FitIterations int
	// Seed seeds every random draw.
	Seed uint64
	// Workers is the number of goroutines of the MU fit. Zero means all
	// cores.
	Workers int
	// Tol bounds the relative deviations of the identity checks. Zero
	// means 1e-9.
	Tol float64
	// GradTol bounds the relative deviation of the gradient and argmin
	// checks. Zero means 1e-6.
	GradTol float64
	// SmallRows and SmallCols bound the submatrix (the heaviest rows and
	// columns) on which Run runs the gradient and argmin checks, since
	// they evaluate the objective many times. Zero means 80 and 120.
	SmallRows, SmallCols int
	// StationaryK is the rank of the stationarity check. Zero means 3.
	StationaryK int
}

// resolved returns the settings with their defaults; nil means all
// defaults.
func (s *Settings) resolved() Settings {
	var d Settings
	if s != nil {
		d = *s
	}
	return d.withDefaults()
}

// CheckIdentityRandom checks NLL − D = C(X) to Tol for Trials random
// positive factorizations of rank K (Seed).
func CheckIdentityRandom(x *model.Counts, s *Settings) Check {
	c := s.resolved()
	return identityRandom(x, c.K, c.Trials, c.Seed, c.Tol)
}

// CheckIdentityAlongFit checks NLL − D = C(X) to Tol at every iterate of a
// FitIterations-iteration MU fit of rank K (Seed, Workers).
func CheckIdentityAlongFit(ctx context.Context, x *model.Counts, s *Settings) (Check, error) {
	c := s.resolved()
	return identityAlongFit(ctx, x, c.K, c.FitIterations, c.Seed, c.Workers, c.Tol)
}

// CheckGradients checks the analytic gradient against central differences
// of NLL and of D to GradTol at a random rank-K point (Seed).
func CheckGradients(x *model.Counts, s *Settings) Check {
	c := s.resolved()
	return gradientsCheck(x, c.K, c.Seed, c.GradTol)
}

// CheckNormalized checks that D equals the ordinary KL divergence when
// X and μ are normalized to sum to one, to Tol, at a random rank-K point.
func CheckNormalized(x *model.Counts, s *Settings) Check {
	c := s.resolved()
	return normalizedCheck(x, c.K, c.Seed, c.Tol)
}

// CheckArgminIndependence checks at K = 1 that the maximum likelihood
// rates are the closed-form independence model, reached by MU and by
// L-BFGS, to GradTol.
func CheckArgminIndependence(ctx context.Context, x *model.Counts, s *Settings) (Check, error) {
	c := s.resolved()
	return argminIndependence(ctx, x, c.Seed, c.GradTol)
}

// CheckArgminStationary checks that MU's converged point at rank
// StationaryK is stationary for the NLL (L-BFGS from it lowers D by at
// most GradTol relative).
func CheckArgminStationary(ctx context.Context, x *model.Counts, s *Settings) (Check, error) {
	c := s.resolved()
	return argminStationary(ctx, x, c.StationaryK, c.Seed, c.GradTol)
}

func (s Settings) withDefaults() Settings {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.K, 5)
	def(&s.Trials, 100)
	def(&s.FitIterations, 200)
	def(&s.SmallRows, 80)
	def(&s.SmallCols, 120)
	def(&s.StationaryK, 3)
	if s.Tol == 0 {
		s.Tol = 1e-9
	}
	if s.GradTol == 0 {
		s.GradTol = 1e-6
	}
	return s
}

// Run runs every check of docs/MATH.md section 1 on x: the identity for
// random factorizations and along an MU fit (on all of x), the gradients,
// both argmin checks (K = 1 and K = 3) and the normalized case (on the
// heaviest SmallRows × SmallCols submatrix).
func Run(ctx context.Context, x *model.Counts, settings *Settings) (*Report, error) {
	s := settings.resolved()
	n, p := x.Dims()
	rep := &Report{Rows: n, Cols: p, NNZ: x.NNZ(), CX: x.DataConstant()}
	rep.Checks = append(rep.Checks, CheckIdentityRandom(x, &s))
	along, err := CheckIdentityAlongFit(ctx, x, &s)
	if err != nil {
		return nil, err
	}
	rep.Checks = append(rep.Checks, along)
	small, err := heaviest(x, s.SmallRows, s.SmallCols)
	if err != nil {
		return nil, err
	}
	rep.Checks = append(rep.Checks, CheckGradients(small, &s))
	ind, err := CheckArgminIndependence(ctx, small, &s)
	if err != nil {
		return nil, err
	}
	stat, err := CheckArgminStationary(ctx, small, &s)
	if err != nil {
		return nil, err
	}
	rep.Checks = append(rep.Checks, ind, stat, CheckNormalized(x, &s))
	rep.Passed = true
	for _, c := range rep.Checks {
		rep.Passed = rep.Passed && c.Passed
	}
	return rep, nil
}
