package model

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// NewCounts builds an n × p Counts from coordinate triplets: entry e is
// x[rows[e], cols[e]] += vals[e], with 0-based indices. Duplicates are
// summed and zeros dropped. Every value must be a whole number in
// [0, 2⁵³); anything else (negative, fractional, NaN, ±Inf) is an error
// naming the entry. The inputs are not modified.
func NewCounts(n, p int, rows, cols []int, vals []float64) (*Counts, error) {
	if len(rows) != len(cols) || len(rows) != len(vals) {
		return nil, fmt.Errorf("%w: %d rows, %d cols and %d values in the triplets", ErrShape, len(rows), len(cols), len(vals))
	}
	if err := checkShape(n, p); err != nil {
		return nil, err
	}
	r := make([]int32, 0, len(rows))
	c := make([]int32, 0, len(rows))
	v := make([]float64, 0, len(rows))
	for e := range rows {
		if rows[e] < 0 || rows[e] >= n {
			return nil, fmt.Errorf("%w: entry %d: row index %d not in [0,%d)", ErrIndexRange, e, rows[e], n)
		}
		if cols[e] < 0 || cols[e] >= p {
			return nil, fmt.Errorf("%w: entry %d: column index %d not in [0,%d)", ErrIndexRange, e, cols[e], p)
		}
		if err := checkCount(vals[e]); err != nil {
			return nil, fmt.Errorf("entry %d: %w", e, err)
		}
		if vals[e] == 0 {
			continue
		}
		r = append(r, int32(rows[e]))
		c = append(c, int32(cols[e]))
		v = append(v, vals[e])
	}
	return buildCounts(n, p, r, c, v)
}

// FromMatrix builds a Counts from the entries of a gonum matrix. Every
// entry must be a whole number in [0, 2⁵³); zeros are not stored.
func FromMatrix(m mat.Matrix) (*Counts, error) {
	n, p := m.Dims()
	if err := checkShape(n, p); err != nil {
		return nil, err
	}
	var r, c []int32
	var v []float64
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			x := m.At(u, i)
			if err := checkCount(x); err != nil {
				return nil, fmt.Errorf("entry (%d, %d): %w", u, i, err)
			}
			if x != 0 {
				r = append(r, int32(u))
				c = append(c, int32(i))
				v = append(v, x)
			}
		}
	}
	return buildCounts(n, p, r, c, v)
}

// checkShape rejects empty or oversized shapes.
func checkShape(n, p int) error {
	if n <= 0 || p <= 0 {
		return fmt.Errorf("%w: %d × %d matrix is empty", ErrShape, n, p)
	}
	if n > math.MaxInt32 || p > math.MaxInt32 {
		return fmt.Errorf("%w: %d × %d exceeds %d rows or columns", ErrShape, n, p, math.MaxInt32)
	}
	return nil
}

// checkCount returns an error wrapping ErrBadCount unless x is a whole
// number in [0, 2⁵³).
func checkCount(x float64) error {
	switch {
	case math.IsNaN(x):
		return fmt.Errorf("%w: NaN", ErrBadCount)
	case math.IsInf(x, 0):
		return fmt.Errorf("%w: %v", ErrBadCount, x)
	case x < 0:
		return fmt.Errorf("%w: negative count %v", ErrBadCount, x)
	case x != math.Trunc(x):
		return fmt.Errorf("%w: fractional count %v", ErrBadCount, x)
	case x > maxExactCount:
		return fmt.Errorf("%w: count %v is not below 2^53", ErrBadCount, x)
	}
	return nil
}

// buildCounts assembles a Counts from validated 0-based triplets with
// non-negative whole values. It takes ownership of the slices: when the
// triplets are already in strict row-major order with no zeros (as most
// Matrix Market files are) cols and vals become the CSR arrays without a
// copy.
func buildCounts(n, p int, rows, cols []int32, vals []float64) (*Counts, error) {
	if err := checkShape(n, p); err != nil {
		return nil, err
	}
	if len(vals) > maxNNZ {
		return nil, fmt.Errorf("%w: %d non-zeros exceed %d", ErrShape, len(vals), maxNNZ)
	}
	c := &Counts{n: n, p: p, consts: &dataConstants{}}
	c.rowPtr = make([]int64, n+1)
	for _, r := range rows {
		c.rowPtr[r+1]++
	}
	for u := 0; u < n; u++ {
		c.rowPtr[u+1] += c.rowPtr[u]
	}
	if sortedStrict(rows, cols, vals) {
		c.colIdx, c.val = cols, vals
	} else {
		c.colIdx = make([]int32, len(vals))
		c.val = make([]float64, len(vals))
		next := make([]int64, n)
		copy(next, c.rowPtr[:n])
		for e, r := range rows {
			d := next[r]
			next[r]++
			c.colIdx[d] = cols[e]
			c.val[d] = vals[e]
		}
		c.canonicalizeRows()
	}
	rows, cols, vals = nil, nil, nil
	c.buildCSC()
	if err := c.computeSums(); err != nil {
		return nil, err
	}
	return c, nil
}

