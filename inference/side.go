package inference

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/special"
	"github.com/poisfact/poisfact/model"
)

// side holds one side of the model, rows (θ, ξ) or columns (β, η), in the
// flat layout the kernel wants. The two sides follow the same equations
// with (a, a', b') for rows and (c, c', d') for columns, so one type
// serves both; comments use the row names.
type side struct {
	m, k int
	// Hyperparameters: weight shape a, activity shape a', activity mean b'.
	a, aPrime, bPrime float64
	fixed             bool // non-hierarchical: ξ_u = b', not inferred

	shape, rate []float64 // γˢ, γʳ: m × K
	actShape    float64   // κˢ = a' + K a, the same for every row
	actRate     []float64 // κʳ: m (nil when fixed)

	// Derived from the current parameters by sweep, for the kernel and
	// the ELBO: E log θ, its row maximum, exp(E log θ − max), E θ.
	logF, shift, fac, mean []float64

	// chunks cut the rows for the per-row work (sweep, copies, SVI's
	// steps), whose cost is K special functions a row, whatever the row's
	// non-zeros: balanced by rows (and masked cells), not by non-zeros as
	// the kernel's passes are. Cut by non-zeros, a chunk of rare words
	// held a tenth of a side's sweep on newsgroups20 and two workers
	// waited on it.
	chunks parallel.Chunks

	// maskPtr and maskIdx list, per row, the columns of the masked cells
	// (Settings.Mask): CSR of the mask for rows, CSC for columns. nil when
	// nothing is masked.
	maskPtr []int64
	maskIdx []int32

	// Constants of the ELBO terms, and log b' for a fixed activity.
	lgA, lgAPrime, psiActShape, lgActShape, logBPrime float64

	// work holds each worker's K-vectors for a row: ψ and log Γ of the
	// shapes and the log of the rates, computed a row at a time so that
	// they run four lanes wide. They are parallel.Private buffers, off
	// one another's cache lines, since every worker writes its own at
	// every row.
	work [][3][]float64

	// sweeper runs sweep's per-row work over the chunks, bound once (so
	// that a sweep allocates nothing) to read its arguments from args.
	sweeper *parallel.Reducer
	args    sweepArgs
}

// sweepArgs are one sweep's arguments, for the bound sweeper.
type sweepArgs struct {
	phi, otherSum, otherMean []float64
	addMasked                bool
}

// workFor returns worker w's row buffers, allocated on first use.
func (s *side) workFor(w int) (psi, lgamma, logRate []float64) {
	for len(s.work) <= w {
		s.work = append(s.work, [3][]float64{parallel.Private(s.k), parallel.Private(s.k), parallel.Private(s.k)})
	}
	b := s.work[w]
	return b[0], b[1], b[2]
}

func newSide(m, k int, a, aPrime, bPrime float64, fixed bool) *side {
	s := &side{
		m: m, k: k, a: a, aPrime: aPrime, bPrime: bPrime, fixed: fixed,
		shape: make([]float64, m*k), rate: make([]float64, m*k),
		logF: make([]float64, m*k), shift: make([]float64, m),
		fac: make([]float64, m*k), mean: make([]float64, m*k),
		chunks: rowChunks(m, nil),
	}
	s.lgA = special.LogGamma(a)
	s.lgAPrime = special.LogGamma(aPrime)
	s.logBPrime = math.Log(bPrime)
	if !fixed {
		s.actShape = aPrime + float64(k)*a
		s.actRate = make([]float64, m)
		s.psiActShape, s.lgActShape = special.DigammaLogGamma(s.actShape)
	}
	return s
}

// maskedCellCost is the cost of a masked cell in a row's sweep (K
// subtractions, and K multiply-adds for the ELBO) against the row's own
// work (K digammas, log-gammas, logarithms and exponentials), about a
// sixteenth.
const maskedCellCost = 16

// rowChunks cuts m rows into the chunks of the per-row work, given the
// per-row masked cells (CSR pointers; nil for none).
func rowChunks(m int, maskPtr []int64) parallel.Chunks {
	return parallel.Balanced(m, maskedCellCost, func(u int) int64 {
		if maskPtr == nil {
			return 0
		}
		return maskPtr[u+1] - maskPtr[u]
	})
}

// setMask sets the side's masked cells (maskPtr, maskIdx: per row, the
// columns of its masked cells) and cuts its chunks again by them.
func (s *side) setMask(maskPtr []int64, maskIdx []int32) {
	s.maskPtr, s.maskIdx = maskPtr, maskIdx
	s.chunks, s.sweeper = rowChunks(s.m, maskPtr), nil
}

// activity returns E[ξ_u], E[log ξ_u] and log κʳ_u (0 when ξ is fixed):
// one logarithm per row, which the ELBO's activity term shares.
func (s *side) activity(u int) (mean, logMean, logRate float64) {
	if s.fixed {
		return s.bPrime, s.logBPrime, 0
	}
	lr := math.Log(s.actRate[u])
	return s.actShape / s.actRate[u], s.psiActShape - lr, lr
}

// activityMean returns E[ξ_u] alone.
func (s *side) activityMean(u int) float64 {
	if s.fixed {
		return s.bPrime
	}
	return s.actShape / s.actRate[u]
}

