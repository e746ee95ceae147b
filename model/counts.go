package model

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// maxExactCount is the largest count, and the largest total, a Counts
// holds: every integer below 2⁵³ is exactly representable in a float64, and
// a float64 sum that passes 2⁵³ − 1 lands on 2⁵³ or above, where the
// checks see it (at 2⁵³ itself, 2⁵³ + 1 would round to it unseen).
const maxExactCount = 1<<53 - 1

// maxNNZ bounds the number of non-zeros so that positions fit in int32
// (the CSC-to-CSR map is int32 to keep memory at 20 bytes per non-zero).
const maxNNZ = math.MaxInt32

// Counts is an immutable sparse n × p matrix of non-negative integer counts.
//
// The same non-zeros are held in two orders: row-major (CSR), with the
// column indices of each row ascending, and column-major (CSC), with the
// row indices of each column ascending. For every CSC entry e, CSCPos()[e]
// is the index of the same non-zero in CSR order, so the value is
// CSR values[CSCPos()[e]]. Storage is 20 bytes per non-zero plus O(n+p).
//
// A Counts is safe for concurrent use; the slices returned by its accessors
// are views of its storage and must not be modified.
type Counts struct {
	n, p int

	rowPtr []int64   // CSR: row u holds entries rowPtr[u]:rowPtr[u+1]
	colIdx []int32   // CSR: column index of each entry
	val    []float64 // CSR: value of each entry, a whole number ≥ 1

	colPtr []int64 // CSC: column i holds entries colPtr[i]:colPtr[i+1]
	rowIdx []int32 // CSC: row index of each entry
	cscPos []int32 // CSC: position of each entry in CSR order

	rowSum []float64
	colSum []float64
	total  float64

	rowLabels []string
	colLabels []string

	consts *dataConstants // sums of the data alone, computed on first use
}

// Rows returns n, the number of rows.
func (c *Counts) Rows() int { return c.n }

// Cols returns p, the number of columns.
func (c *Counts) Cols() int { return c.p }

// Dims returns the number of rows and columns.
func (c *Counts) Dims() (n, p int) { return c.n, c.p }

// NNZ returns the number of non-zero entries.
func (c *Counts) NNZ() int { return len(c.val) }

// Density returns nnz / (n·p).
func (c *Counts) Density() float64 {
	return float64(len(c.val)) / (float64(c.n) * float64(c.p))
}

// Total returns Σ_ij x_ij. It is exact: counts are whole numbers and the
// total is kept below 2⁵³.
func (c *Counts) Total() float64 { return c.total }

// RowSum returns Σ_j x_uj.
func (c *Counts) RowSum(u int) float64 { return c.rowSum[u] }

// ColSum returns Σ_u x_ui.
func (c *Counts) ColSum(i int) float64 { return c.colSum[i] }

// RowSums returns a new slice holding the n row totals.
func (c *Counts) RowSums() []float64 { return append([]float64(nil), c.rowSum...) }

// ColSums returns a new slice holding the p column totals.
func (c *Counts) ColSums() []float64 { return append([]float64(nil), c.colSum...) }

// RowNNZ returns the number of non-zeros in row u.
func (c *Counts) RowNNZ(u int) int { return int(c.rowPtr[u+1] - c.rowPtr[u]) }

// ColNNZ returns the number of non-zeros in column i.
func (c *Counts) ColNNZ(i int) int { return int(c.colPtr[i+1] - c.colPtr[i]) }

// Row returns the column indices (ascending) and values of the non-zeros
// of row u. The slices are views and must not be modified.
func (c *Counts) Row(u int) (cols []int32, vals []float64) {
	lo, hi := c.rowPtr[u], c.rowPtr[u+1]
	return c.colIdx[lo:hi:hi], c.val[lo:hi:hi]
}

// Col returns the row indices (ascending) of the non-zeros of column i and
// their positions in CSR order. The slices are views and must not be
// modified.
func (c *Counts) Col(i int) (rows []int32, pos []int32) {
	lo, hi := c.colPtr[i], c.colPtr[i+1]
	return c.rowIdx[lo:hi:hi], c.cscPos[lo:hi:hi]
}

// CSR returns the row-major arrays: row u's entries are
// ptr[u]:ptr[u+1] of idx (column indices) and val. They are views of the
// matrix's storage and must not be modified.
func (c *Counts) CSR() (ptr []int64, idx []int32, val []float64) {
	return c.rowPtr, c.colIdx, c.val
}

// CSC returns the column-major arrays: column i's entries are
// ptr[i]:ptr[i+1] of idx (row indices) and pos (positions in CSR order, so
// the value is CSR val[pos[e]]). They are views and must not be modified.
func (c *Counts) CSC() (ptr []int64, idx []int32, pos []int32) {
	return c.colPtr, c.rowIdx, c.cscPos
}

// At returns x_ui, zero when the entry is not stored. It costs a binary
// search in row u.
func (c *Counts) At(u, i int) float64 {
	if u < 0 || u >= c.n || i < 0 || i >= c.p {
		panic(fmt.Sprintf("model: At(%d, %d) out of range for %d × %d counts", u, i, c.n, c.p))
	}
	cols, vals := c.Row(u)
	k := sort.Search(len(cols), func(k int) bool { return int(cols[k]) >= i })
	if k < len(cols) && int(cols[k]) == i {
		return vals[k]
	}
	return 0
}

// RowLabels returns the row labels, or nil when the matrix has none. The
// slice is a view and must not be modified.
func (c *Counts) RowLabels() []string { return c.rowLabels }

