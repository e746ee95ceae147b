package model

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Cell is one cell (u, i) of a count matrix, 0-based.
type Cell struct{ Row, Col int32 }

// HeldOut is a held-out set for evaluation (docs/MATH.md section 4): its
// non-zeros, plus as many cells drawn at random among those that are zero
// in every part of the data, whose log-likelihood term is −μ.
type HeldOut struct {
	// X holds the held-out counts; its zero cells are not part of the set.
	X *Counts
	// Zeros are the sampled zero cells, distinct, in drawing order.
	Zeros []Cell
	// lgammaSum is Σ log Γ(x+1) over the non-zeros of X.
	lgammaSum float64
}

// NewHeldOut builds the held-out set of x: its non-zeros plus x.NNZ()
// distinct cells, drawn uniformly with a PCG stream seeded by seed, that
// are zero in x and in every matrix of exclude (the training and other
// held-out parts). When the data are so dense that such cells are hard to
// find, it stops after 100 draws per wanted cell and keeps fewer.
func NewHeldOut(x *Counts, exclude []*Counts, seed uint64) (*HeldOut, error) {
	for _, e := range exclude {
		if e.Rows() != x.Rows() || e.Cols() != x.Cols() {
			return nil, fmt.Errorf("%w: held-out %d × %d, excluded part %d × %d", ErrShape, x.Rows(), x.Cols(), e.Rows(), e.Cols())
		}
	}
	h := &HeldOut{X: x}
	_, _, val := x.CSR()
	for _, v := range val {
		h.lgammaSum += lgamma(v + 1)
	}
	want := x.NNZ()
	src := rand.NewPCG(seed, 0x2e20)
	seen := make(map[Cell]bool, want)
	n, p := uint64(x.Rows()), uint64(x.Cols())
	for tries := 0; len(h.Zeros) < want && tries < 100*want; tries++ {
		c := Cell{int32(boundedUint(src, n)), int32(boundedUint(src, p))}
		if seen[c] || x.At(int(c.Row), int(c.Col)) != 0 {
			continue
		}
		zero := true
		for _, e := range exclude {
			if e.At(int(c.Row), int(c.Col)) != 0 {
				zero = false
				break
			}
		}
		if zero {
			seen[c] = true
			h.Zeros = append(h.Zeros, c)
		}
	}
	return h, nil
}

// HeldOut returns the held-out set of one part of the split (s.Valid or
// s.Test), with zero cells drawn among those zero in all three parts.
func (s *Split) HeldOut(part *Counts, seed uint64) (*HeldOut, error) {
	return NewHeldOut(part, []*Counts{s.Train, s.Valid, s.Test}, seed)
}

// HeldOutSets returns the held-out sets of the validation and the test
// part, their zero cells drawn with the seeds seed+1 and seed+2 (the
// convention of the command, the side-by-side fits and K selection, so
// that they score one split alike). A part with no non-zeros gives a nil
// set.
func (s *Split) HeldOutSets(seed uint64) (valid, test *HeldOut, err error) {
	if s.Valid.NNZ() > 0 {
		if valid, err = s.HeldOut(s.Valid, seed+1); err != nil {
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
}

// LogLik evaluates the held-out log-likelihood under the rates μ_ui =
// rate(u, i). A non-zero given μ = 0 makes both means −Inf, reported as
// such.
func (h *HeldOut) LogLik(rate func(u, i int) float64) HeldOutLogLik {
	var nz, z float64
	for u := 0; u < h.X.Rows(); u++ {
		cols, vals := h.X.Row(u)
		for e, i := range cols {
			mu := rate(u, int(i))
			nz += xLogMu(vals[e], mu) - mu
		}
	}
	nz -= h.lgammaSum
	for _, c := range h.Zeros {
		z -= rate(int(c.Row), int(c.Col))
	}
	m, nzeros := h.X.NNZ(), len(h.Zeros)
	r := HeldOutLogLik{NonZeros: m, Zeros: nzeros, Mean: math.NaN(), MeanNonzero: math.NaN()}
	if m > 0 {
		r.MeanNonzero = nz / float64(m)
	}
	if m+nzeros > 0 {
		r.Mean = (nz + z) / float64(m+nzeros)
	}
	return r
}
