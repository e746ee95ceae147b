package compare

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/model"
)

// AssertEquivalent is a test helper for a researcher's own _test.go: it
// fails t unless, for the counts x and factors W (n × K), H (p × K), the
// Poisson NLL and the generalized KL divergence differ by exactly C(X) to
// tol relative, and the analytic gradient, shared by both, agrees with
// central differences of each at 20 entries to 1e-6 relative (of the
// gradient's natural scale; see CheckGradients).
//
//	func TestMyFit(t *testing.T) {
//		w, h := myNMF(x, 10)
//		compare.AssertEquivalent(t, x, w, h, 1e-9)
//	}
func AssertEquivalent(t testing.TB, x *model.Counts, w, h mat.Matrix, tol float64) {
	t.Helper()
	n, k := w.Dims()
	p, kh := h.Dims()
	if n != x.Rows() || p != x.Cols() || k != kh {
		t.Fatalf("compare: factors %d × %d and %d × %d do not fit %d × %d counts", n, k, p, kh, x.Rows(), x.Cols())
		return
	}
	wd, hd := mat.DenseCopyOf(w), mat.DenseCopyOf(h)
	o := Evaluate(x, model.Factors{W: wd, H: hd})
	if dev := math.Abs(o.NLL - o.Divergence - o.C); !(dev <= tol*math.Abs(o.C)) {
		t.Errorf("compare: NLL − D − C(X) = %.3g (NLL %.15g, D %.15g, C(X) %.15g): relative deviation %.3g above %.3g", o.NLL-o.Divergence-o.C, o.NLL, o.Divergence, o.C, dev/math.Abs(o.C), tol)
	}
	var entries []gradEntry
	for j := 0; j < 20; j++ {
		inH := j%2 == 1
		rows := n
		if inH {
			rows = p
		}
		entries = append(entries, gradEntry{inH, (j * 7919) % rows, (j * 104729) % k})
	}
	var d deviations
	fdGradients(x, wd, hd, entries, &d)
	if d.rel > 1e-6 {
		t.Errorf("compare: finite-difference gradients of NLL and D deviate from the analytic gradient by %.3g relative", d.rel)
	}
}
