package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// checkInvariants verifies, independently of how c was built, that CSR and
// CSC describe the same non-zeros, that positions map one to the other and
// that the totals are the sums of the entries.
func checkInvariants(t *testing.T, c *Counts) {
	t.Helper()
	n, p := c.Dims()
	rowPtr, colIdx, val := c.CSR()
	colPtr, rowIdx, pos := c.CSC()
	if len(rowPtr) != n+1 || len(colPtr) != p+1 || rowPtr[n] != int64(c.NNZ()) || colPtr[p] != int64(c.NNZ()) {
		t.Fatalf("pointer arrays inconsistent with nnz %d", c.NNZ())
	}
	seen := make([]bool, c.NNZ())
	colSum := make([]float64, p)
	var total float64
	for u := 0; u < n; u++ {
		var s float64
		for e := rowPtr[u]; e < rowPtr[u+1]; e++ {
			if val[e] <= 0 || val[e] != math.Trunc(val[e]) {
				t.Fatalf("stored value %v is not a positive whole number", val[e])
			}
			if e > rowPtr[u] && colIdx[e] <= colIdx[e-1] {
				t.Fatalf("row %d columns not strictly ascending", u)
			}
			s += val[e]
			colSum[colIdx[e]] += val[e]
		}
		if s != c.RowSum(u) {
			t.Fatalf("row %d sum %v, stored %v", u, s, c.RowSum(u))
		}
		total += s
	}
	for i := 0; i < p; i++ {
		if colSum[i] != c.ColSum(i) {
			t.Fatalf("column %d sum %v, stored %v", i, colSum[i], c.ColSum(i))
		}
		for e := colPtr[i]; e < colPtr[i+1]; e++ {
			q := int64(pos[e])
			if seen[q] {
				t.Fatalf("CSR entry %d reached twice from CSC", q)
			}
			seen[q] = true
			if colIdx[q] != int32(i) || q < rowPtr[rowIdx[e]] || q >= rowPtr[rowIdx[e]+1] {
				t.Fatalf("CSC entry %d (row %d, col %d) maps to CSR entry %d of another cell", e, rowIdx[e], i, q)
			}
			if e > colPtr[i] && rowIdx[e] <= rowIdx[e-1] {
				t.Fatalf("column %d rows not strictly ascending", i)
			}
		}
	}
	if total != c.Total() {
		t.Fatalf("total %v, stored %v", total, c.Total())
	}
}

func TestNewCounts(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, p       int
		rows, cols []int
		vals       []float64
		dense      []float64 // expected, row-major, written by hand
		nnz        int
	}{
		{"sorted", 2, 3, []int{0, 0, 1}, []int{0, 2, 1}, []float64{1, 2, 3}, []float64{1, 0, 2, 0, 3, 0}, 3},
		{"unsorted", 2, 3, []int{1, 0, 0}, []int{1, 2, 0}, []float64{3, 2, 1}, []float64{1, 0, 2, 0, 3, 0}, 3},
		{"duplicates summed", 2, 2, []int{0, 1, 0, 0}, []int{1, 0, 1, 1}, []float64{1, 4, 2, 3}, []float64{0, 6, 4, 0}, 2},
		{"zeros dropped", 2, 2, []int{0, 1}, []int{0, 1}, []float64{0, 5}, []float64{0, 0, 0, 5}, 1},
		{"no entries", 3, 2, nil, nil, nil, []float64{0, 0, 0, 0, 0, 0}, 0},
		{"empty row and column", 3, 3, []int{0, 2}, []int{0, 0}, []float64{7, 1}, []float64{7, 0, 0, 0, 0, 0, 1, 0, 0}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, cols, vals := slices.Clone(tc.rows), slices.Clone(tc.cols), slices.Clone(tc.vals)
			c, err := NewCounts(tc.n, tc.p, rows, cols, vals)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows, tc.rows) || !slices.Equal(cols, tc.cols) || !slices.Equal(vals, tc.vals) {
				t.Fatal("NewCounts modified its input")
			}
			checkInvariants(t, c)
			if c.NNZ() != tc.nnz {
				t.Errorf("nnz %d, want %d", c.NNZ(), tc.nnz)
			}
			d, err := c.Dense()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.RawMatrix().Data, tc.dense) {
				t.Errorf("dense %v, want %v", d.RawMatrix().Data, tc.dense)
			}
			for u := 0; u < tc.n; u++ {
				for i := 0; i < tc.p; i++ {
					if c.At(u, i) != tc.dense[u*tc.p+i] {
						t.Errorf("At(%d,%d) = %v, want %v", u, i, c.At(u, i), tc.dense[u*tc.p+i])
					}
				}
			}
			back, err := FromMatrix(d)
			if err != nil {
				t.Fatal(err)
			}
			if !sameCounts(c, back) {
				t.Error("FromMatrix(Dense()) differs")
			}
		})
	}
}

func TestNewCountsErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, p       int
		rows, cols []int
		vals       []float64
		kind       error
		want       string
	}{
		{"negative", 2, 2, []int{0, 1}, []int{0, 1}, []float64{1, -2}, ErrBadCount, "entry 1: model: invalid count: negative count -2"},
		{"fractional", 2, 2, []int{0}, []int{0}, []float64{1.5}, ErrBadCount, "entry 0: model: invalid count: fractional count 1.5"},
		{"NaN", 2, 2, []int{0}, []int{0}, []float64{math.NaN()}, ErrBadCount, "NaN"},
		{"Inf", 2, 2, []int{0}, []int{0}, []float64{math.Inf(1)}, ErrBadCount, "+Inf"},
		{"too large", 2, 2, []int{0}, []int{0}, []float64{1e17}, ErrBadCount, "is not below 2^53"},
		{"row out of range", 2, 2, []int{2}, []int{0}, []float64{1}, ErrIndexRange, "entry 0: row index 2 not in [0,2)"},
		{"negative column", 2, 2, []int{0}, []int{-1}, []float64{1}, ErrIndexRange, "column index -1"},
		{"empty shape", 0, 2, nil, nil, nil, ErrShape, "0 × 2 matrix is empty"},
		{"length mismatch", 2, 2, []int{0}, []int{0, 1}, []float64{1}, ErrShape, "1 rows, 2 cols and 1 values"},
		{"total beyond 2^53", 2, 1, []int{0, 1}, []int{0, 0}, []float64{1<<53 - 1, 1<<53 - 1}, ErrBadCount, "the total of the counts reaches 2^53 at row 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCounts(tc.n, tc.p, tc.rows, tc.cols, tc.vals)
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %v containing %q", err, tc.kind, tc.want)
			}
		})
	}
}

func TestFromMatrixRejectsBadEntries(t *testing.T) {
	d := mat.NewDense(2, 2, []float64{1, 0, 0, -3})
	_, err := FromMatrix(d)
	if !errors.Is(err, ErrBadCount) || !strings.Contains(err.Error(), "entry (1, 1)") {
		t.Fatalf("got %v", err)
	}
}

// TestLargeTotals checks that totals beyond 2³² (pixel or read counts) are
// exact: 10 entries of 3·10⁹ sum to 3·10¹⁰, which overflows 32 bits.
func TestLargeTotals(t *testing.T) {
	const big = 3_000_000_000
	var rows, cols []int
	var vals []float64
	for k := 0; k < 10; k++ {
		rows = append(rows, k%2)
		cols = append(cols, k)
		vals = append(vals, big)
	}
	c, err := NewCounts(2, 10, rows, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total() != 10*big || c.RowSum(0) != 5*big || c.ColSum(3) != big {
		t.Fatalf("total %v row 0 %v col 3 %v", c.Total(), c.RowSum(0), c.ColSum(3))
	}
	if int64(c.Total()) != 30_000_000_000 {
		t.Fatal("total not exact")
	}
}

func TestWithLabels(t *testing.T) {
	c, _ := NewCounts(2, 2, []int{0}, []int{1}, []float64{1})
	rows := []string{"a", "b"}
	d, err := c.WithLabels(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows[0] = "changed"
	if d.RowLabel(0) != "a" || d.ColLabel(1) != "2" || c.RowLabels() != nil {
		t.Fatalf("labels %q %q", d.RowLabel(0), d.ColLabel(1))
	}
	if _, err := c.WithLabels([]string{"a"}, nil); !errors.Is(err, ErrShape) {
		t.Fatalf("want ErrShape, got %v", err)
	}
}

// sameCounts reports whether a and b hold the same shape, entries and
// labels.
func sameCounts(a, b *Counts) bool {
	ap, ai, av := a.CSR()
	bp, bi, bv := b.CSR()
	return a.n == b.n && a.p == b.p && slices.Equal(ap, bp) && slices.Equal(ai, bi) && slices.Equal(av, bv) &&
		slices.Equal(a.rowLabels, b.rowLabels) && slices.Equal(a.colLabels, b.colLabels)
}

// TestSubRowsInto draws batches of different sizes (largest first, as SVI
// does, then smaller, repeated rows, and larger again) into one reused
// matrix: each must hold exactly the chosen rows of the dense matrix, with
// a consistent column view and sums, and must not disturb the source.
func TestSubRowsInto(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n, p := 300, 40
	var rows, cols []int
	var vals []float64
	for u := 0; u < n; u++ {
		for i := 0; i < p; i++ {
			if r.Float64() < float64(u%5)/8 {
				rows, cols, vals = append(rows, u), append(cols, i), append(vals, float64(1+r.IntN(9)))
			}
		}
	}
	x, err := NewCounts(n, p, rows, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	before, err := x.Dense()
	if err != nil {
		t.Fatal(err)
	}
	batches := [][]int{
		r.Perm(n)[:200],
		r.Perm(n)[:17],
		{4, 4, 9, 0, 299},
		{5, 10},   // empty rows (u % 5 == 0)
		r.Perm(n), // more than the first batch: the arrays must grow
		r.Perm(n)[:50],
	}
	var dst *Counts
	for bi, b := range batches {
		got, err := x.SubRowsInto(dst, b)
		if err != nil {
			t.Fatalf("batch %d: %v", bi, err)
		}
		dst = got
		checkInvariants(t, got)
		if got.Rows() != len(b) || got.Cols() != p {
			t.Fatalf("batch %d: shape %d × %d, want %d × %d", bi, got.Rows(), got.Cols(), len(b), p)
		}
		for j, u := range b {
			for i := 0; i < p; i++ {
				if got.At(j, i) != before.At(u, i) {
					t.Fatalf("batch %d: cell (%d, %d) = %v, want row %d's %v", bi, j, i, got.At(j, i), u, before.At(u, i))
				}
			}
		}
		fresh, err := x.SubRows(b)
		if err != nil {
			t.Fatal(err)
		}
		if !sameCounts(fresh, got) {
			t.Fatalf("batch %d: reused and fresh matrices differ", bi)
		}
	}
	after, err := x.Dense()
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(before, after) {
		t.Fatal("SubRowsInto changed its source")
	}
	if _, err := x.SubRowsInto(dst, []int{n}); !errors.Is(err, ErrIndexRange) {
		t.Fatalf("row %d: err %v, want ErrIndexRange", n, err)
	}
}
