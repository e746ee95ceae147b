package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/special"
)

// Cell is one cell (u, i) of a count matrix, 0-based.
type Cell struct{ Row, Col int32 }

// HeldOut is a held-out set for evaluation (docs/MATH.md section 4): its
// non-zeros, plus as many cells drawn at random among those that are zero
// in every part of the data it was told of, whose log-likelihood term is
// −μ.
type HeldOut struct {
	// X holds the held-out counts; its zero cells are not part of the set.
	X *Counts
	// Zeros are the sampled zero cells, distinct, in drawing order.
	Zeros []Cell
	// exclude are the other parts whose non-zeros are not zero cells of
	// the set (kept by reference, for the exact zero-cell mean).
	exclude []*Counts
}

// NewHeldOut builds the held-out set of x: its non-zeros plus x.NNZ()
// distinct cells, drawn uniformly with a PCG stream seeded by seed, that
// are zero in x and in every matrix of exclude (the training part, and
// the other parts the evaluation may know of). When the data are so
// dense that such cells are hard to find, it stops after 100 draws per
// wanted cell and keeps fewer.
//
// The zero cells depend on x, exclude and seed alone: give them the
// split's seed, never a fit's, so that every model fitted to the split is
// scored on the same cells.
func NewHeldOut(x *Counts, exclude []*Counts, seed uint64) (*HeldOut, error) {
	for _, e := range exclude {
		if e.Rows() != x.Rows() || e.Cols() != x.Cols() {
			return nil, fmt.Errorf("%w: held-out %d × %d, excluded part %d × %d", ErrShape, x.Rows(), x.Cols(), e.Rows(), e.Cols())
		}
	}
	h := &HeldOut{X: x, exclude: append([]*Counts(nil), exclude...)}
	want := x.NNZ()
	src := rand.NewPCG(seed, 0x2e20)
	seen := make(map[Cell]bool, want)
	n, p := uint64(x.Rows()), uint64(x.Cols())
	for tries := 0; len(h.Zeros) < want && tries < 100*want; tries++ {
		c := Cell{int32(boundedUint(src, n)), int32(boundedUint(src, p))}
		if seen[c] || !h.zeroEverywhere(int(c.Row), int(c.Col)) {
			continue
		}
		seen[c] = true
		h.Zeros = append(h.Zeros, c)
	}
	return h, nil
}

// zeroEverywhere reports whether cell (u, i) is zero in X and in every
// excluded part.
func (h *HeldOut) zeroEverywhere(u, i int) bool {
	if h.X.At(u, i) != 0 {
		return false
	}
	for _, e := range h.exclude {
		if e.At(u, i) != 0 {
			return false
		}
	}
	return true
}

// HeldOut returns the held-out set of one part of the split (s.Valid or
// s.Test), with zero cells drawn among those zero in all three parts.
func (s *Split) HeldOut(part *Counts, seed uint64) (*HeldOut, error) {
	return NewHeldOut(part, []*Counts{s.Train, s.Valid, s.Test}, seed)
}

// HeldOutSets returns the held-out sets of the validation and the test
// part, their zero cells drawn with the seeds seed+1 and seed+2, where
// seed is the split's own seed (the convention of the command, the
// side-by-side fits and K selection, so that they score one split alike).
//
// The validation set, which a fit may use to stop, knows nothing of the
// test part: its zero cells are drawn among the cells zero in training
// and validation, so a test non-zero may be one of them, as it would be
// for a fit that was never given a test set. The test set's zero cells
// are zero in all three parts. A part with no non-zeros gives a nil set.
func (s *Split) HeldOutSets(seed uint64) (valid, test *HeldOut, err error) {
	if s.Valid.NNZ() > 0 {
		if valid, err = NewHeldOut(s.Valid, []*Counts{s.Train}, seed+1); err != nil {
			return nil, nil, err
		}
	}
	if s.Test.NNZ() > 0 {
		if test, err = s.HeldOut(s.Test, seed+2); err != nil {
			return nil, nil, err
		}
	}
	return valid, test, nil
}

// RequireHeldOutSets is HeldOutSets for callers that score on both
// parts: a part with no non-zeros (a matrix too small or too sparse for
// the split's fractions) is an error, not a nil set.
func (s *Split) RequireHeldOutSets(seed uint64) (valid, test *HeldOut, err error) {
	for _, part := range []struct {
		name string
		x    *Counts
	}{{"validation", s.Valid}, {"test", s.Test}} {
		if part.x.NNZ() == 0 {
			return nil, nil, fmt.Errorf("%w: the split leaves the %s part without non-zeros (the training part keeps %d of %d): too few non-zeros per row for its fractions",
				ErrShape, part.name, s.Train.NNZ(), s.Train.NNZ()+s.Valid.NNZ()+s.Test.NNZ())
		}
	}
	return s.HeldOutSets(seed)
}

