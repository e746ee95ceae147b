package inference

import (
	"fmt"
	"strings"
)

// Criterion is what the stopping rule watches (docs/MATH.md section 6):
// at every check its value is computed, the best check's parameters are
// kept and returned, and restarts are ranked by it. Larger is better.
type Criterion int

const (
	// CriterionDefault means CriterionValidation with a validation set,
	// CriterionELBO without.
	CriterionDefault Criterion = iota
	// CriterionValidation is the validation mean log-likelihood over the
	// held-out non-zeros and as many sampled zero cells
	// (model.HeldOutLogLik.Mean).
	CriterionValidation
	// CriterionValidationNonzero is the validation mean log-likelihood of
	// the held-out non-zeros alone (model.HeldOutLogLik.MeanNonzero).
	CriterionValidationNonzero
	// CriterionTrainLogLik is the Poisson log-likelihood of the training
	// counts under μ = E[θ] E[β]ᵀ, log x! included (masked cells left out).
	CriterionTrainLogLik
	// CriterionELBO is the exact ELBO, which CAVI never lowers.
	CriterionELBO
	// CriterionValidationNDCG is the NDCG at ValidationRankK of the
	// validation part (model.HeldOut.Rank): each row's columns without a
	// training entry ranked by μ = E[θ] E[β]ᵀ. It watches what a
	// recommender is judged by, which can keep improving long after the
	// validation log-likelihood has peaked; a check scores every column
	// of every row with validation entries, O(n·p·K), so on a matrix
	// with many rows and columns it costs far more than a sweep.
	CriterionValidationNDCG
)

// ValidationRankK is the length of the ranked lists that
// CriterionValidationNDCG scores, the k of the held-out tables.
const ValidationRankK = 10

// DefaultCheckEvery is how often, in sweeps, a log-likelihood criterion is
// checked by default.
const DefaultCheckEvery = 5

// DefaultPatience is the default number of checks of a log-likelihood
// criterion without improvement after which the fit stops. The
// validation log-likelihood can peak early, dip for tens of sweeps and
// then climb past its first peak (poliblog: a peak at sweep 35, a dip to
// sweep 50, passed at sweep 90); 10 checks of 5 sweeps wait through most
// such dips, and the best check is returned whatever follows it.
const DefaultPatience = 10

// DefaultMinIter is the default number of sweeps before the fit may stop:
// from a nearly symmetric start the held-out log-likelihood and the ELBO
// can stall for a few sweeps while the factors break symmetry and then
// climb again (seen on cora: stopped at sweep 35 with NDCG@10 0.077, or
// run on to sweep 190 with 0.087; and on a simulated 500 × 400 matrix,
// where the ELBO stalled below 1e-5 at sweep 10).
const DefaultMinIter = 50

// DefaultLogLikTol is the default Tol of a log-likelihood criterion: an
// improvement of the held-out mean log-likelihood below 1e-4 relative is
// within the noise of the held-out sample, and waiting for 1e-6 tripled
// some fits for no gain in ranking (README, "Held-out quality").
const DefaultLogLikTol = 1e-4

// DefaultELBOTol is the default Tol of the ELBO criterion: on the shared
// data sets 1e-6 ran fits about twice as long as 1e-5 for no gain in
// held-out log-likelihood or ranking (README, "Held-out quality").
const DefaultELBOTol = 1e-5

// String returns the criterion's name as the command line spells it.
func (c Criterion) String() string {
	switch c {
	case CriterionDefault:
		return "default"
	case CriterionValidation:
		return "validation"
	case CriterionValidationNonzero:
		return "validation-nonzero"
	case CriterionTrainLogLik:
		return "train-loglik"
	case CriterionELBO:
		return "elbo"
	case CriterionValidationNDCG:
		return "validation-ndcg"
	}
	return fmt.Sprintf("Criterion(%d)", int(c))
}

// ParseCriterion returns the criterion named s.
func ParseCriterion(s string) (Criterion, error) {
	if c, ok := parseName(s, CriterionDefault, CriterionValidationNDCG); ok {
		return c, nil
	}
	return 0, fmt.Errorf("inference: unknown criterion %q: want %s", s, CriterionNames())
}

// CriterionNames lists the names ParseCriterion takes, default aside, as
// one phrase ("validation, …, or elbo") for messages and help.
func CriterionNames() string {
	var names []string
	for c := CriterionDefault + 1; c <= CriterionValidationNDCG; c++ {
		names = append(names, c.String())
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// parseName returns the value in [first, last] whose String is s: the one
// parser of the enumerations that the command line names (criteria,
// starts).
func parseName[T interface {
	~int
	String() string
}](s string, first, last T) (T, bool) {
	for v := first; v <= last; v++ {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}

// NeedsValidation reports whether the criterion is computed on a
// validation set.
func (c Criterion) NeedsValidation() bool {
	return c == CriterionValidation || c == CriterionValidationNonzero || c == CriterionValidationNDCG
}
