package sparse

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/poisfact/poisfact/internal/parallel"
	"github.com/poisfact/poisfact/internal/special"
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
	cscVal     []float64 // the counts in CSC order, made by the first column pass
	scratch    []scratch

	// The two passes, bound once to read their arguments from args, so
	// that a pass allocates nothing.
	rowPasser, colPasser *parallel.Reducer
	args                 passArgs
}

// passArgs are one pass's arguments, for the bound passers: the factors
// own (of the side the pass runs over) and other, the output, and whether
// the data term is wanted.
type passArgs struct {
	own, other, out []float64
	logs            *Logs
	wantSum         bool
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
	kn := &Kernel{
		x:    x,
		k:    k,
		rows: parallel.Balanced(x.Rows(), 1, func(u int) int64 { return int64(x.RowNNZ(u)) }),
		cols: parallel.Balanced(x.Cols(), 1, func(i int) int64 { return int64(x.ColNNZ(i)) }),
	}
	rowPtr, colIdx, val := x.CSR()
	colPtr, rowIdx, _ := x.CSC()
	kn.rowPasser = parallel.NewReducer(kn.rows, 0, func(w, _, lo, hi int, _ []float64) float64 {
		return kn.pass(&kn.scratch[w], lo, hi, rowPtr, colIdx, val, &kn.args, false)
	})
	kn.colPasser = parallel.NewReducer(kn.cols, 0, func(w, _, lo, hi int, _ []float64) float64 {
		return kn.pass(&kn.scratch[w], lo, hi, colPtr, rowIdx, kn.cscVal, &kn.args, true) // colPass made cscVal
	})
	return kn
}

// RowChunks returns the fixed row chunks, for callers whose own per-row
// work and reductions must follow the same worker-independent partition.
func (kn *Kernel) RowChunks() parallel.Chunks { return kn.rows }

// ColChunks returns the fixed column chunks.
func (kn *Kernel) ColChunks() parallel.Chunks { return kn.cols }

// ColValues returns the counts in CSC order (entry e of column i at
// colPtr[i]+e), the kernel's own copy: for callers that walk columns too.
// It must not be modified.
func (kn *Kernel) ColValues() []float64 {
	if kn.cscVal == nil {
		// Made on first use: a kernel that only runs row passes (SVI's
		// minibatches, fold-in with the columns held) never needs it.
		_, _, val := kn.x.CSR()
		_, _, pos := kn.x.CSC()
		kn.cscVal = make([]float64, len(pos))
		for d, e := range pos {
			kn.cscVal[d] = val[e]
		}
	}
	return kn.cscVal
}

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
// share) and the rates S of a row's or column's non-zeros, as long as
// the longest. Each is a parallel.Private buffer: the workers write
// theirs at once, acc at every non-zero.
type scratch struct {
	acc, direct, rates []float64
}

// startDirect clears direct the first time a row or column needs it
// (started false), and returns true.
func (sc *scratch) startDirect(started bool) bool {
	if !started {
		clear(sc.direct)
	}
	return true
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
			acc: parallel.Private(kn.k), direct: parallel.Private(kn.k),
			rates: parallel.Private(longest),
		})
	}
}

// TwoSided computes outA = A ⊙ (R B) and outB = B ⊙ (Rᵀ A), both from the
// same A and B, and returns the objective's data term (see Logs: with
// logs, the exact Σ x_ui log Σ_k exp(LogA_uk + LogB_ik)). logs may be
// nil. The factors are n × K and p × K row-major; outA and outB are
// overwritten. The column pass computes each ratio again rather than
// reading the row pass's: K more multiply-adds per non-zero, on a factor
// row it fetches anyway, cost less than storing one float per non-zero
// at a scattered position (measured on the synthetic matrix, pbmc3k and
// newsgroups20 at K = 50), and the rates come out bit for bit the same
// either way, so both passes agree on which non-zeros underflow.
func (kn *Kernel) TwoSided(workers int, a, b []float64, logs *Logs, outA, outB []float64) float64 {
	kn.checkDims(a, b, logs)
	kn.checkDims(outA, outB, nil)
	s := kn.rowPass(workers, a, b, logs, outA)
	kn.colPass(workers, a, b, logs, outB, false)
	return s + kn.shiftSum(logs)
}

// RowSide computes outA = A ⊙ (R B) alone and returns the data term: the
// first half-step of a Lee–Seung iteration.
func (kn *Kernel) RowSide(workers int, a, b []float64, logs *Logs, outA []float64) float64 {
	kn.checkDims(a, b, logs)
	if len(outA) != len(a) {
		panic("sparse: output size does not match")
	}
	return kn.rowPass(workers, a, b, logs, outA) + kn.shiftSum(logs)
}