// sortedStrict reports whether the triplets are in row-major order with
// strictly ascending columns within each row and no zero values.
func sortedStrict(rows, cols []int32, vals []float64) bool {
	for e := range rows {
		if vals[e] == 0 {
			return false
		}
		if e > 0 && (rows[e] < rows[e-1] || rows[e] == rows[e-1] && cols[e] <= cols[e-1]) {
			return false
		}
	}
	return true
}

// canonicalizeRows sorts each CSR row by column, sums duplicates and drops
// zeros, compacting the arrays in place.
func (c *Counts) canonicalizeRows() {
	var w int64
	start := c.rowPtr[0]
	for u := 0; u < c.n; u++ {
		lo, hi := start, c.rowPtr[u+1]
		start = hi
		seg := rowSegment{c.colIdx[lo:hi], c.val[lo:hi]}
		if !sort.IsSorted(seg) {
			sort.Stable(seg)
		}
		rowStart := w
		for e := lo; e < hi; e++ {
			if c.val[e] == 0 {
				continue
			}
			if w > rowStart && c.colIdx[w-1] == c.colIdx[e] {
				c.val[w-1] += c.val[e]
				continue
			}
			c.colIdx[w] = c.colIdx[e]
			c.val[w] = c.val[e]
			w++
		}
		c.rowPtr[u+1] = w
	}
	c.colIdx = c.colIdx[:w:w]
	c.val = c.val[:w:w]
}

type rowSegment struct {
	col []int32
	val []float64
}

func (s rowSegment) Len() int           { return len(s.col) }
func (s rowSegment) Less(i, j int) bool { return s.col[i] < s.col[j] }
func (s rowSegment) Swap(i, j int) {
	s.col[i], s.col[j] = s.col[j], s.col[i]
	s.val[i], s.val[j] = s.val[j], s.val[i]
}

// computeSums fills the row and column totals of arrays already known to
// be valid.
func (c *Counts) computeSums() error {
	_, err := c.scanRows(false)
	return err
}

// scanRows fills the row and column totals in one pass over the entries
// and, with validate, checks each entry as the binary reader must (column
// in range and strictly ascending in its row, value whole in [1, 2^53))
// and returns the sum of entryHash over them. The offsets must already be
// known to be monotone and in range.
//
// Values are whole numbers, so float64 sums are exact, and therefore
// independent of the order of addition, while the total stays below 2⁵³,
// which is checked. That lets row blocks run in parallel, each summing
// into its own column totals, added after; the error reported is the
// first bad row's, as a sequential pass would report.
func (c *Counts) scanRows(validate bool) (uint64, error) {
	c.rowSum = slices.Grow(c.rowSum[:0], c.n)[:c.n] // SubRowsInto's array is reused
	rows := blocksOf(c.rowPtr, buildBlocks(len(c.val)))
	blocks := rows.Len()
	colSums := make([][]float64, blocks)
	hashes := make([]uint64, blocks)
	errs := make([]error, blocks)
	rows.Run(blocks, func(_, b, lo, hi int) {
		col := make([]float64, c.p)
		colSums[b] = col
		var h uint64
		for u := lo; u < hi; u++ {
			var s float64
			lo, hi := c.rowPtr[u], c.rowPtr[u+1]
			for e := lo; e < hi; e++ {
				i, v := c.colIdx[e], c.val[e]
				if validate {
					if err := c.checkEntry(u, e, lo); err != nil {
						errs[b] = err
						return
					}
					h += entryHash(int32(u), i, int32(e))
				}
				s += v
				col[i] += v
			}
			c.rowSum[u] = s
		}
		hashes[b] = h
	})
	if err := firstNonNil(errs); err != nil {
		return 0, err
	}
	var total float64
	for u, s := range c.rowSum {
		total += s
		if total > maxExactCount {
			return 0, fmt.Errorf("%w: the total of the counts reaches 2^53 at row %d", ErrBadCount, u+1)
		}
	}
	c.colSum = colSums[0]
	for _, col := range colSums[1:] {
		for i, v := range col {
			c.colSum[i] += v
		}
	}
	c.total = total
	return sumHashes(hashes), nil
}
