package compare

import (
	"context"

	"github.com/poisfact/poisfact/model"
)

// Settings configures Run. The zero value of every field means the
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
	// columns) on which the gradient and argmin checks run, since they
	// evaluate the objective many times. Zero means 80 and 120.
	SmallRows, SmallCols int
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
	var s Settings
	if settings != nil {
		s = *settings
	}
	s = s.withDefaults()
	n, p := x.Dims()
	rep := &Report{Rows: n, Cols: p, NNZ: x.NNZ(), CX: x.DataConstant()}
	rep.Checks = append(rep.Checks, CheckIdentityRandom(x, s.K, s.Trials, s.Seed, s.Tol))
	along, err := CheckIdentityAlongFit(ctx, x, s.K, s.FitIterations, s.Seed, s.Workers, s.Tol)
	if err != nil {
		return nil, err
	}
	rep.Checks = append(rep.Checks, along)
	small, err := heaviest(x, s.SmallRows, s.SmallCols)
	if err != nil {
		return nil, err
	}
	rep.Checks = append(rep.Checks, CheckGradients(small, s.K, s.Seed, s.GradTol))
	ind, err := CheckArgminIndependence(ctx, small, s.Seed, s.GradTol)
	if err != nil {
		return nil, err
	}
	stat, err := CheckArgminStationary(ctx, small, 3, s.Seed, s.GradTol)
	if err != nil {
		return nil, err
	}
	rep.Checks = append(rep.Checks, ind, stat, CheckNormalized(x, s.K, s.Seed, s.Tol))
	rep.Passed = true
	for _, c := range rep.Checks {
		rep.Passed = rep.Passed && c.Passed
	}
	return rep, nil
}