// ColSide computes outB = B ⊙ (Rᵀ A) alone, with ratios from the current A
// and B, and returns the data term: the second half-step of a Lee–Seung
// iteration.
func (kn *Kernel) ColSide(workers int, a, b []float64, logs *Logs, outB []float64) float64 {
	kn.checkDims(a, b, logs)
	if len(outB) != len(b) {
		panic("sparse: output size does not match")
	}
	return kn.colPass(workers, a, b, logs, outB, true) + kn.shiftSum(logs)
}

// ColSideProducts is ColSide without the sum, saving a log per non-zero:
// for callers that take the objective from another pass.
func (kn *Kernel) ColSideProducts(workers int, a, b []float64, outB []float64) {
	kn.checkDims(a, b, nil)
	if len(outB) != len(b) {
		panic("sparse: output size does not match")
	}
	kn.colPass(workers, a, b, nil, outB, false)
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

// rowPass is the CSR pass.
func (kn *Kernel) rowPass(workers int, a, b []float64, logs *Logs, outA []float64) float64 {
	return kn.run(kn.rowPasser, workers, passArgs{own: a, other: b, out: outA, logs: logs, wantSum: true})
}

// colPass is the CSC pass; with wantSum it also returns the data term.
func (kn *Kernel) colPass(workers int, a, b []float64, logs *Logs, outB []float64, wantSum bool) float64 {
	kn.ColValues() // before the goroutines, which only read it
	return kn.run(kn.colPasser, workers, passArgs{own: b, other: a, out: outB, logs: logs, wantSum: wantSum})
}

// run runs one of the bound passes with args.
func (kn *Kernel) run(passer *parallel.Reducer, workers int, args passArgs) float64 {
	kn.ensureScratch(workers)
	kn.args = args
	s, _ := passer.Run(workers)
	kn.args = passArgs{} // hold no reference to the caller's slices
	return s
}

// pass runs one side's pass over the lines lo..hi−1 (rows in CSR, or
// columns in CSC with the roles of the factors swapped: own is the
// line's factor, other the opposite side's) and writes out = own ⊙ (R
// other) for each; with wantSum it returns the lines' share of the data
// term. byCol says which side own is, for the log-domain factors.
func (kn *Kernel) pass(sc *scratch, lo, hi int, ptr []int64, idxAll []int32, valAll []float64, args *passArgs, byCol bool) float64 {
	own, other, out, logs, wantSum := args.own, args.other, args.out, args.logs, args.wantSum
	K := kn.k
	acc := sc.acc
	var sum float64 // the lines' share of the data term
	for l := lo; l < hi; l++ {
		f := own[l*K : (l+1)*K : (l+1)*K]
		clear(acc)
		idx, xs := idxAll[ptr[l]:ptr[l+1]], valAll[ptr[l]:ptr[l+1]]
		rates := sc.rates[:len(idx)]
		missed := ratioAccum(f, other, idx, xs, acc, rates, underflow)
		logDomain := false
		switch {
		case missed == 0 && wantSum:
			// Σ x log S (or, without logs, Σ x log(x/S)) over the line,
			// the logarithms four lanes at a time, in place: the rates
			// are not needed after.
			if logs == nil {
				for j, s := range rates {
					rates[j] = xs[j] / s
				}
			}
			special.LogTo(rates, rates)
			sum += floats.Dot(xs, rates)
		case missed > 0:
			// A line with underflowed rates (rare): one non-zero at a
			// time, those in the log domain.
			for j, s := range rates {
				x := xs[j]
				if !(s >= underflow) {
					o := int(idx[j])
					if s < underflow && logs != nil {
						logDomain = sc.startDirect(logDomain)
						u, i := l, o
						if byCol {
							u, i = o, l
						}
						if l := addPhi(sc.direct, x, logs, u, i, K); wantSum {
							sum += l
						}
						continue
					}
					s = max(s, underflow) // NaN stays NaN, and shows
					axpyGo(x/s, other[o*K:(o+1)*K], acc)
				}
				if wantSum {
					if logs != nil {
						sum += x * math.Log(s)
					} else {
						sum += x * math.Log(x/s)
					}
				}
			}
		}
		floats.MulTo(out[l*K:(l+1)*K], f, acc)
		if logDomain {
			floats.Add(out[l*K:(l+1)*K], sc.direct)
		}
	}
	return sum
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
