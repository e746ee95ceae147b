package inference

import "testing"

// TestSideChunksByRows checks that the per-row work is cut by rows and
// masked cells, not by non-zeros: a side's sweep costs K special functions
// a row whatever the row holds, so a skewed matrix must not give one chunk
// most of the rows.
func TestSideChunksByRows(t *testing.T) {
	skewed := func(m int) []int64 { // all masked cells in the first row
		ptr := make([]int64, m+1)
		for u := 1; u <= m; u++ {
			ptr[u] = 100 * maskedCellCost
		}
		return ptr
	}
	for _, tc := range []struct {
		name string
		m    int
		mask []int64
	}{
		{"no mask", 10000, nil},
		{"no mask, few rows", 7, nil},
		{"skewed mask", 10000, skewed(10000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSide(tc.m, 3, 0.3, 0.3, 1, false)
			if tc.mask != nil {
				s.setMask(tc.mask, make([]int32, tc.mask[tc.m]))
			}
			b := s.chunks.Bounds
			if b[0] != 0 || b[len(b)-1] != tc.m {
				t.Fatalf("bounds %v do not cover [0, %d)", b, tc.m)
			}
			// The cost of a chunk, counted independently of rowChunks:
			// one per row plus a sixteenth per masked cell.
			cost := func(lo, hi int) float64 {
				c := float64(hi - lo)
				if tc.mask != nil {
					c += float64(tc.mask[hi]-tc.mask[lo]) / maskedCellCost
				}
				return c
			}
			total := cost(0, tc.m)
			maxItem := 1.0
			if tc.mask != nil {
				maxItem += float64(tc.mask[1]-tc.mask[0]) / maskedCellCost
			}
			fair := total / float64(len(b)-1)
			for c := 0; c+1 < len(b); c++ {
				if got := cost(b[c], b[c+1]); got > fair+maxItem+1e-9 {
					t.Errorf("chunk %d [%d, %d) costs %g rows, fair share %g", c, b[c], b[c+1], got, fair)
				}
			}
		})
	}
}
