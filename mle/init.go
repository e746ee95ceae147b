package mle

import (
	"math"
	"math/rand/v2"
)

// initRandom fills W and H with uniform draws in (0, 1] from PCG streams
// seeded by seed, then scales both by the same factor so that
// Σ μ = Σ_k (Σ W_k)(Σ H_k) equals Σ x.
func (s *state) initRandom(seed uint64) {
	for _, f := range []struct {
		v      []float64
		stream uint64
	}{{s.w, 1}, {s.h, 2}} {
		r := rand.New(rand.NewPCG(seed, f.stream))
		for j := range f.v {
			f.v[j] = 1 - r.Float64() // (0, 1]: MU cannot move an exact zero
		}
	}
	sumW, sumH := s.colSums(s.w, s.rows), s.colSums(s.h, s.cols)
	var mu float64
	for j := range sumW {
		mu += sumW[j] * sumH[j]
	}
	c := math.Sqrt(s.x.Total() / mu)
	for j := range s.w {
		s.w[j] *= c
	}
	for j := range s.h {
		s.h[j] *= c
	}
}

// initNNDSVDa fills W and H by NNDSVD (Boutsidis & Gallopoulos 2008,
// "SVD based initialization: a head start for nonnegative matrix
// factorization") from the leading K singular triplets of X, then sets
// every zero entry to the mean of X, Σ x / (n p), as scikit-learn's
// "nndsvda" does: MU can never move an exact zero.
//
// The first factor is √σ₁ |u₁|, √σ₁ |v₁|. For each later triplet the
// positive and negative parts of u and v are compared and the larger
// pair, normalized, is kept with weight √(σ ‖u±‖ ‖v±‖).
func (s *state) initNNDSVDa(seed uint64) error {
	u, sigma, v, err := truncatedSVD(s.x, s.k, seed, s.workers)
	if err != nil {
		return err
	}
	n, p, k := s.n, s.p, s.k
	clear(s.w)
	clear(s.h)
	for j := 0; j < len(sigma); j++ {
		uj, vj := column(u, n, len(sigma), j), column(v, p, len(sigma), j)
		if j == 0 {
			for i := range uj {
				s.w[i*k] = math.Sqrt(sigma[0]) * math.Abs(uj[i])
			}
			for i := range vj {
				s.h[i*k] = math.Sqrt(sigma[0]) * math.Abs(vj[i])
			}
			continue
		}
		up, un := parts(uj)
		vp, vn := parts(vj)
		nup, nun, nvp, nvn := norm(up), norm(un), norm(vp), norm(vn)
		x, y, nx, ny := up, vp, nup, nvp
		if nun*nvn > nup*nvp {
			x, y, nx, ny = un, vn, nun, nvn
		}
		if nx == 0 || ny == 0 {
			continue
		}
		scale := math.Sqrt(sigma[j] * nx * ny)
		for i := range x {
			s.w[i*k+j] = scale * x[i] / nx
		}
		for i := range y {
			s.h[i*k+j] = scale * y[i] / ny
		}
	}
	mean := s.x.Total() / (float64(n) * float64(p))
	for _, f := range [][]float64{s.w, s.h} {
		for j := range f {
			if f[j] == 0 {
				f[j] = mean
			}
		}
	}
	return nil
}

// column returns column j of a row-major m × c matrix.
func column(a []float64, m, c, j int) []float64 {
	out := make([]float64, m)
	for i := range out {
		out[i] = a[i*c+j]
	}
	return out
}

// parts returns the positive and negative parts max(x, 0), max(−x, 0).
func parts(x []float64) (pos, neg []float64) {
	pos, neg = make([]float64, len(x)), make([]float64, len(x))
	for i, v := range x {
		if v > 0 {
			pos[i] = v
		} else {
			neg[i] = -v
		}
	}
	return pos, neg
}

func norm(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}
