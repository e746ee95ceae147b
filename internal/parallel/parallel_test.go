package parallel

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBalanced(t *testing.T) {
	for _, tc := range []struct {
		name   string
		n      int
		weight func(int) int64
	}{
		{"uniform", 1000, func(int) int64 { return 1 }},
		{"one heavy item", 50, func(j int) int64 { return map[bool]int64{true: 1e6, false: 1}[j == 7] }},
		{"few items", 3, func(int) int64 { return 5 }},
		{"zero weights", 600, func(int) int64 { return 0 }},
		{"empty", 0, func(int) int64 { return 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Balanced(tc.n, 1, tc.weight)
			b := c.Bounds
			if b[0] != 0 || b[len(b)-1] != tc.n || c.Len() > MaxChunks {
				t.Fatalf("bounds %v", b)
			}
			for k := 1; k < len(b); k++ {
				if tc.n > 0 && b[k] <= b[k-1] {
					t.Fatalf("empty chunk at %d: %v", k, b)
				}
			}
			covered := make([]int, tc.n)
			c.Run(3, func(_, _, lo, hi int) {
				for j := lo; j < hi; j++ {
					covered[j]++ // chunks are disjoint, so no race
				}
			})
			for j, v := range covered {
				if v != 1 {
					t.Fatalf("item %d covered %d times", j, v)
				}
			}
		})
	}
}

// TestSumIndependentOfWorkers: sums of values of very different magnitude
// are not associative in floating point, so a sum that came out in a
// worker-dependent order would differ in the last bits.
func TestSumIndependentOfWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 100000)
	for j := range x {
		x[j] = r.NormFloat64() * float64(int64(1)<<r.IntN(40))
	}
	c := Balanced(len(x), 1, func(int) int64 { return 0 })
	sum := func(w int) float64 {
		return c.Sum(w, func(_, lo, hi int) float64 {
			var s float64
			for _, v := range x[lo:hi] {
				s += v
			}
			return s
		})
	}
	vec := func(w int) []float64 {
		return c.SumVec(w, 2, func(_, lo, hi int, dst []float64) {
			for _, v := range x[lo:hi] {
				dst[0] += v
				dst[1] += v * v
			}
		})
	}
	s1, v1 := sum(1), vec(1)
	for _, w := range []int{2, 3, 7, 64} {
		if s := sum(w); s != s1 {
			t.Fatalf("workers %d: %v vs %v", w, s, s1)
		}
		if v := vec(w); v[0] != v1[0] || v[1] != v1[1] {
			t.Fatalf("workers %d: vector sum differs", w)
		}
	}
}

// TestReducerAllocatesNothing: after its first Run a Reducer allocates
// nothing, for one worker and for several, and gives the same sums.
func TestReducerAllocatesNothing(t *testing.T) {
	x := make([]float64, 5000)
	for j := range x {
		x[j] = float64(j%17) - 3
	}
	c := Balanced(len(x), 1, func(int) int64 { return 1 })
	r := NewReducer(c, 3, func(_, _, lo, hi int, vec []float64) float64 {
		var s float64
		for _, v := range x[lo:hi] {
			s += v
			vec[0] += v * v
			vec[2]++
		}
		return s
	})
	s1, v := r.Run(1)
	v1 := append([]float64(nil), v...)
	for _, w := range []int{1, 2, 7} {
		r.Run(w)
		if a := testing.AllocsPerRun(20, func() { r.Run(w) }); a != 0 {
			t.Errorf("workers %d: %v allocations per Run", w, a)
		}
		if s, v := r.Run(w); s != s1 || v[0] != v1[0] || v[1] != 0 || v[2] != float64(len(x)) {
			t.Errorf("workers %d: sums %v %v, want %v %v", w, s, v, s1, v1)
		}
	}
}

// TestReducersConcurrentAndNested: Runs from many goroutines at once, each
// of whose chunks runs a Run of its own, all finish with their own sums
// (a helper is only ever handed work it can start at once, so nothing
// waits on anything busy).
func TestReducersConcurrentAndNested(t *testing.T) {
	c := Balanced(64, 1, func(int) int64 { return 1 })
	inner := func() float64 {
		return c.Sum(4, func(_, lo, hi int) float64 { return float64(hi - lo) })
	}
	done := make(chan float64)
	for g := 0; g < 8; g++ {
		go func() {
			done <- c.Sum(4, func(_, lo, hi int) float64 { return inner() * float64(hi-lo) })
		}()
	}
	for g := 0; g < 8; g++ {
		if s := <-done; s != 64*64 {
			t.Errorf("sum %v, want %v", s, 64*64)
		}
	}
}

// BenchmarkReducerHandoff times a Run of 256 chunks of 2 µs each on two
// workers followed by a 20 µs serial gap, as between a sweep's passes:
// the ideal is 276 µs, the rest is the hand-off to the helper.
func BenchmarkReducerHandoff(b *testing.B) {
	busy := func(d time.Duration) {
		for t := time.Now(); time.Since(t) < d; {
		}
	}
	r := NewReducer(Balanced(256, 1, func(int) int64 { return 0 }), 0,
		func(_, _, _, _ int, _ []float64) float64 { busy(2 * time.Microsecond); return 0 })
	for b.Loop() {
		r.Run(2)
		busy(20 * time.Microsecond)
	}
}