// sweep runs over every row, in parallel on the fixed chunks. With phi
// non-nil it first applies the CAVI updates of docs/MATH.md section 3
// (steps 2 and 3 for rows, 4 and 5 for columns):
//
//	γˢ_uk = a + Σ_i x_ui φ_uik            (phi)
//	γʳ_uk = E[ξ_u] + Σ_i E[β_ik]          (otherSum, over all columns)
//	κʳ_u  = a'/b' + Σ_k γˢ_uk / γʳ_uk
//
// where, with a mask, the sum over columns leaves out the masked cells of
// row u (otherSum minus their E β from otherMean). Then, for the new
// parameters, it fills logF, shift, fac and mean and returns the side's
// share of the ELBO (Σ_u {E log p(ξ_u) + H q(ξ_u)} +
// Σ_uk {E log p(θ_uk | ξ_u) + H q(θ_uk)}) and the column sums Σ_u E θ_uk.
// With addMasked the ELBO share also gets back, for every masked cell,
// the Σ_k E θ_uk E β_ik that the full cross term −Σ_k (Σ_u E θ)(Σ_i E β)
// subtracted for it: one side (the columns) does this, so each cell counts
// once. sumMean is the side's own buffer, valid until its next sweep.
func (s *side) sweep(workers int, phi, otherSum, otherMean []float64, addMasked bool) (elbo float64, sumMean []float64) {
	for w := range parallel.Workers(workers) {
		s.workFor(w) // before the goroutines, which only read s.work
	}
	if s.sweeper == nil {
		s.sweeper = parallel.NewReducer(s.chunks, s.k+1, s.sweepRows)
	}
	s.args = sweepArgs{phi, otherSum, otherMean, addMasked}
	_, v := s.sweeper.Run(workers)
	s.args = sweepArgs{}
	return v[s.k], v[:s.k]
}

// sweepRows is sweep's work on the rows lo..hi−1, as worker w: the ELBO
// share goes into acc[K], the sums of E θ into acc[:K].
func (s *side) sweepRows(w, _, lo, hi int, acc []float64) float64 {
	k := s.k
	phi, otherSum, otherMean, addMasked := s.args.phi, s.args.otherSum, s.args.otherMean, s.args.addMasked
	actRatePrior := s.aPrime / s.bPrime
	logActRatePrior := math.Log(actRatePrior)
	psi, lgs, logRate := s.workFor(w)
	var local float64
	for u := lo; u < hi; u++ {
		shape, rate := s.shape[u*k:(u+1)*k], s.rate[u*k:(u+1)*k]
		mean := s.mean[u*k : (u+1)*k]
		if phi != nil {
			eAct := s.activityMean(u)
			for j := range shape {
				shape[j] = s.a + phi[u*k+j]
				rate[j] = eAct + otherSum[j]
			}
			if s.maskPtr != nil {
				for e := s.maskPtr[u]; e < s.maskPtr[u+1]; e++ {
					i := int(s.maskIdx[e])
					floats.Sub(rate, otherMean[i*k:(i+1)*k])
				}
			}
		}
		var sum float64 // Σ_k E θ_uk, the activity's update
		for j := range shape {
			mean[j] = shape[j] / rate[j]
			sum += mean[j]
		}
		if phi != nil && !s.fixed {
			s.actRate[u] = actRatePrior + sum
		}
		eAct, eLogAct, logKr := s.activity(u)
		if !s.fixed {
			local += gammaELBOTerm(s.aPrime, s.lgAPrime, logActRatePrior, actRatePrior, s.actShape, eAct, s.psiActShape, s.lgActShape, logKr)
		}
		s.logsOf(u, psi, lgs, logRate)
		for j := range shape {
			local += gammaELBOTerm(s.a, s.lgA, eLogAct, eAct, shape[j], mean[j], psi[j], lgs[j], logRate[j])
			acc[j] += mean[j]
		}
		if addMasked && s.maskPtr != nil {
			for e := s.maskPtr[u]; e < s.maskPtr[u+1]; e++ {
				i := int(s.maskIdx[e])
				local += floats.Dot(mean, otherMean[i*k:(i+1)*k])
			}
		}
	}
	acc[k] += local
	return 0
}

// logsOf fills, for row u, psi, lgs and logRate with ψ and log Γ of its
// shapes and the log of its rates (a worker's buffers, for the ELBO), and
// the row's E log θ (logF), its maximum (shift) and exp(E log θ − max)
// (fac), all four lanes wide.
func (s *side) logsOf(u int, psi, lgs, logRate []float64) {
	k := s.k
	shape, rate := s.shape[u*k:(u+1)*k], s.rate[u*k:(u+1)*k]
	logF, fac := s.logF[u*k:(u+1)*k], s.fac[u*k:(u+1)*k]
	special.DigammaLogGammaTo(psi, lgs, shape)
	special.LogTo(logRate, rate)
	mx := math.Inf(-1)
	for j := range logF {
		logF[j] = psi[j] - logRate[j]
		if logF[j] > mx { // not max: its NaN and ±0 cases cost a tenth of the row's work; a NaN shows in the ELBO anyway
			mx = logF[j]
		}
	}
	s.shift[u] = mx
	for j := range fac {
		fac[j] = logF[j] - mx
	}
	special.ExpTo(fac, fac)
}

// refreshMeans recomputes E θ for every row from the shapes and rates,
// without the digammas, and returns the column sums Σ_u E θ_uk, in
// parallel over the fixed chunks (SVI's step between batches).
func (s *side) refreshMeans(workers int) []float64 {
	k := s.k
	return s.chunks.SumVec(workers, k, func(_, lo, hi int, acc []float64) {
		for e := lo * k; e < hi*k; e++ {
			s.mean[e] = s.shape[e] / s.rate[e]
			acc[e%k] += s.mean[e]
		}
	})
}

// refreshLogs recomputes E log θ, its row maximum and exp(E log θ − max)
// for the rows (columns of the side) that hold non-zeros of x, the only
// ones a pass over x reads.
func (s *side) refreshLogs(x *model.Counts) {
	psi, lgs, logRate := s.workFor(0)
	for i := 0; i < x.Cols(); i++ {
		if x.ColNNZ(i) == 0 {
			continue
		}
		s.logsOf(i, psi, lgs, logRate)
	}
}
