package sparse

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/model"
)

// underflow is the threshold below which S_ui is taken to have lost its
// precision to underflow (subnormals start at 2.2e-308; a margin of 28
// orders keeps K products of that size representable). In log mode such
// a non-zero is recomputed by log-sum-exp over k (docs/MATH.md section 3);
// otherwise S is clamped to this value so that r stays finite.
const underflow = 1e-280

// Logs gives a pass the log-domain factors behind A and B, for non-zeros
// whose S_ui underflows: A_uk = exp(LogA_uk − MaxA_u) and
// B_ik = exp(LogB_ik − MaxB_i). With Logs the pass's sum is the exact
// Σ x_ui log Σ_k exp(LogA_uk + LogB_ik).
type Logs struct {
	LogA, LogB []float64 // n × K and p × K, row-major
	MaxA, MaxB []float64 // the shifts, n and p
}

// The data term a pass returns depends on whether it is given Logs. With
// Logs (CAVI) it is Σ x_ui log Σ_k exp(LogA_uk + LogB_ik), the ELBO's
// likelihood term. Without (maximum likelihood) it is
// Σ x_ui log(x_ui / S_ui) = Σ x log r, the divergence's own term, summed
// as such: writing it as Σ x log x − Σ x log S would cancel
// catastrophically for counts of 1e15, leaving a divergence off by whole
// nats, even negative.
//
// Kernel runs ratio passes over one count matrix at one K. A Kernel holds
// scratch space: one pass at a time.
type Kernel struct {
	x          *model.Counts
	k          int
	rows, cols parallel.Chunks
	ratio      []float64 // r_ui in CSC order, from the last two-sided pass
	cscOf      []int32   // the CSC position of each CSR entry
	scratch    []scratch
}

// New returns a kernel for x and K factors. Rows and columns are cut into
// chunks of balanced non-zeros; the chunks, and so every result, depend
// only on x.
func New(x *model.Counts, k int) *Kernel {
	if k <= 0 {
		panic(fmt.Sprintf("sparse: K = %d", k))
	}
	// A row costs its non-zeros plus one element-wise product of length
	// K, about one non-zero's worth.
	return &Kernel{
		x:    x,
		k:    k,
		rows: parallel.Balanced(x.Rows(), 1, func(u int) int64 { return int64(x.RowNNZ(u)) }),
		cols: parallel.Balanced(x.Cols(), 1, func(i int) int64 { return int64(x.ColNNZ(i)) }),
	}
}

// RowChunks returns the fixed row chunks, for callers whose own per-row
// work and reductions must follow the same worker-independent partition.
func (kn *Kernel) RowChunks() parallel.Chunks { return kn.rows }

// ColChunks returns the fixed column chunks.
func (kn *Kernel) ColChunks() parallel.Chunks { return kn.cols }

func (kn *Kernel) checkDims(a, b []float64, logs *Logs) {
	n, p := kn.x.Dims()
	if len(a) != n*kn.k || len(b) != p*kn.k {
		panic(fmt.Sprintf("sparse: factor sizes %d, %d for %d × %d at K = %d", len(a), len(b), n, p, kn.k))
	}
	if logs != nil && (len(logs.LogA) != len(a) || len(logs.LogB) != len(b) || len(logs.MaxA) != n || len(logs.MaxB) != p) {
		panic("sparse: log factor sizes do not match")
	}
}

// scratch is one worker's space in a pass: acc and direct (K each: the
// sum of ratio-weighted factor rows, and the log-domain non-zeros'
// share) and, as long as the longest row or column, the rates S of its
// non-zeros and (CSC passes without stored ratios) its counts gathered
// in column order.
type scratch struct {
	acc, direct   []float64
	rates, counts []float64
}

// startDirect clears direct the first time a row or column needs it
// (started false), and returns true.
func (sc *scratch) startDirect(started bool) bool {
	if !started {
		clear(sc.direct)
	}
	return true
}

// finish writes out = own ⊙ acc, plus direct when the row or column had
// non-zeros in the log domain.
func (sc *scratch) finish(out, own []float64, logDomain bool) {
	floats.MulTo(out, own, sc.acc)
	if logDomain {
		floats.Add(out, sc.direct)
	}
}

