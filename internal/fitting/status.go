// Package fitting holds what the fitting algorithms share beyond the
// sparse kernel: why a fit stopped, and the stopping rule.
package fitting

import "fmt"

// Status says why a fit stopped. The packages that fit models re-export
// it (inference.Status, mle.Status).
type Status int

const (
	// Converged: the relative change of the tracked objective fell below
	// the tolerance.
	Converged Status = iota + 1
	// MaxIterations: the maximum number of iterations ran.
	MaxIterations
	// Cancelled: the context was cancelled; the result holds the
	// parameters after the last complete iteration.
	Cancelled
)

// String returns the status as the command-line tool prints it.
func (s Status) String() string {
	switch s {
	case Converged:
		return "converged"
	case MaxIterations:
		return "max-iterations"
	case Cancelled:
		return "cancelled"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}
