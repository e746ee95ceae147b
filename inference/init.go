package inference

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/poisfact/poisfact/internal/pcg"
	"github.com/poisfact/poisfact/mle"
)

// InitMethod names a way to start CAVI (docs/MATH.md section 6).
type InitMethod int

const (
	// InitDefault is the default start, InitJitter with DefaultJitter.
	InitDefault InitMethod = iota
	// InitJitter sets every shape and rate to its prior value times
	// (1 + Jitter·u), u uniform on [0, 1), drawn afresh for each.
	InitJitter
	// InitPrior draws ξ, θ, η and β from the generative model and starts
	// each variational factor with its prior shape and the mean drawn.
	InitPrior
	// InitNMF runs NMFIters multiplicative updates of KL-NMF (Poisson
	// maximum likelihood) from a random start and turns W and H into
	// shapes and rates as one CAVI step would from φ ∝ W_uk H_ik.
	InitNMF
	// InitUniform is the start of the original HPF code, which hpfrec
	// and hgaprec keep: every weight shape and rate at a' + Jitter·u
	// (an absolute jitter, u uniform on [0, 1)), so that E θ starts near
	// 1, and every activity rate at b', so that E ξ starts at κˢ/b'.
	InitUniform
)

// DefaultJitter is the relative jitter of the default start: measured
// against 0.03, 0.5, InitPrior and InitNMF on three shared data sets and
// three seeds (README, "Held-out quality"), the small jitter gave the best
// held-out log-likelihood and as good a ranking as any.
const DefaultJitter = 0.01

// DefaultNMFIters is the number of KL-NMF iterations of InitNMF.
const DefaultNMFIters = 20

// String returns the start's name as the command line spells it.
func (m InitMethod) String() string {
	switch m {
	case InitDefault:
		return "default"
	case InitJitter:
		return "jitter"
	case InitPrior:
		return "prior"
	case InitNMF:
		return "nmf"
	case InitUniform:
		return "uniform"
	}
	return fmt.Sprintf("InitMethod(%d)", int(m))
}

// ParseInitMethod returns the start named s ("jitter", "prior", "nmf" or
// "default").
func ParseInitMethod(s string) (InitMethod, error) {
	if m, ok := parseName(s, InitDefault, InitUniform); ok {
		return m, nil
	}
	return 0, fmt.Errorf("inference: unknown start %q: want jitter, prior, nmf or uniform", s)
}

// Init configures the starting point of CAVI. The zero value is the
// default start.
type Init struct {
	// Method is the kind of start.
	Method InitMethod
	// Jitter is the relative size of the uniform jitter of InitJitter
	// and InitDefault. Zero means DefaultJitter.
	Jitter float64
	// NMFIters is the number of KL-NMF iterations of InitNMF. Zero means
	// DefaultNMFIters.
	NMFIters int
	// NMFRows is the number of rows, drawn without replacement from the
	// restart's seed, that the KL-NMF fit of InitNMF sees: the columns
	// start from its H, its factors scaled to the whole matrix, the rows
	// drawn from its W, and the other rows at their prior values (the
	// columns break the symmetry between factors). Zero means every row,
	// except in SVI (see SVINMFMinRows); n or more also means every row.
	NMFRows int
}

func (in Init) validate() error {
	switch {
	case in.Method < InitDefault || in.Method > InitUniform:
		return fmt.Errorf("inference: unknown start %d", int(in.Method))
	case in.Jitter < 0 || math.IsNaN(in.Jitter) || math.IsInf(in.Jitter, 0):
		return fmt.Errorf("inference: start jitter %v: want a finite number ≥ 0", in.Jitter)
	case in.NMFIters < 0:
		return fmt.Errorf("inference: %d KL-NMF iterations for the start: want 0 (default) or more", in.NMFIters)
	case in.NMFRows < 0:
		return fmt.Errorf("inference: KL-NMF start on %d rows: want 0 (default) or more", in.NMFRows)
	}
	return nil
}

// resolved returns the start with its defaults filled in.
func (in Init) resolved() Init {
	if in.Method == InitDefault {
		in.Method = InitJitter
	}
	if in.Jitter == 0 {
		in.Jitter = DefaultJitter
	}
	if in.NMFIters == 0 {
		in.NMFIters = DefaultNMFIters
	}
	return in
}

