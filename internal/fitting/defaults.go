package fitting

import (
	"fmt"
	"math"
	"runtime"
)

// Loop points at the iteration settings that CAVI and the MLE fits share.
type Loop struct {
	K int
	// FactorArrays is the number of float64 arrays of K values per row
	// and per column the fit holds, for CheckFactorMemory.
	FactorArrays                 int
	MaxIter, MinIter, CheckEvery *int
	Tol                          *float64
	Workers                      *int
}

// Defaults validates the shared settings of a fit of an n × p matrix
// with nnz non-zeros and fills their
// zero values with the documented defaults: MaxIter 1000, MinIter 10,
// Tol 1e-6, CheckEvery 1, Workers runtime.GOMAXPROCS(0). pkg prefixes the
// errors.
func (l Loop) Defaults(pkg string, n, p, nnz int) error {
	switch {
	case l.K <= 0:
		return fmt.Errorf("%s: K = %d: want K ≥ 1", pkg, l.K)
	case *l.MaxIter < 0, *l.MinIter < 0, *l.CheckEvery < 0, *l.Workers < 0:
		return fmt.Errorf("%s: MaxIter, MinIter, CheckEvery and Workers must not be negative", pkg)
	case math.IsNaN(*l.Tol) || math.IsInf(*l.Tol, 0):
		return fmt.Errorf("%s: Tol = %v: want a finite number", pkg, *l.Tol)
	case nnz == 0:
		return fmt.Errorf("%s: the count matrix has no non-zeros", pkg)
	}
	if err := CheckFactorMemory(pkg, n, p, l.K, max(l.FactorArrays, 1)); err != nil {
		return err
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(l.MaxIter, 1000)
	def(l.MinIter, 10)
	def(l.CheckEvery, 1)
	def(l.Workers, runtime.GOMAXPROCS(0))
	if *l.Tol == 0 {
		*l.Tol = 1e-6
	}
	return nil
}
