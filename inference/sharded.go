package inference

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/poisfact/poisfact/internal/sparse"
	"github.com/poisfact/poisfact/model"
)

// Sharded CAVI splits each sweep over row shards, blocks of consecutive
// rows with all their non-zeros, for a runner that holds the shards apart
// (the beam module runs them as an Apache Beam pipeline). A shard holds
// its rows' parameters; the driver holds the columns' (p × K, small) and
// ships them to every shard. One pass over the shards runs, per shard,
// the ratio pass at the parameters of sweep t−1 and the rows' update of
// sweep t; the driver adds the shards' statistics in shard order and runs
// the columns' update. That is CAVI's sweep (CAVI's doc) with the same
// arithmetic, so the ELBO trace equals the in-process fit's up to the
// order of the sums over shards, and for a given sharding it does not
// depend on where or in what order the shards ran.
//
// The ELBO of sweep t needs the data term at the parameters of sweep t,
// which the next pass's ratio pass computes: the trace, and so the
// stopping rule, runs one pass behind, and the fit's last pass (after
// MaxIter sweeps) only evaluates.

// SideParams holds one side's variational parameters, flat: weight shapes
// and rates (m × K, row-major) and activity rates (m; nil in the
// non-hierarchical model).
type SideParams struct {
	Shape, Rate, ActRate []float64
}

// clone returns a copy that shares no array with p.
func (p SideParams) clone() SideParams {
	return SideParams{slices.Clone(p.Shape), slices.Clone(p.Rate), slices.Clone(p.ActRate)}
}

func (p SideParams) check(m, k int, hierarchical bool, what string) error {
	if len(p.Shape) != m*k || len(p.Rate) != m*k || hierarchical != (p.ActRate != nil) || hierarchical && len(p.ActRate) != m {
		return fmt.Errorf("inference: %s: parameters of %d, %d and %d values for %d × %d", what, len(p.Shape), len(p.Rate), len(p.ActRate), m, k)
	}
	return nil
}

// Columns is the column side of a sharded fit as the driver ships it to
// every shard: the parameters of β and η after a sweep, their sum, and
// the settings a shard needs to start and update its rows.
type Columns struct {
	// Rows is n, the rows of the whole matrix; K is the number of
	// factors.
	Rows, K int
	// Hyper holds the hyperparameters, defaults filled in.
	Hyper model.HPF
	// Init is the start, defaults filled in, and Seed its seed.
	Init Init
	Seed uint64
	// Params are λˢ, λʳ (p × K) and τʳ (p).
	Params SideParams
	// SumBeta is Σ_i E β_ik, which the rows' update needs.
	SumBeta []float64
}

// ShardStats are the statistics of one pass over some shards, which the
// driver adds in shard order.
type ShardStats struct {
	// Shards and Rows count the shards and rows added.
	Shards, Rows int
	// Data is the ELBO's data term, Σ x log Σ_k exp(E log θ + E log β),
	// at the parameters the pass started from.
	Data float64
	// PhiCol is Σ_u x_ui φ_uik (p × K) at those parameters.
	PhiCol []float64
	// RowELBO is the rows' share of the ELBO and SumTheta Σ_u E θ_uk
	// after the rows' update (zero and nil when the pass only evaluated).
	RowELBO  float64
	SumTheta []float64
	// LogFactorial is Σ log x! over the counts, from the first pass only.
	LogFactorial float64
}

// Add adds b's statistics to a's; adding shards in shard order makes the
// sums independent of where the shards ran.
func (a *ShardStats) Add(b *ShardStats) error {
	if a.PhiCol == nil {
		a.PhiCol = make([]float64, len(b.PhiCol))
	}
	if a.SumTheta == nil && b.SumTheta != nil && a.Shards == 0 {
		a.SumTheta = make([]float64, len(b.SumTheta))
	}
	if len(a.PhiCol) != len(b.PhiCol) || len(a.SumTheta) != len(b.SumTheta) {
		return fmt.Errorf("inference: adding the statistics of shards of %d and %d column values (%d and %d factor sums)", len(a.PhiCol), len(b.PhiCol), len(a.SumTheta), len(b.SumTheta))
	}
	a.Shards += b.Shards
	a.Rows += b.Rows
	a.Data += b.Data
	floats.Add(a.PhiCol, b.PhiCol)
	a.RowELBO += b.RowELBO
	floats.Add(a.SumTheta, b.SumTheta)
	a.LogFactorial += b.LogFactorial
	return nil
}