// HeldOutLogLik is the held-out Poisson log-likelihood of a model
// (docs/MATH.md section 4), log x! included.
type HeldOutLogLik struct {
	// Mean is the mean of x log μ − μ − log x! over the held-out non-zeros
	// and the sampled zero cells (whose term is −μ).
	Mean float64
	// MeanNonzero is the same mean over the held-out non-zeros alone. On
	// its own it rewards inflating μ.
	MeanNonzero float64
	// NonZeros and Zeros count the terms of each kind.
	NonZeros, Zeros int
	// RateZero counts the held-out non-zeros whose rate is not positive
	// (0 or NaN): each makes Mean and MeanNonzero −Inf, as it should.
	RateZero int
	// MeanFinite and MeanNonzeroFinite are Mean and MeanNonzero over the
	// other terms: what is left to compare when RateZero > 0. They equal
	// Mean and MeanNonzero when RateZero is 0.
	MeanFinite, MeanNonzeroFinite float64
	// ZeroMeanExact is the mean of −μ over every cell that is zero in the
	// held-out part and in every excluded part, with no sampling, and
	// MeanExact is (MeanNonzero + ZeroMeanExact) / 2: the value Mean takes
	// in expectation over the draw of as many zero cells as non-zeros.
	// Both are NaN unless the set was scored with Evaluate.
	ZeroMeanExact, MeanExact float64
}

// LogLik evaluates the held-out log-likelihood under the rates μ_ui =
// rate(u, i), on the held-out non-zeros and the sampled zero cells. A
// non-zero given μ = 0 makes both means −Inf, reported as such, with the
// count and the finite part beside them. It runs on GOMAXPROCS
// goroutines; see LogLikWorkers.
func (h *HeldOut) LogLik(rates Rates) HeldOutLogLik { return h.LogLikWorkers(rates, 0) }

// LogLikWorkers is LogLik on workers goroutines (0 means GOMAXPROCS),
// which must be safe to call rates from at once. The non-zeros are summed
// by chunks of rows and the zero cells by chunks of the drawing order,
// both cut by the data alone (parallel.Balanced), the chunks' sums added
// in order, so the result is the same, bit for bit, for any number of
// workers. (At 116 M non-zeros a
// validation set of 11.6 M non-zeros and as many zero cells took 9 s on
// one goroutine, as long as a CAVI sweep.)
func (h *HeldOut) LogLikWorkers(rates Rates, workers int) HeldOutLogLik {
	type part struct {
		nz, lgBad float64
		bad       int
	}
	rowBlocks := parallel.Balanced(h.X.Rows(), 1, func(u int) int64 { return int64(h.X.RowNNZ(u)) })
	parts := make([]part, rowBlocks.Len())
	rowBlocks.Run(parallel.Workers(workers), func(_, c, lo, hi int) {
		var p part
		for u := lo; u < hi; u++ {
			cols, vals := h.X.Row(u)
			for e, i := range cols {
				mu := rates.Rate(u, int(i))
				if !(mu > 0) {
					p.bad++
					p.lgBad += special.LogGamma(vals[e] + 1)
					continue
				}
				p.nz += xLogMu(vals[e], mu) - mu
			}
		}
		parts[c] = p
	})
	var nz, lgBad float64
	bad := 0
	for _, p := range parts {
		nz, lgBad, bad = nz+p.nz, lgBad+p.lgBad, bad+p.bad
	}
	nz -= h.X.LogFactorialSum() - lgBad
	z := parallel.Balanced(len(h.Zeros), 1, func(int) int64 { return 0 }).Sum(parallel.Workers(workers), func(_, lo, hi int) float64 {
		var z float64
		for _, c := range h.Zeros[lo:hi] {
			z -= rates.Rate(int(c.Row), int(c.Col))
		}
		return z
	})
	m, nzeros := h.X.NNZ(), len(h.Zeros)
	r := HeldOutLogLik{NonZeros: m, Zeros: nzeros, RateZero: bad, Mean: math.NaN(), MeanNonzero: math.NaN(),
		MeanFinite: math.NaN(), MeanNonzeroFinite: math.NaN(), ZeroMeanExact: math.NaN(), MeanExact: math.NaN()}
	if m-bad > 0 {
		r.MeanNonzeroFinite = nz / float64(m-bad)
	}
	if m-bad+nzeros > 0 {
		r.MeanFinite = (nz + z) / float64(m-bad+nzeros)
	}
	r.MeanNonzero, r.Mean = r.MeanNonzeroFinite, r.MeanFinite
	if bad > 0 {
		r.MeanNonzero, r.Mean = math.Inf(-1), math.Inf(-1)
	}
	return r
}

// Evaluate scores the rates f on the set: LogLik, plus the exact
// zero-cell mean. Σ μ over all n·p cells is f.Total() ((Σ_u W_u)·(Σ_i H_i)
// for factors), so the exact mean costs O((n + p)K) and one rate per
// non-zero of the held-out and excluded parts.
func (h *HeldOut) Evaluate(f Rates) HeldOutLogLik {
	r := h.LogLik(f)
	n, p := h.X.Dims()
	parts := append([]*Counts{h.X}, h.exclude...)
	var onNonzero special.Sum
	cells := 0
	for j, m := range parts {
		for u := 0; u < n; u++ {
			cols, _ := m.Row(u)
			for _, i := range cols {
				if seenEarlier(parts[:j], u, int(i)) {
					continue
				}
				cells++
				onNonzero.Add(f.Rate(u, int(i)))
			}
		}
	}
	if zeros := float64(n)*float64(p) - float64(cells); zeros > 0 {
		r.ZeroMeanExact = -(f.Total() - onNonzero.Value()) / zeros
		r.MeanExact = (r.MeanNonzero + r.ZeroMeanExact) / 2
	}
	return r
}

// seenEarlier reports whether cell (u, i) is a non-zero of one of parts.
func seenEarlier(parts []*Counts, u, i int) bool {
	for _, m := range parts {
		if m.At(u, i) != 0 {
			return true
		}
	}
	return false
}