// start sets both sides' parameters for one restart seeded by seed.
func (f *fitState) start(ctx context.Context, seed uint64) error {
	in := f.s.Init.resolved()
	switch in.Method {
	case InitPrior:
		f.rows.drawFromPrior(rand.NewPCG(seed, 1))
		f.cols.drawFromPrior(rand.NewPCG(seed, 2))
	case InitNMF:
		if err := f.startNMF(ctx, seed, in); err != nil {
			return err
		}
	case InitUniform:
		f.rows.uniform(rand.NewPCG(seed, 1), in.Jitter, 0)
		f.cols.uniform(rand.NewPCG(seed, 2), in.Jitter, 0)
	default:
		f.rows.jitter(rand.NewPCG(seed, 1), in.Jitter, 0, f.rows.m)
		f.cols.jitter(rand.NewPCG(seed, 2), in.Jitter, 0, f.cols.m)
	}
	if q := f.s.FixedColumns; q != nil {
		// The columns' draws above are discarded, so that the rows'
		// start is the same with or without fixed columns.
		f.cols.copyFrom(q.BetaShape, q.BetaRate, q.EtaRate)
	}
	return nil
}

// startNMF is the KL-NMF start (InitNMF): MU on in.NMFRows rows drawn
// from the seed, or on every row. The columns' parameters are those of
// the whole matrix: Σ_u W_uk over the drawn rows, scaled by n over their
// number, stands for the sum over every row, as SVI scales a minibatch.
func (f *fitState) startNMF(ctx context.Context, seed uint64, in Init) error {
	n, k := f.x.Rows(), f.s.K
	x, rows := f.x, []int(nil)
	if in.NMFRows > 0 && in.NMFRows < n {
		rows = drawRows(rand.NewPCG(seed, 4), n, in.NMFRows)
		var err error
		if x, err = f.x.SubRows(rows); err != nil {
			return fmt.Errorf("inference: the KL-NMF start: %w", err)
		}
		f.rows.atPrior()
	}
	res, err := mle.Fit(ctx, x, &mle.Settings{
		K: k, MaxIter: in.NMFIters, Tol: -1, Seed: seed, Workers: f.s.Workers, Normalize: mle.NormalizeNone,
	})
	if err != nil {
		return fmt.Errorf("inference: the KL-NMF start: %w", err)
	}
	w, h := res.W.RawMatrix().Data, res.H.RawMatrix().Data
	rowScale := float64(n) / float64(x.Rows())
	balance(w, h, k, rowScale)
	sumW := columnSums(w, k)
	for j := range sumW {
		sumW[j] *= rowScale
	}
	f.rows.fromFactor(w, columnSums(h, k), rows)
	f.cols.fromFactor(h, sumW, nil)
	return nil
}

// drawRows returns m of the rows 0..n-1 drawn without replacement, in
// ascending order (so that their sub-matrix is read in the matrix's own
// order).
func drawRows(src rand.Source, n, m int) []int {
	// A partial Fisher–Yates shuffle: O(n) memory once, O(m) draws.
	r := rand.New(src)
	perm := make([]int, n)
	for u := range perm {
		perm[u] = u
	}
	for b := 0; b < m; b++ {
		c := b + r.IntN(n-b)
		perm[b], perm[c] = perm[c], perm[b]
	}
	rows := perm[:m]
	slices.Sort(rows)
	return rows
}

// copyFrom sets the side's parameters to a fitted posterior's.
func (s *side) copyFrom(shape, rate *mat.Dense, actRate []float64) {
	copy(s.shape, mat.DenseCopyOf(shape).RawMatrix().Data)
	copy(s.rate, mat.DenseCopyOf(rate).RawMatrix().Data)
	copy(s.actRate, actRate)
}

// jitter sets every shape and rate to its prior value times (1 + size·u)
// with u uniform on [0, 1): shapes start at a, weight rates at the prior
// mean of the activity b', activity rates at κˢ/b' so that E ξ starts
// near b'. The jitter breaks the symmetry between factors.
//
// The side may be rows lo..lo+m of a side of total rows (a shard of a
// distributed fit): the draws are those the whole side takes for these
// rows, the stream skipped past the others (two draws per weight, then
// one per activity), so that a shard starts as its rows start in one
// process.
func (s *side) jitter(src *rand.PCG, size float64, lo, total int) {
	k := uint64(s.k)
	pcg.Skip(src, 2*uint64(lo)*k)
	r := rand.New(src)
	for j := range s.shape {
		s.shape[j] = s.a * (1 + size*r.Float64())
		s.rate[j] = s.bPrime * (1 + size*r.Float64())
	}
	if s.actRate == nil {
		return
	}
	pcg.Skip(src, 2*uint64(total-lo-s.m)*k+uint64(lo))
	for u := range s.actRate {
		s.actRate[u] = s.actShape / s.bPrime * (1 + size*r.Float64())
	}
}

