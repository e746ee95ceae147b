package model

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBuildCSC checks the parallel transpose against its definition, for
// any number of row blocks: column i lists, in ascending row order, the
// rows u whose CSR row holds i, with the position of that entry. It also
// checks the parallel column totals against a sequential sum.
func TestBuildCSC(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// 180,000 non-zeros: more than one block on two processors.
	n, p := 3000, 400
	var rows, cols []int
	var vals []float64
	for u := 0; u < n; u++ {
		// Skewed rows (some empty) so that the blocks are uneven.
		for i := 0; i < p; i++ {
			if r.Float64() < float64(u%7)/20 {
				rows, cols, vals = append(rows, u), append(cols, i), append(vals, float64(1+r.IntN(9)))
			}
		}
	}
	x, err := NewCounts(n, p, rows, cols, vals)
	if err != nil {
		t.Fatal(err)
	}
	// The definition, sequentially.
	wantPtr := make([]int64, p+1)
	var wantRow, wantPos []int32
	wantSum := make([]float64, p)
	for i := 0; i < p; i++ {
		for u := 0; u < n; u++ {
			ucols, uvals := x.Row(u)
			if k, ok := slices.BinarySearch(ucols, int32(i)); ok {
				wantRow = append(wantRow, int32(u))
				wantPos = append(wantPos, int32(x.rowPtr[u])+int32(k))
				wantSum[i] += uvals[k]
			}
		}
		wantPtr[i+1] = int64(len(wantRow))
	}
	for _, blocks := range []int{1, 2, 3, 7, 8} {
		c := *x
		c.buildCSCBlocks(blocks)
		if !slices.Equal(c.colPtr, wantPtr) || !slices.Equal(c.rowIdx, wantRow) || !slices.Equal(c.cscPos, wantPos) {
			t.Errorf("%d blocks: the column-major view differs from the definition", blocks)
		}
	}
	if !slices.Equal(x.colSum, wantSum) {
		t.Error("column totals differ from the sequential sums")
	}
	if got := blocksOf(x.rowPtr, 8).Len(); got != 8 {
		t.Errorf("blocksOf made %d blocks of 8", got)
	}
}