func (kn *Kernel) ensureScratch(workers int) {
	workers = parallel.Workers(workers)
	if len(kn.scratch) >= workers {
		return
	}
	longest := 0
	for u := range kn.x.Rows() {
		longest = max(longest, kn.x.RowNNZ(u))
	}
	for i := range kn.x.Cols() {
		longest = max(longest, kn.x.ColNNZ(i))
	}
	for len(kn.scratch) < workers {
		kn.scratch = append(kn.scratch, scratch{
			acc: make([]float64, kn.k), direct: make([]float64, kn.k),
			rates: make([]float64, longest), counts: make([]float64, longest),
		})
	}
}

// TwoSided computes outA = A ⊙ (R B) and outB = B ⊙ (Rᵀ A) with one ratio
// per non-zero, and returns the objective's data term (see Logs: with logs,
// the exact Σ x_ui log Σ_k exp(LogA_uk + LogB_ik)). logs may be nil. The factors are
// n × K and p × K row-major; outA and outB are overwritten.
func (kn *Kernel) TwoSided(workers int, a, b []float64, logs *Logs, outA, outB []float64) float64 {
	kn.checkDims(a, b, logs)
	kn.checkDims(outA, outB, nil)
	if kn.ratio == nil {
		kn.ratio = make([]float64, kn.x.NNZ())
		_, _, pos := kn.x.CSC()
		kn.cscOf = make([]int32, len(pos))
		for d, e := range pos {
			kn.cscOf[e] = int32(d)
		}
	}
	s := kn.rowPass(workers, a, b, logs, outA, kn.ratio)
	kn.colPass(workers, a, b, logs, outB, kn.ratio, false)
	return s + kn.shiftSum(logs)
}

// RowSide computes outA = A ⊙ (R B) alone and returns the data term: the
// first half-step of a Lee–Seung iteration.
func (kn *Kernel) RowSide(workers int, a, b []float64, logs *Logs, outA []float64) float64 {
	kn.checkDims(a, b, logs)
	if len(outA) != len(a) {
		panic("sparse: output size does not match")
	}
	return kn.rowPass(workers, a, b, logs, outA, nil) + kn.shiftSum(logs)
}

// ColSide computes outB = B ⊙ (Rᵀ A) alone, with ratios from the current A
// and B, and returns the data term: the second half-step of a Lee–Seung
// iteration.
func (kn *Kernel) ColSide(workers int, a, b []float64, logs *Logs, outB []float64) float64 {
	kn.checkDims(a, b, logs)
	if len(outB) != len(b) {
		panic("sparse: output size does not match")
	}
	return kn.colPass(workers, a, b, logs, outB, nil, true) + kn.shiftSum(logs)
}

// ColSideProducts is ColSide without the sum, saving a log per non-zero:
// for callers that take the objective from another pass.
func (kn *Kernel) ColSideProducts(workers int, a, b []float64, outB []float64) {
	kn.checkDims(a, b, nil)
	if len(outB) != len(b) {
		panic("sparse: output size does not match")
	}
	kn.colPass(workers, a, b, nil, outB, nil, false)
}

// shiftSum returns Σ_u MaxA_u · rowsum_u + Σ_i MaxB_i · colsum_i, which
// turns the log-mode sum Σ x log S into Σ x log Σ_k exp(LogA + LogB).
func (kn *Kernel) shiftSum(logs *Logs) float64 {
	if logs == nil {
		return 0
	}
	var s float64
	for u, m := range logs.MaxA {
		s += m * kn.x.RowSum(u)
	}
	for i, m := range logs.MaxB {
		s += m * kn.x.ColSum(i)
	}
	return s
}

