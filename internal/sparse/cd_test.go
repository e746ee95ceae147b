package sparse

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGatherRows checks GatherRows, on each path this build and
// processor run (the Go loop; four entries at a time with AVX2; eight,
// then four, with AVX-512), against a direct reading of the rows and a compensated
// dot product, for K from 1 to 13 and 50, 100, and every row length from 0
// to 21 (the assembly takes four entries and four elements at a time),
// with rows repeated, at GatherStride's stride; nothing between the
// columns or past them, nor past m of mu, may be written.
func TestGatherRows(t *testing.T) { onEachPath(t, testGatherRows) }

func testGatherRows(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ks := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 50, 100}
	for _, k := range ks {
		const rows = 9
		g, f := mixed(r, rows*k), mixed(r, k)
		for m := 0; m <= 21; m++ {
			idx := make([]int32, m)
			for e := range idx {
				idx[e] = int32(r.IntN(rows))
			}
			stride := GatherStride(m)
			if stride < m || stride%8 != 0 || (stride/8)%2 != 1 {
				t.Fatalf("GatherStride(%d) = %d: want an odd number of 8-element lines, at least m", m, stride)
			}
			// Every element GatherRows may not write is 42 before and after.
			size := (k-1)*stride + m
			gt, mu := make([]float64, size+1), make([]float64, m+1)
			for i := range gt {
				gt[i] = 42
			}
			mu[m] = 42
			GatherRows(gt[:size], mu[:m], g, f, idx, stride)
			if mu[m] != 42 {
				t.Fatalf("K = %d, m = %d: wrote past the end of mu", k, m)
			}
			for i, v := range gt {
				if i%stride >= m && v != 42 {
					t.Fatalf("K = %d, m = %d: wrote gt[%d] between columns or past the end", k, m, i)
				}
			}
			for e, o := range idx {
				var c compensated
				var scale float64
				for j := range k {
					v := g[int(o)*k+j]
					if gt[j*stride+e] != v {
						t.Fatalf("K = %d, m = %d: gt[%d·stride+%d] = %v, row %d holds %v", k, m, j, e, gt[j*stride+e], o, v)
					}
					c.add(f[j] * v)
					scale += math.Abs(f[j] * v)
				}
				if math.Abs(mu[e]-c.value()) > 1e-14*scale {
					t.Fatalf("K = %d, m = %d, entry %d: rate %v, compensated %v", k, m, e, mu[e], c.value())
				}
			}
		}
	}
}

// TestCDLoops checks GradSums and StepSums, on each path this build and
// processor run (the Go loops, the four-lane assembly, and the
// eight-lane one where there is AVX-512), against the Go reference loops and compensated sums
// computed here, for every length from 0 to 140 (the assembly steps by
// 16, 8, 4 and 1), on rates of mixed scale (beyond 100, some near 10^±160), with
// steps up, down and none;
// StepSums must leave the element after each output untouched.
func TestCDLoops(t *testing.T) { onEachPath(t, testCDLoops) }