// atPrior sets every shape and rate to its prior value, as jitter does
// with a jitter of zero, and draws nothing.
func (s *side) atPrior() {
	for j := range s.shape {
		s.shape[j], s.rate[j] = s.a, s.bPrime
	}
	for u := range s.actRate {
		s.actRate[u] = s.actShape / s.bPrime
	}
}

// uniform sets every weight shape and rate to a' + size·u, u uniform on
// [0, 1), and every activity rate to b'; for rows lo.. of a larger side
// as jitter.
func (s *side) uniform(src *rand.PCG, size float64, lo int) {
	pcg.Skip(src, 2*uint64(lo)*uint64(s.k))
	r := rand.New(src)
	for j := range s.shape {
		s.shape[j] = s.aPrime + size*r.Float64()
		s.rate[j] = s.aPrime + size*r.Float64()
	}
	for u := range s.actRate {
		s.actRate[u] = s.bPrime
	}
}

// minDraw keeps a weight drawn from the prior away from zero, where its
// rate would overflow: Gamma(0.3, ·) puts real mass below 1e-300.
const minDraw = 1e-12

// drawFromPrior draws ξ_u ~ Gamma(a', a'/b') (b' when fixed) and θ_uk ~
// Gamma(a, ξ_u), and starts q(θ_uk) at shape a with mean θ_uk and q(ξ_u)
// at its shape with mean ξ_u.
func (s *side) drawFromPrior(src rand.Source) {
	act := distuv.Gamma{Alpha: s.aPrime, Beta: s.aPrime / s.bPrime, Src: src}
	for u := 0; u < s.m; u++ {
		xi := s.bPrime
		if !s.fixed {
			xi = max(act.Rand(), minDraw)
			s.actRate[u] = s.actShape / xi
		}
		w := distuv.Gamma{Alpha: s.a, Beta: xi, Src: src}
		for j := u * s.k; j < (u+1)*s.k; j++ {
			s.shape[j] = s.a
			s.rate[j] = s.a / max(w.Rand(), minDraw)
		}
	}
}

// fromFactor starts rows of the side from a KL-NMF factor f (one row of
// K per entry of rows, or per row of the side when rows is nil) whose
// other factor has column sums other: with φ_uik ∝ f_uk g_ik and the
// other side at its mean g, the CAVI step gives γˢ_uk ≈ a + f_uk·Σ_i g_ik
// (the expected count of factor k in row u at an MU fixed point) and γʳ_uk
// = b' + Σ_i g_ik, so E θ_uk ≈ f_uk. The activity follows from its
// update.
func (s *side) fromFactor(f, other []float64, rows []int) {
	for b := 0; b < len(f)/s.k; b++ {
		u := b
		if rows != nil {
			u = rows[b]
		}
		var sum float64
		for j := 0; j < s.k; j++ {
			e := u*s.k + j
			s.shape[e] = s.a + f[b*s.k+j]*other[j]
			s.rate[e] = s.bPrime + other[j]
			sum += s.shape[e] / s.rate[e]
		}
		if !s.fixed {
			s.actRate[u] = s.aPrime/s.bPrime + sum
		}
	}
}

// balance rescales every factor k of W and H (flat, K columns) so that
// both have the same column sum, W's counted rowScale times (the rows of
// the whole matrix per row W has), leaving W Hᵀ unchanged: the scale of
// a KL-NMF factor is arbitrary, but the HPF priors on θ and β are not.
func balance(w, h []float64, k int, rowScale float64) {
	sw, sh := columnSums(w, k), columnSums(h, k)
	for j := 0; j < k; j++ {
		if !(sw[j] > 0 && sh[j] > 0) {
			continue
		}
		c := math.Sqrt(sh[j] / (rowScale * sw[j]))
		for e := j; e < len(w); e += k {
			w[e] *= c
		}
		for e := j; e < len(h); e += k {
			h[e] /= c
		}
	}
}

// columnSums returns the K column sums of a flat m × K matrix.
func columnSums(a []float64, k int) []float64 {
	s := make([]float64, k)
	for e, v := range a {
		s[e%k] += v
	}
	return s
}
