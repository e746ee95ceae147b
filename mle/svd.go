package mle

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/poisfact/poisfact/model"
)

// denseSVDCells is the size up to which the SVD is taken of the dense
// matrix (32 MiB of float64): exact and fast enough.
var denseSVDCells = 1 << 22 // a variable so that tests can force the randomized path

// truncatedSVD returns the leading r = min(k, n, p) singular triplets of
// X: U (n × r) and V (p × r) row-major, and σ. Small matrices use gonum's
// dense SVD. Larger ones use the randomized range finder of Halko,
// Martinsson & Tropp (2011, algorithm 4.4 with q = 4 power iterations and
// k + 10 columns of oversampling), whose products with X run over the
// sparse non-zeros, followed by a dense SVD of the small projected matrix.
func truncatedSVD(x *model.Counts, k int, seed uint64, workers int) (u, sigma, v []float64, err error) {
	n, p := x.Dims()
	r := min(k, n, p)
	var a *mat.Dense
	var q *mat.Dense // with the randomized method, A = Qᵀ X and U = Q U_A
	if n*p <= denseSVDCells {
		if a, err = x.Dense(); err != nil {
			return nil, nil, nil, err
		}
	} else {
		q = rangeFinder(x, min(k+10, n, p), 4, seed)
		a = mulQtX(q, x)
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, nil, nil, fmt.Errorf("mle: NNDSVD initialization: the SVD did not converge")
	}
	var ua, va mat.Dense
	svd.UTo(&ua)
	svd.VTo(&va)
	vals := svd.Values(nil)
	if q != nil {
		var full mat.Dense
		full.Mul(q, &ua)
		ua = full
	}
	u = make([]float64, n*r)
	v = make([]float64, p*r)
	for i := 0; i < n; i++ {
		for j := 0; j < r; j++ {
			u[i*r+j] = ua.At(i, j)
		}
	}
	for i := 0; i < p; i++ {
		for j := 0; j < r; j++ {
			v[i*r+j] = va.At(i, j)
		}
	}
	return u, vals[:r], v, nil
}

// rangeFinder returns an n × l matrix with orthonormal columns whose span
// approximates the range of X: Q = orth((X Xᵀ)^q X Ω) for a Gaussian Ω,
// re-orthonormalized after every product for stability.
func rangeFinder(x *model.Counts, l, q int, seed uint64) *mat.Dense {
	_, p := x.Dims()
	rnd := rand.New(rand.NewPCG(seed, 7))
	omega := mat.NewDense(p, l, nil)
	for i := 0; i < p; i++ {
		for j := 0; j < l; j++ {
			omega.Set(i, j, rnd.NormFloat64())
		}
	}
	y := orth(mulX(x, omega))
	for range q {
		z := orth(mulXt(x, y))
		y = orth(mulX(x, z))
	}
	return y
}

// orth returns an n × l matrix whose orthonormal columns span those of a,
// by modified Gram–Schmidt applied twice ("twice is enough", Giraud et
// al. 2005), in O(n l²). A column that vanishes against the others is left
// zero. gonum's QR would build the full n × n Q.
func orth(a *mat.Dense) *mat.Dense {
	n, l := a.Dims()
	q := mat.DenseCopyOf(a)
	col := make([][]float64, l)
	for j := range col {
		col[j] = make([]float64, n)
		mat.Col(col[j], j, q)
	}
	for pass := 0; pass < 2; pass++ {
		for j := 0; j < l; j++ {
			for i := 0; i < j; i++ {
				floats.AddScaled(col[j], -floats.Dot(col[i], col[j]), col[i])
			}
			if nrm := floats.Norm(col[j], 2); nrm > 0 {
				floats.Scale(1/nrm, col[j])
			}
		}
	}
	for j := range col {
		q.SetCol(j, col[j])
	}
	return q
}

// mulX returns X B for a p × l B, over the non-zeros.
func mulX(x *model.Counts, b *mat.Dense) *mat.Dense {
	n, _ := x.Dims()
	_, l := b.Dims()
	out := mat.NewDense(n, l, nil)
	for u := 0; u < n; u++ {
		cols, vals := x.Row(u)
		row := out.RawRowView(u)
		for e, i := range cols {
			for j, bv := range b.RawRowView(int(i)) {
				row[j] += vals[e] * bv
			}
		}
	}
	return out
}

// mulXt returns Xᵀ B for an n × l B, over the non-zeros.
func mulXt(x *model.Counts, b *mat.Dense) *mat.Dense {
	_, p := x.Dims()
	_, l := b.Dims()
	out := mat.NewDense(p, l, nil)
	for u := 0; u < x.Rows(); u++ {
		cols, vals := x.Row(u)
		bu := b.RawRowView(u)
		for e, i := range cols {
			row := out.RawRowView(int(i))
			for j, bv := range bu {
				row[j] += vals[e] * bv
			}
		}
	}
	return out
}

// mulQtX returns Qᵀ X (l × p) for an n × l Q.
func mulQtX(q *mat.Dense, x *model.Counts) *mat.Dense {
	t := mulXt(x, q) // p × l = Xᵀ Q
	return mat.DenseCopyOf(t.T())
}