// ColLabels returns the column labels, or nil when the matrix has none. The
// slice is a view and must not be modified.
func (c *Counts) ColLabels() []string { return c.colLabels }

// RowLabel returns the label of row u, or its 1-based index when the
// matrix has no row labels.
func (c *Counts) RowLabel(u int) string {
	if c.rowLabels != nil {
		return c.rowLabels[u]
	}
	return fmt.Sprint(u + 1)
}

// ColLabel returns the label of column i, or its 1-based index when the
// matrix has no column labels.
func (c *Counts) ColLabel(i int) string {
	if c.colLabels != nil {
		return c.colLabels[i]
	}
	return fmt.Sprint(i + 1)
}

// WithLabels returns a Counts sharing c's entries with the given row and
// column labels (nil for none). The label slices are copied.
func (c *Counts) WithLabels(rows, cols []string) (*Counts, error) {
	if rows != nil && len(rows) != c.n {
		return nil, fmt.Errorf("%w: %d row labels for %d rows", ErrShape, len(rows), c.n)
	}
	if cols != nil && len(cols) != c.p {
		return nil, fmt.Errorf("%w: %d column labels for %d columns", ErrShape, len(cols), c.p)
	}
	d := *c
	d.rowLabels = cloneStrings(rows)
	d.colLabels = cloneStrings(cols)
	return &d, nil
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

// maxDenseCells bounds Dense: beyond it a dense copy is almost surely a
// mistake (8 GiB of float64).
const maxDenseCells = 1 << 30

// Dense returns the counts as a new dense matrix. It is meant for small
// matrices (tests, dense references) and returns an error when n·p exceeds
// 2³⁰ cells.
func (c *Counts) Dense() (*mat.Dense, error) {
	if float64(c.n)*float64(c.p) > maxDenseCells {
		return nil, fmt.Errorf("%w: %d × %d is too large for a dense copy", ErrShape, c.n, c.p)
	}
	d := mat.NewDense(c.n, c.p, nil)
	for u := 0; u < c.n; u++ {
		cols, vals := c.Row(u)
		for k, i := range cols {
			d.Set(u, int(i), vals[k])
		}
	}
	return d, nil
}

// Equal reports whether c and d hold the same shape and the same entries
// (labels aside).
func (c *Counts) Equal(d *Counts) bool {
	if c.n != d.n || c.p != d.p || len(c.val) != len(d.val) {
		return false
	}
	for u := 0; u <= c.n; u++ {
		if c.rowPtr[u] != d.rowPtr[u] {
			return false
		}
	}
	for e := range c.val {
		if c.colIdx[e] != d.colIdx[e] || c.val[e] != d.val[e] {
			return false
		}
	}
	return true
}

// SubRows returns the matrix of the given rows of c, in that order, with
// all of c's columns (and column labels): a minibatch for stochastic
// inference. It costs O(their non-zeros + p) and copies them.
func (c *Counts) SubRows(rows []int) (*Counts, error) { return c.SubRowsInto(nil, rows) }

// SubRowsInto is SubRows writing into the arrays of dst, a matrix an
// earlier call returned, wherever they are large enough, and returning
// dst; with dst nil it allocates. A caller that draws many minibatches
// (SVI draws hundreds per epoch) so makes no garbage per batch. dst is
// overwritten, so nothing else may still use it or what it returned.
func (c *Counts) SubRowsInto(dst *Counts, rows []int) (*Counts, error) {
	var nnz int64
	for _, u := range rows {
		if u < 0 || u >= c.n {
			return nil, fmt.Errorf("%w: row %d not in [0,%d)", ErrIndexRange, u, c.n)
		}
		nnz += c.rowPtr[u+1] - c.rowPtr[u]
	}
	if err := checkShape(len(rows), c.p); err != nil {
		return nil, err
	}
	if dst == nil {
		dst = &Counts{}
	}
	// c's rows are canonical (ascending columns, no zeros), so the copies
	// are CSR as they stand: no triplets and no sort.
	*dst = Counts{
		n: len(rows), p: c.p,
		rowPtr: slices.Grow(dst.rowPtr[:0], len(rows)+1)[:len(rows)+1],
		colIdx: slices.Grow(dst.colIdx[:0], int(nnz))[:0],
		val:    slices.Grow(dst.val[:0], int(nnz))[:0],
		colPtr: dst.colPtr, rowIdx: dst.rowIdx, cscPos: dst.cscPos, rowSum: dst.rowSum,
		colLabels: c.colLabels,
		consts:    &dataConstants{},
	}
	dst.rowPtr[0] = 0
	for b, u := range rows {
		lo, hi := c.rowPtr[u], c.rowPtr[u+1]
		dst.colIdx = append(dst.colIdx, c.colIdx[lo:hi]...)
		dst.val = append(dst.val, c.val[lo:hi]...)
		dst.rowPtr[b+1] = int64(len(dst.val))
	}
	dst.buildCSC()
	if err := dst.computeSums(); err != nil {
		return nil, err
	}
	return dst, nil
}

// FirstShared returns the first cell, in row-major order, that holds a
// count in both c and d (of one shape), merging their sorted rows in
// O(nnz of both).
func (c *Counts) FirstShared(d *Counts) (u, i int, ok bool) {
	for u := 0; u < min(c.n, d.n); u++ {
		ca, _ := c.Row(u)
		cb, _ := d.Row(u)
		for j, k := 0, 0; j < len(ca) && k < len(cb); {
			switch {
			case ca[j] == cb[k]:
				return u, int(ca[j]), true
			case ca[j] < cb[k]:
				j++
			default:
				k++
			}
		}
	}
	return 0, 0, false
}