// RowShard is one shard of a sharded fit: rows lo..lo+m of the matrix,
// their counts and their parameters.
type RowShard struct {
	x              *model.Counts
	lo, total      int // the shard's first row and the matrix's rows
	k              int
	init           Init
	seed           uint64
	kn             *sparse.Kernel
	rows, cols     *side
	logs           *sparse.Logs
	phiRow, phiCol []float64
}

// NewRowShard returns the shard of the rows lo..lo+x.Rows() of the fit
// that cols belongs to; x holds those rows and every column.
func NewRowShard(x *model.Counts, lo int, cols *Columns) (*RowShard, error) {
	if x == nil || cols == nil {
		return nil, errors.New("inference: a row shard needs its counts and the columns")
	}
	k, h := cols.K, cols.Hyper
	m, p := x.Dims()
	if k < 1 || lo < 0 || lo+m > cols.Rows {
		return nil, fmt.Errorf("inference: rows %d to %d of %d at K = %d: out of range", lo+1, lo+m, cols.Rows, k)
	}
	if err := cols.Params.check(p, k, !h.NonHierarchical, "the columns for a shard"); err != nil {
		return nil, fmt.Errorf("%w (the shard has %d columns)", err, p)
	}
	kn := sparse.New(x, k)
	r := &RowShard{
		x: x, lo: lo, total: cols.Rows, k: k, init: cols.Init, seed: cols.Seed, kn: kn,
		rows:   newSide(m, k, h.A, h.APrime, h.BPrime, h.NonHierarchical),
		cols:   newSide(p, k, h.C, h.CPrime, h.DPrime, h.NonHierarchical),
		phiRow: make([]float64, m*k), phiCol: make([]float64, p*k),
	}
	r.logs = &sparse.Logs{LogA: r.rows.logF, LogB: r.cols.logF, MaxA: r.rows.shift, MaxB: r.cols.shift}
	return r, nil
}

// Start sets the shard's rows to the fit's start: the values these rows
// take in the start of the in-process fit (see Init; the jitter and
// uniform starts, whose draws per row are fixed in number).
func (r *RowShard) Start() {
	size := r.init.Jitter
	if r.init.Method == InitUniform {
		r.rows.uniform(rand.NewPCG(r.seed, 1), size, r.lo)
		return
	}
	r.rows.jitter(rand.NewPCG(r.seed, 1), size, r.lo, r.total)
}

// Params returns the shard's row parameters; the arrays are the shard's
// own, valid until the next Step or SetParams.
func (r *RowShard) Params() SideParams {
	return SideParams{r.rows.shape, r.rows.rate, r.rows.actRate}
}

// SetParams sets the shard's row parameters to copies of p's.
func (r *RowShard) SetParams(p SideParams) error {
	if err := p.check(r.rows.m, r.k, !r.rows.fixed, "a shard's rows"); err != nil {
		return err
	}
	copy(r.rows.shape, p.Shape)
	copy(r.rows.rate, p.Rate)
	copy(r.rows.actRate, p.ActRate)
	return nil
}

// Step runs the shard's share of pass t (from 1) of the fit: the ratio
// pass at the shard's rows as they stand and the columns cols, and with
// update the rows' update from it, which leaves the shard's rows at
// those of sweep t. The first pass also returns the shard's Σ log x!. The
// statistics' arrays are the shard's own, valid until the next Step.
func (r *RowShard) Step(workers, t int, cols *Columns, update bool) (*ShardStats, error) {
	p := r.x.Cols()
	if err := cols.Params.check(p, r.k, !r.cols.fixed, "the columns for a shard"); err != nil {
		return nil, err
	}
	if cols.K != r.k || len(cols.SumBeta) != r.k {
		return nil, fmt.Errorf("inference: columns of K = %d (%d sums) for a shard of K = %d", cols.K, len(cols.SumBeta), r.k)
	}
	copy(r.cols.shape, cols.Params.Shape)
	copy(r.cols.rate, cols.Params.Rate)
	copy(r.cols.actRate, cols.Params.ActRate)
	// The kernel reads E log β only of the columns that hold counts here.
	r.cols.refreshLogs(r.x)
	r.rows.sweep(workers, nil, nil, nil, false)
	st := &ShardStats{Shards: 1, Rows: r.rows.m, PhiCol: r.phiCol}
	st.Data = r.kn.TwoSided(workers, r.rows.fac, r.cols.fac, r.logs, r.phiRow, r.phiCol)
	if update {
		var sumTheta []float64
		st.RowELBO, sumTheta = r.rows.sweep(workers, r.phiRow, cols.SumBeta, nil, false)
		st.SumTheta = slices.Clone(sumTheta) // the statistics outlive the side's buffer
	}
	if t == 1 {
		st.LogFactorial = r.x.LogFactorialSum()
	}
	return st, nil
}
