package special

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestLogExpTo checks LogTo and ExpTo element by element against
// math.Log and math.Exp, to 1 ulp, over arguments spread across their
// whole ranges (log: 1e-307 to 1e308, and 1 ± tiny, where the result is
// near 0 and the absolute error matters; exp: −708 to 709), for every
// length from 0 to 67 (the lanes take groups of four, the tail a padded
// group), in place and not, with the same results for every length; and
// that arguments outside the lanes' range
// get math's answers: 0, negative, subnormal, ±Inf, NaN for log; below
// −708 (subnormal results and 0), above 709 (+Inf), NaN for exp.
func TestLogExpTo(t *testing.T) {
	t.Logf("AVX2 and FMA path: %v", useAVX2FMA)
	r := rand.New(rand.NewPCG(3, 4))
	logArgs, expArgs := make([]float64, 4000), make([]float64, 4000)
	for j := range logArgs {
		switch j % 4 {
		case 0:
			logArgs[j] = 1 + (r.Float64()-0.5)*1e-6
		case 1:
			logArgs[j] = 0.5 + r.Float64()*1.5
		default:
			logArgs[j] = math.Pow(10, -307+615*r.Float64())
		}
		expArgs[j] = -708 + 1417*r.Float64()
		if j%5 == 0 {
			expArgs[j] = (r.Float64() - 0.5) * 2
		}
	}
	check := func(name string, f func(dst, src []float64), ref func(float64) float64, args []float64, prefixes bool) {
		got := make([]float64, len(args))
		f(got, args)
		for j, x := range args {
			want := ref(x)
			if got[j] != want && !(math.IsNaN(got[j]) && math.IsNaN(want)) && math.Abs(got[j]-want) > ulpOf(want) {
				t.Fatalf("%s(%v) = %v, math gives %v (%.2g ulps)", name, x, got[j], want, math.Abs(got[j]-want)/ulpOf(want))
			}
		}
		for n := 0; prefixes && n <= 67; n++ {
			in := slices.Clone(args[:n])
			out := make([]float64, n+1)
			out[n] = 42
			f(out, in)
			f(in, in)
			if out[n] != 42 || !slices.Equal(out[:n], got[:n]) || !slices.Equal(in, got[:n]) {
				t.Fatalf("%s of length %d: results differ from the long call's, or wrote past the end", name, n)
			}
		}
	}
	check("LogTo", LogTo, math.Log, logArgs, true)
	check("ExpTo", ExpTo, math.Exp, expArgs, true)
	// Here which elements share a group with an outside one depends on
	// the length, and so their path: only the values are compared.
	check("LogTo outside the lanes", LogTo, math.Log, []float64{2, 0, 3, 4, -1, 5, 6, 7, 1e-310, math.Inf(1), math.Inf(-1), math.NaN(), 8, math.SmallestNonzeroFloat64}, false)
	check("ExpTo outside the lanes", ExpTo, math.Exp, []float64{1, -709, 2, 3, -745.2, -800, 709.5, math.NaN(), 4, math.Inf(-1), math.Inf(1), -707.9}, false)
}

// TestLogExpPaths: with the lanes switched off both functions are
// math's, exactly.
func TestLogExpPaths(t *testing.T) {
	forceGo(true)
	defer forceGo(false)
	args := []float64{0.3, 1, 2.5, 1e-300, 7, 700}
	got := make([]float64, len(args))
	LogTo(got, args)
	for j, x := range args {
		if got[j] != math.Log(x) {
			t.Errorf("Go path: LogTo(%v) = %v, math.Log %v", x, got[j], math.Log(x))
		}
	}
	ExpTo(got, args)
	for j, x := range args {
		if got[j] != math.Exp(x) {
			t.Errorf("Go path: ExpTo(%v) = %v, math.Exp %v", x, got[j], math.Exp(x))
		}
	}
}

// ulpOf returns the spacing of float64s at |v| (the smallest subnormal
// at 0).
func ulpOf(v float64) float64 {
	v = math.Abs(v)
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	return math.Nextafter(v, math.Inf(1)) - v
}

// BenchmarkLogTo times LogTo and ExpTo on a K = 50 row, the size the
// sweep calls them on, against the math package one element at a time.
func BenchmarkLogTo(b *testing.B) {
	src, dst := make([]float64, 50), make([]float64, 50)
	for j := range src {
		src[j] = 0.3 + float64(j)*0.37
	}
	for _, bc := range []struct {
		name   string
		vec    func(dst, src []float64)
		scalar func(float64) float64
	}{{"Log", LogTo, math.Log}, {"Exp", ExpTo, math.Exp}} {
		b.Run(bc.name+"To", func(b *testing.B) {
			for b.Loop() {
				bc.vec(dst, src)
			}
		})
		b.Run("math."+bc.name, func(b *testing.B) {
			for b.Loop() {
				for j, x := range src {
					dst[j] = bc.scalar(x)
				}
			}
		})
	}
}