// rowPass is the CSR pass. When ratio is non-nil it records r_ui for each
// non-zero at the non-zero's CSC position, or −1 for a non-zero handled
// in the log domain.
func (kn *Kernel) rowPass(workers int, a, b []float64, logs *Logs, outA, ratio []float64) float64 {
	kn.ensureScratch(workers)
	K := kn.k
	rowPtr, colIdx, val := kn.x.CSR()
	return kn.rows.Sum(workers, func(w, lo, hi int) float64 {
		sc := &kn.scratch[w]
		acc := sc.acc
		var sum float64 // the log-domain non-zeros' share
		logs1 := newLogSum()
		for u := lo; u < hi; u++ {
			au := a[u*K : (u+1)*K : (u+1)*K]
			clear(acc)
			first := rowPtr[u]
			idx, xs := colIdx[first:rowPtr[u+1]], val[first:rowPtr[u+1]]
			rates := sc.rates[:len(idx)]
			ratioAccum(au, b, idx, xs, acc, rates, underflow)
			logDomain := false
			for j, s := range rates {
				x := xs[j]
				if !(s >= underflow) {
					i := int(idx[j])
					if s < underflow && logs != nil {
						logDomain = sc.startDirect(logDomain)
						sum += addPhi(sc.direct, x, logs, u, i, K)
						if ratio != nil {
							ratio[kn.cscOf[first+int64(j)]] = -1
						}
						continue
					}
					s = max(s, underflow) // NaN stays NaN, and shows
					axpyGo(x/s, b[i*K:(i+1)*K], acc)
				}
				r := x / s
				if ratio != nil {
					ratio[kn.cscOf[first+int64(j)]] = r
				}
				if logs != nil {
					logs1.add(x, s)
				} else {
					logs1.add(x, r)
				}
			}
			sc.finish(outA[u*K:(u+1)*K], au, logDomain)
		}
		return sum + logs1.value()
	})
}

// colPass is the CSC pass. With ratio it reads the ratios of the last row
// pass, in CSC order; without, it computes them from A and B, and with
// wantSum also the data term.
func (kn *Kernel) colPass(workers int, a, b []float64, logs *Logs, outB, ratio []float64, wantSum bool) float64 {
	kn.ensureScratch(workers)
	K := kn.k
	colPtr, rowIdx, pos := kn.x.CSC()
	_, _, val := kn.x.CSR()
	return kn.cols.Sum(workers, func(w, lo, hi int) float64 {
		sc := &kn.scratch[w]
		acc := sc.acc
		var sum float64 // the log-domain non-zeros' share
		logs1 := newLogSum()
		for i := lo; i < hi; i++ {
			bi := b[i*K : (i+1)*K : (i+1)*K]
			clear(acc)
			first, end := colPtr[i], colPtr[i+1]
			idx := rowIdx[first:end]
			logDomain := false
			if ratio != nil {
				if scaledSum(a, idx, ratio[first:end], acc) > 0 {
					for j, r := range ratio[first:end] {
						if r < 0 {
							logDomain = sc.startDirect(logDomain)
							addPhi(sc.direct, val[pos[first+int64(j)]], logs, int(idx[j]), i, K)
						}
					}
				}
				sc.finish(outB[i*K:(i+1)*K], bi, logDomain)
				continue
			}
			xs, rates := sc.counts[:len(idx)], sc.rates[:len(idx)]
			for j := range xs {
				xs[j] = val[pos[first+int64(j)]]
			}
			missed := ratioAccum(bi, a, idx, xs, acc, rates, underflow)
			if wantSum || missed > 0 {
				for j, s := range rates {
					x := xs[j]
					if !(s >= underflow) {
						u := int(idx[j])
						if s < underflow && logs != nil {
							logDomain = sc.startDirect(logDomain)
							sum += addPhi(sc.direct, x, logs, u, i, K)
							continue
						}
						s = max(s, underflow) // NaN stays NaN, and shows
						axpyGo(x/s, a[u*K:(u+1)*K], acc)
					}
					if wantSum {
						if logs != nil {
							logs1.add(x, s)
						} else {
							logs1.add(x, x/s)
						}
					}
				}
			}
			sc.finish(outB[i*K:(i+1)*K], bi, logDomain)
		}
		return sum + logs1.value()
	})
}

// addPhi handles one non-zero in the log domain: with
// l_k = LogA_uk + LogB_ik and L = log Σ_k exp(l_k), it adds
// x φ_uik = x exp(l_k − L) to dst and returns x (L − MaxA_u − MaxB_i), the
// non-zero's share of Σ x log S before the shifts are added back.
func addPhi(dst []float64, x float64, logs *Logs, u, i, K int) float64 {
	la := logs.LogA[u*K : (u+1)*K]
	lb := logs.LogB[i*K : (i+1)*K]
	m := math.Inf(-1)
	for k := range la {
		m = max(m, la[k]+lb[k])
	}
	var z float64
	for k := range la {
		z += math.Exp(la[k] + lb[k] - m)
	}
	l := m + math.Log(z)
	for k := range la {
		dst[k] += x * math.Exp(la[k]+lb[k]-l)
	}
	return x * (l - logs.MaxA[u] - logs.MaxB[i])
}
