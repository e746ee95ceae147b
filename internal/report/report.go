// Package report is the report of a fit as the poisfact commands print
// it: the JSON object of fit -json, the summary lines and the progress
// lines, built from the core fits' results, so that poisfact and the
// Beam module's poisfact-beam print the same.
package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/mle"
)

// Float is a float64 that JSON can carry when it is not finite: ±Inf as
// the strings "+Inf" and "-Inf", NaN as null. A model that predicts a
// rate of zero where a count is held out has a held-out log-likelihood
// of −∞, which must be reported as such, not hidden.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte("null"), nil
	case math.IsInf(v, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "null":
		*f = Float(math.NaN())
		return nil
	case `"+Inf"`:
		*f = Float(math.Inf(1))
		return nil
	case `"-Inf"`:
		*f = Float(math.Inf(-1))
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	*f = Float(v)
	return err
}

// Fit is the fit's part of the JSON object "poisfact fit -json" prints.
// Later versions add fields; they never rename these.
type Fit struct {
	Model               string    `json:"model"`
	Algorithm           string    `json:"algorithm"`
	Input               string    `json:"input"`
	Rows                int       `json:"rows"`
	Cols                int       `json:"cols"`
	NNZ                 int       `json:"nnz"`
	K                   int       `json:"k"`
	Workers             int       `json:"workers"`
	Seed                uint64    `json:"seed"`
	Iterations          int       `json:"iterations"`
	BestIteration       int       `json:"best_iteration,omitempty"`
	Criterion           string    `json:"criterion,omitempty"`
	Restart             int       `json:"restart"`
	Restarts            []Restart `json:"restarts,omitempty"`
	StopReason          string    `json:"stop_reason"`
	Seconds             float64   `json:"seconds"`
	SecondsPerIteration float64   `json:"seconds_per_iteration"`
	ELBO                *float64  `json:"elbo,omitempty"`
	Divergence          *float64  `json:"divergence,omitempty"`
	Objective           *float64  `json:"objective,omitempty"`
	Init                string    `json:"init,omitempty"`
	TrainLogLik         float64   `json:"train_loglik"`
	Trace               []Trace   `json:"trace"`
}

// Trace is one sweep (or iteration) of a fit's trace.
type Trace struct {
	Restart          int      `json:"restart"`
	Iteration        int      `json:"iteration"`
	ELBO             *float64 `json:"elbo,omitempty"`
	Divergence       *float64 `json:"divergence,omitempty"`
	ValidationLogLik *float64 `json:"validation_loglik,omitempty"`
	ValidationNZ     *float64 `json:"validation_loglik_nonzero,omitempty"`
	Criterion        *float64 `json:"criterion,omitempty"`
	Seconds          float64  `json:"seconds"`
}

// Restart summarizes one restart of an HPF fit.
type Restart struct {
	Restart       int     `json:"restart"`
	Seed          uint64  `json:"seed"`
	Iterations    int     `json:"iterations"`
	BestIteration int     `json:"best_iteration"`
	Criterion     Float   `json:"criterion"`
	ELBO          Float   `json:"elbo"`
	StopReason    string  `json:"stop_reason"`
	Seconds       float64 `json:"seconds"`
}

func ptr(v float64) *float64 { return &v }

// HPF returns the report of an HPF fit (CAVI, SVI, or a sharded CAVI) run
// with settings s; the caller adds the data (Describe) and the training
// log-likelihood.
func HPF(res *inference.Result, s *inference.Settings) *Fit {
	r := &Fit{
		Algorithm:  res.Record(s).Algorithm,
		Iterations: res.Iterations, BestIteration: res.BestIter, Criterion: res.Criterion.String(), Restart: res.Restart,
		StopReason: res.Status.String(), Seconds: res.Elapsed.Seconds(), ELBO: ptr(res.ELBO), Init: s.Init.Method.String(),
	}
	for j, rs := range res.Restarts {
		r.Restarts = append(r.Restarts, Restart{j, rs.Seed, rs.Iterations, rs.BestIter, Float(rs.Best), Float(rs.ELBO), rs.Status.String(), rs.Elapsed.Seconds()})
	}
	for _, it := range res.Trace {
		e := Trace{Restart: it.Restart, Iteration: it.Iter, Seconds: it.Elapsed.Seconds()}
		if !math.IsNaN(it.ELBO) { // SVI records no ELBO at its checks
			e.ELBO = ptr(it.ELBO)
		}
		if it.HasValid() {
			e.ValidationLogLik, e.ValidationNZ = ptr(it.ValidLogLik), ptr(it.ValidLogLikNonzero)
		}
		if it.IsCheck() {
			e.Criterion = ptr(it.Criterion)
		}
		r.Trace = append(r.Trace, e)
	}
	return r
}

