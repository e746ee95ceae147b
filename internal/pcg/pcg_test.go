package pcg

import (
	"math/rand/v2"
	"testing"
)

func TestSkipEqualsStepping(t *testing.T) {
	for _, n := range []uint64{0, 1, 2, 3, 7, 64, 1000, 12345, 1 << 17} {
		for _, seed := range [][2]uint64{{0, 0}, {1, 2}, {^uint64(0), 12345}} {
			stepped, skipped := rand.NewPCG(seed[0], seed[1]), rand.NewPCG(seed[0], seed[1])
			for range n {
				stepped.Uint64()
			}
			Skip(skipped, n)
			for j := range 5 {
				if a, b := stepped.Uint64(), skipped.Uint64(); a != b {
					t.Fatalf("seed %v, %d steps: draw %d after skipping is %#x, after stepping %#x", seed, n, j, b, a)
				}
			}
		}
	}
}

// TestSkipComposes checks that skips add: Skip(a) then Skip(b) is Skip(a+b),
// for counts too large to step through.
func TestSkipComposes(t *testing.T) {
	a, b := uint64(1)<<40+12345, uint64(1)<<50+99
	p, q := rand.NewPCG(5, 6), rand.NewPCG(5, 6)
	Skip(p, a)
	Skip(p, b)
	Skip(q, a+b)
	if x, y := p.Uint64(), q.Uint64(); x != y {
		t.Fatalf("two skips give %#x, one skip %#x", x, y)
	}
	// And a skip moves the stream at all.
	r := rand.NewPCG(5, 6)
	if r.Uint64() == q.Uint64() {
		t.Fatal("a skip of 2⁵⁰ steps left the stream where it was")
	}
}
