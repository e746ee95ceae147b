package model

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Split is a train / validation / test partition of the non-zeros of a
// Counts. All three have the shape and labels of the input; together they
// hold every non-zero exactly once.
type Split struct {
	Train, Valid, Test *Counts
}

// NewSplit draws a seeded random hold-out split of c's non-zeros, row by
// row: of a row with m non-zeros, round(m·test) go to Test and
// round(m·valid) to Valid (rounding half up), the rest to Train, and a row
// with a non-zero always keeps at least one in Train (held-out counts are
// reduced, validation first, to make room). Each row draws from its own
// PCG stream seeded by (seed, row), with a partial Fisher–Yates shuffle
// of this package's own, so the same seed gives the same split on every
// machine and Go version. The fractions must be in [0, 1) with
// valid + test < 1.
func NewSplit(c *Counts, valid, test float64, seed uint64) (*Split, error) {
	if !(valid >= 0 && test >= 0 && valid+test < 1) {
		return nil, fmt.Errorf("model: split fractions valid=%v, test=%v: want both ≥ 0 with a sum below 1", valid, test)
	}
	// part[e] for each CSR entry: 0 train, 1 valid, 2 test.
	part := make([]uint8, len(c.val))
	var perm []int
	for u := 0; u < c.n; u++ {
		lo, hi := int(c.rowPtr[u]), int(c.rowPtr[u+1])
		m := hi - lo
		if m == 0 {
			continue
		}
		nt := roundHalfUp(float64(m) * test)
		nv := roundHalfUp(float64(m) * valid)
		for nt+nv > m-1 && nv > 0 {
			nv--
		}
		for nt+nv > m-1 && nt > 0 {
			nt--
		}
		if nt+nv == 0 {
			continue
		}
		perm = perm[:0]
		for e := lo; e < hi; e++ {
			perm = append(perm, e)
		}
		src := rand.NewPCG(seed, uint64(u))
		// The first nt+nv places of a partial Fisher–Yates shuffle are a
		// uniform random subset in uniform random order.
		for k := 0; k < nt+nv; k++ {
			j := k + int(boundedUint(src, uint64(m-k)))
			perm[k], perm[j] = perm[j], perm[k]
		}
		for k := 0; k < nt; k++ {
			part[perm[k]] = 2
		}
		for k := nt; k < nt+nv; k++ {
			part[perm[k]] = 1
		}
	}
	var s Split
	dst := []**Counts{&s.Train, &s.Valid, &s.Test}
	for k, d := range dst {
		sub, err := c.subset(func(e int) bool { return part[e] == uint8(k) })
		if err != nil {
			return nil, err
		}
		*d = sub
	}
	return &s, nil
}

func roundHalfUp(x float64) int { return int(math.Floor(x + 0.5)) }

// boundedUint returns a uniform integer in [0, n) from src, n > 0, by
// rejection of the top partial range (no modulo bias).
func boundedUint(src rand.Source, n uint64) uint64 {
	limit := math.MaxUint64 - math.MaxUint64%n
	for {
		v := src.Uint64()
		if v < limit {
			return v % n
		}
	}
}

// subset returns a Counts of the same shape and labels holding the CSR
// entries e for which keep(e) is true.
func (c *Counts) subset(keep func(e int) bool) (*Counts, error) {
	var rows, cols []int32
	var vals []float64
	for u := 0; u < c.n; u++ {
		for e := c.rowPtr[u]; e < c.rowPtr[u+1]; e++ {
			if keep(int(e)) {
				rows = append(rows, int32(u))
				cols = append(cols, c.colIdx[e])
				vals = append(vals, c.val[e])
			}
		}
	}
	d, err := buildCounts(c.n, c.p, rows, cols, vals)
	if err != nil {
		return nil, err
	}
	d.rowLabels, d.colLabels = c.rowLabels, c.colLabels
	return d, nil
}

// HeldOutCells returns the cells held out of training, validation and
// test together, as a Counts of the input's shape (with their counts as
// values): the mask that keeps them out of a fit's likelihood.
func (s *Split) HeldOutCells() *Counts {
	both, err := Union(s.Valid, s.Test)
	if err != nil {
		panic("model: " + err.Error()) // same shape by construction
	}
	return both
}

// Union returns a Counts of c's shape and labels with the entries of c and
// d summed: for example the held-out cells of a split given as files, to
// mask them out of a fit.
func Union(c, d *Counts) (*Counts, error) {
	if c.n != d.n || c.p != d.p {
		return nil, fmt.Errorf("%w: union of %d × %d and %d × %d", ErrShape, c.n, c.p, d.n, d.p)
	}
	var rows, cols []int32
	var vals []float64
	for _, m := range []*Counts{c, d} {
		for u := 0; u < m.n; u++ {
			for e := m.rowPtr[u]; e < m.rowPtr[u+1]; e++ {
				rows = append(rows, int32(u))
				cols = append(cols, m.colIdx[e])
				vals = append(vals, m.val[e])
			}
		}
	}
	out, err := buildCounts(c.n, c.p, rows, cols, vals)
	if err != nil {
		return nil, err
	}
	out.rowLabels, out.colLabels = c.rowLabels, c.colLabels
	return out, nil
}