// MLE returns the report of a KL-NMF fit run with settings s; the caller
// adds the data (Describe).
func MLE(res *mle.Result, s *mle.Settings) *Fit {
	r := &Fit{
		Algorithm: s.Method.String(), Iterations: res.Iterations, Init: s.Init.String(), StopReason: res.Status.String(), Seconds: res.Elapsed.Seconds(),
		Divergence: ptr(res.Divergence), Objective: ptr(res.Objective), TrainLogLik: res.LogLik,
	}
	for _, it := range res.Trace {
		r.Trace = append(r.Trace, Trace{Iteration: it.Iter, Divergence: ptr(it.Divergence), Seconds: it.Elapsed.Seconds()})
	}
	return r
}

// Describe fills in the model's name, the data and the run's settings,
// and the time per iteration.
func (r *Fit) Describe(model, input string, rows, cols, nnz, k, workers int, seed uint64) {
	r.Model, r.Input, r.Rows, r.Cols, r.NNZ = model, input, rows, cols, nnz
	r.K, r.Workers, r.Seed = k, workers, seed
	if r.Iterations > 0 {
		r.SecondsPerIteration = r.Seconds / float64(r.Iterations)
	}
}

// Summary prints the fit's summary lines.
func (r *Fit) Summary(w io.Writer) {
	fmt.Fprintf(w, "model       %s (%s), K = %d, %s, seed %d\n", r.Model, r.Algorithm, r.K, Plural(r.Workers, "worker"), r.Seed)
	fmt.Fprintf(w, "data        %s: %d × %d, %d non-zeros\n", r.Input, r.Rows, r.Cols, r.NNZ)
	step := map[string]string{"cavi": "sweep", "svi": "minibatch"}[r.Algorithm]
	if step == "" {
		step = "iteration"
	}
	fmt.Fprintf(w, "stopped     %s after %s in %s (%.4f s per %s)\n", r.StopReason, Plural(r.Iterations, step), time.Duration(r.Seconds*float64(time.Second)).Round(time.Millisecond), r.SecondsPerIteration, step)
	if r.Criterion != "" {
		fmt.Fprintf(w, "kept        %s %d, the best check of the %s criterion", step, r.BestIteration, r.Criterion)
		if len(r.Restarts) > 1 {
			fmt.Fprintf(w, ", from restart %d of %d", r.Restart+1, len(r.Restarts))
		}
		fmt.Fprintln(w)
	}
	if r.ELBO != nil {
		fmt.Fprintf(w, "elbo        %.10g\n", *r.ELBO)
	}
	if r.Divergence != nil {
		fmt.Fprintf(w, "divergence  %.10g (generalized KL on the training counts; objective %.10g)\n", *r.Divergence, *r.Objective)
	}
	fmt.Fprintf(w, "train ll    %.10g (Poisson log-likelihood of the training counts, log x! included)\n", r.TrainLogLik)
}

// Plural returns "1 noun" or "n nouns".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "ch") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Progress prints one progress line: step, what was measured, elapsed
// time and steps per second.
func Progress(w io.Writer, step string, iter int, measured string, elapsed time.Duration) {
	secs := elapsed.Seconds()
	fmt.Fprintf(w, "%s %5d  %s  %7.2fs  %.1f it/s\n", step, iter, measured, secs, float64(iter)/math.Max(secs, 1e-9))
}

// HPFProgress returns a recorder that prints a progress line at every
// check of an HPF fit (SVI: its checks of the criterion). A CAVI fit's
// line names criterion c's value too when it is neither the ELBO nor the
// validation log-likelihood, which the line shows anyway.
func HPFProgress(w io.Writer, svi bool, restarts int, c inference.Criterion) func(inference.Iteration) {
	return func(it inference.Iteration) {
		if !it.IsCheck() {
			return
		}
		measured := fmt.Sprintf("elbo %.8g", it.ELBO)
		step := "sweep"
		if svi {
			measured, step = fmt.Sprintf("criterion %.6f", it.Criterion), "check"
		}
		if it.HasValid() {
			measured += fmt.Sprintf("  validation %.6f", it.ValidLogLik)
		}
		switch c {
		case inference.CriterionValidationNonzero, inference.CriterionValidationNDCG, inference.CriterionTrainLogLik:
			if !svi {
				measured += fmt.Sprintf("  %v %.6f", c, it.Criterion)
			}
		}
		if restarts > 1 {
			step = fmt.Sprintf("restart %d %s", it.Restart+1, step)
		}
		Progress(w, step, it.Iter, measured, it.Elapsed)
	}
}

// MLEProgress returns a recorder that prints a progress line every
// `every` iterations of a KL-NMF fit.
func MLEProgress(w io.Writer, every int) func(mle.Iteration) {
	return func(it mle.Iteration) {
		if it.Iter%max(every, 1) == 0 {
			Progress(w, "iteration", it.Iter, fmt.Sprintf("divergence %.10g", it.Divergence), it.Elapsed)
		}
	}
}
