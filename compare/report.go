package compare

import (
	"fmt"
	"io"
	"math"
)

// Check is the outcome of one numerical check.
type Check struct {
	// Name says what was checked.
	Name string `json:"name"`
	// Passed is true when every deviation is within the tolerance.
	Passed bool `json:"passed"`
	// MaxAbsDeviation and MaxRelDeviation are the largest deviations
	// found, absolute and relative to the reference quantity named in
	// Detail.
	MaxAbsDeviation float64 `json:"max_abs_deviation"`
	MaxRelDeviation float64 `json:"max_rel_deviation"`
	// Tolerance is the bound on MaxRelDeviation.
	Tolerance float64 `json:"tolerance"`
	// Trials is the number of comparisons made.
	Trials int `json:"trials"`
	// Values holds the compared numbers where they are few (per trial
	// differences, objectives along a fit, ...).
	Values []float64 `json:"values,omitempty"`
	// Detail says what the deviation is relative to and how the
	// comparison was made.
	Detail string `json:"detail"`
}

// deviations accumulates the largest absolute and relative deviations of
// pairs (got, want) with a scale for the relative one.
type deviations struct {
	abs, rel float64
	n        int
}

// add records |got − want|, absolute and relative to |scale|. An exact
// match is a relative deviation of 0 even when the scale is 0 (the KL
// divergence of a 1 × 1 matrix at its optimum), not 0/0.
func (d *deviations) add(got, want, scale float64) {
	a := math.Abs(got - want)
	r := a / math.Abs(scale)
	if a == 0 {
		r = 0
	}
	if math.IsNaN(a) {
		a, r = math.Inf(1), math.Inf(1)
	}
	d.abs = math.Max(d.abs, a)
	d.rel = math.Max(d.rel, r)
	d.n++
}

func (d *deviations) check(name string, tol float64, detail string, values []float64) Check {
	return Check{
		Name: name, Passed: d.rel <= tol, MaxAbsDeviation: d.abs, MaxRelDeviation: d.rel,
		Tolerance: tol, Trials: d.n, Values: values, Detail: detail,
	}
}

// Report gathers the checks run on one count matrix.
type Report struct {
	Rows int `json:"rows"`
	Cols int `json:"cols"`
	NNZ  int `json:"nnz"`
	// CX is the constant C(X).
	CX     float64 `json:"c_x"`
	Checks []Check `json:"checks"`
	// Passed is true when every check passed.
	Passed bool `json:"passed"`
}

// Print writes the report as a table, one line per check.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "X: %d × %d, %d non-zeros, C(X) = %.10g\n", r.Rows, r.Cols, r.NNZ, r.CX)
	for _, c := range r.Checks {
		verdict := "pass"
		if !c.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%-4s %-44s max |Δ| %-10.3g max rel %-10.3g tol %-8.1g (%d trials)\n     %s\n", verdict, c.Name, c.MaxAbsDeviation, c.MaxRelDeviation, c.Tolerance, c.Trials, c.Detail)
	}
	verdict := "all checks passed"
	if !r.Passed {
		verdict = "some checks FAILED"
	}
	fmt.Fprintln(w, verdict)
}
