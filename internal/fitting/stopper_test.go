package fitting

import (
	"math"
	"testing"
)

func TestStopper(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name     string
		s        Stopper
		values   []float64
		stopAt   int // 1-based check at which Check first says stop; 0: never
		bestIter int // iteration of the best value (checks are at 1, 2, ...)
	}{
		{"rising never stops", Stopper{Tol: 1e-6, Patience: 2}, []float64{1, 2, 3, 4}, 0, 4},
		{"falls after a peak", Stopper{Tol: 1e-6, Patience: 2}, []float64{1, 3, 2, 1, 0}, 4, 2},
		{"one fall is patience 1", Stopper{Tol: 1e-6, Patience: 1}, []float64{1, 3, 2}, 3, 2},
		{"zero patience means 1", Stopper{Tol: 1e-6}, []float64{1, 3, 2}, 3, 2},
		{"gain below tol is a stall but still the best", Stopper{Tol: 0.01, Patience: 2}, []float64{100, 100.5, 100.9}, 3, 3},
		{"a real gain resets the stalls", Stopper{Tol: 0.01, Patience: 2}, []float64{100, 99, 102, 101, 103.5}, 0, 5},
		{"negative tol never stops but tracks the best", Stopper{Tol: -1, Patience: 1}, []float64{1, 5, 2, 1}, 0, 2},
		{"min iter holds the stop back", Stopper{Tol: 1e-6, Patience: 1, MinIter: 4}, []float64{3, 2, 1, 0}, 4, 1},
		{"NaN is a stall, never the best", Stopper{Tol: 1e-6, Patience: 2}, []float64{nan, 1, nan, nan}, 4, 2},
		{"negative values", Stopper{Tol: 1e-3, Patience: 1}, []float64{-10, -5, -4.999}, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			stopAt := 0
			best := math.Inf(-1)
			for j, v := range tc.values {
				isBest, stop := s.Check(j+1, v)
				if want := !math.IsNaN(v) && v > best; isBest != want {
					t.Fatalf("check %d (%v): best %v, want %v", j+1, v, isBest, want)
				}
				if isBest {
					best = v
				}
				if stop && stopAt == 0 {
					stopAt = j + 1
				}
			}
			if stopAt != tc.stopAt {
				t.Errorf("stopped at check %d, want %d", stopAt, tc.stopAt)
			}
			if v, it := s.Best(); it != tc.bestIter || v != best {
				t.Errorf("best %v at %d, want %v at %d", v, it, best, tc.bestIter)
			}
		})
	}
	var s Stopper
	if v, it := s.Best(); !math.IsNaN(v) || it != 0 {
		t.Errorf("best before any check: %v at %d", v, it)
	}
}