func testCDLoops(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for m := 0; m <= 140; m++ {
		prev, next, x, mu := mixed(r, m), mixed(r, m), make([]float64, m), mixed(r, m)
		if m > 100 {
			// Rates whose products leave [2^−1000, 2^1000], where the
			// assembly's one division for eight rates gives way to
			// dividing each.
			for e := range mu {
				if r.IntN(3) == 0 {
					mu[e] *= math.Pow(10, float64(160*(1-2*r.IntN(2))))
				}
			}
		}
		inv := make([]float64, m)
		for e := range x {
			x[e] = float64(1 + r.IntN(5))
			inv[e] = 1 / mu[e]
		}
		// sums computes the three results the slow way for rates mu.
		sums := func(g, mu []float64) (want, scale [3]float64) {
			var cg, ch compensated
			for e := range g {
				q := x[e] * g[e] / mu[e]
				cg.add(q)
				ch.add(q * g[e] / mu[e])
				scale[0] += math.Abs(q)
				scale[1] += math.Abs(q * g[e] / mu[e])
				want[2] = max(want[2], g[e]/mu[e])
			}
			want[0], want[1] = cg.value(), ch.value()
			scale[2] = want[2]
			return want, scale
		}
		check := func(what string, got [3]float64, want, scale [3]float64) {
			t.Helper()
			for i, name := range []string{"gradient", "curvature", "peak"} {
				if math.Abs(got[i]-want[i]) > 1e-13*scale[i] {
					t.Fatalf("m = %d, %s: %s %v, want %v", m, what, name, got[i], want[i])
				}
			}
		}
		var got [3]float64
		got[0], got[1], got[2] = GradSums(next, x, inv)
		want, scale := sums(next, mu)
		check("GradSums", got, want, scale)
		var ref [3]float64
		ref[0], ref[1], ref[2] = gradSumsGo(next, x, inv)
		check("GradSums against the Go loop", got, ref, scale)

		// Down steps shrink no rate by more than a fifth, as CD's own
		// bound on them keeps every μ well away from zero.
		down := 1.0
		for e := range mu {
			down = min(down, mu[e]/prev[e])
		}
		for _, delta := range []float64{0.3, 0, -0.2 * down} {
			pad := func(v []float64) []float64 { return append(slices.Clone(v), 42) }
			mu1, inv1 := pad(mu), pad(inv)
			mu2, inv2 := pad(mu), pad(inv)
			got[0], got[1], got[2] = StepSums(mu1[:m], inv1[:m], x, prev, next, delta)
			ref[0], ref[1], ref[2] = stepSumsGo(mu2[:m], inv2[:m], x, prev, next, delta)
			if mu1[m] != 42 || inv1[m] != 42 {
				t.Fatalf("m = %d: StepSums wrote past the end", m)
			}
			moved := make([]float64, m)
			for e := range m {
				moved[e] = mu[e] + delta*prev[e]
				for _, v := range [][2]float64{{mu1[e], moved[e]}, {inv1[e], 1 / moved[e]}, {mu2[e], moved[e]}, {inv2[e], 1 / moved[e]}} {
					if math.Abs(v[0]-v[1]) > 1e-15*math.Abs(v[1]) {
						t.Fatalf("m = %d, delta %v, element %d: %v, want %v", m, delta, e, v[0], v[1])
					}
				}
			}
			want, scale := sums(next, moved)
			check("StepSums", got, want, scale)
			check("StepSums against the Go loop", got, ref, scale)
		}
	}
}

// BenchmarkStepSums times StepSums on 300 rates (a synthetic column) and
// on 8, where what a call costs whatever its length shows: one pass's
// chain of latencies (the update, the division, the sums, their
// reduction), which each coordinate waits for before the next can start.
func BenchmarkStepSums(b *testing.B) {
	for _, m := range []int{8, 300} {
		b.Run(fmt.Sprintf("m=%d", m), func(b *testing.B) { benchStepSums(b, m) })
	}
}

func benchStepSums(b *testing.B, m int) {
	r := rand.New(rand.NewPCG(1, 2))
	all := mixed(r, 4*m+120)
	mu, inv, x, g := all[:m], all[m+40:2*m+40], all[2*m+80:3*m+80], all[3*m+120:4*m+120]
	for e := range x {
		x[e] = 1
	}
	for b.Loop() {
		StepSums(mu, inv, x, g, g, 0)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*m), "ns/elem")
}

// BenchmarkGradSums times GradSums on 300 rates, for comparison with
// StepSums.
func BenchmarkGradSums(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	const m = 300
	inv, x, g := mixed(r, m), make([]float64, m), mixed(r, m)
	for e := range x {
		x[e] = 1
	}
	for b.Loop() {
		GradSums(g, x, inv)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*m), "ns/elem")
}

// BenchmarkGatherRows times GatherRows at K = 50 for m entries drawn
// from 5000 rows (the synthetic matrix's columns), at GatherStride's
// stride and, for comparison, at a stride of m.
func BenchmarkGatherRows(b *testing.B) {
	for _, m := range []int{64, 128, 300, 1000} {
		for _, padded := range []bool{true, false} {
			b.Run(fmt.Sprintf("m=%d/padded=%v", m, padded), func(b *testing.B) {
				r := rand.New(rand.NewPCG(3, 4))
				const rows, k = 5000, 50
				g, f := mixed(r, rows*k), mixed(r, k)
				idx := make([]int32, m)
				for e := range idx {
					idx[e] = int32(r.IntN(rows))
				}
				stride := m
				if padded {
					stride = GatherStride(m)
				}
				gt, mu := make([]float64, k*stride), make([]float64, m)
				for b.Loop() {
					GatherRows(gt, mu, g, f, idx, stride)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*m*k), "ns/nnz/factor")
			})
		}
	}
}
