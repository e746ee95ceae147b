package inference

import (
	"fmt"

	"github.com/poisfact/poisfact/internal/fitting"
)

// Checkpoint makes a fit write its state to a directory as it runs, and
// resume from it (see fitting.Checkpoint; the same type serves mle).
type Checkpoint = fitting.Checkpoint

const checkpointFile = "cavi.state"

// caviState is a CAVI fit between two sweeps of one restart.
type caviState struct {
	Fingerprint   string
	Restart       int
	Iter, Checked int
	Params        snapshot // the current parameters (Iter, ELBO unused)
	Stopper       fitting.StopperState
	Best          *snapshot
	Trace         []Iteration
	// SVI's position: the epoch, the next row of its order, the order
	// and the shuffling source's state (Iter counts batches, Checked
	// checks).
	Epoch, Next int
	Shuffled    bool
	Order       []int
	RNG         []byte
	// The restarts finished before, and the one chosen among them.
	Done   []Restart
	Chosen *snapshot
	Result struct {
		Restart, Iterations, BestIter int
		Best, ELBO                    float64
		Status                        Status
	}
}

// fingerprint names the data and the settings a state belongs to:
// everything that changes the fit but MaxIter, Workers and Recorder.
func (f *fitState) fingerprint() string {
	s, x := f.s, f.x
	fp := fmt.Sprintf("%s %d×%d nnz %d total %v K %d hyper %+v seed %d restarts %d criterion %v check %d patience %d tol %v min %d init %+v",
		f.variant, x.Rows(), x.Cols(), x.NNZ(), x.Total(), s.K, s.Hyper, s.Seed, s.Restarts, s.Criterion, s.CheckEvery, s.Patience, s.Tol, s.MinIter, s.Init)
	if s.Validation != nil {
		fp += fmt.Sprintf(" validation %d+%d", s.Validation.X.NNZ(), len(s.Validation.Zeros))
	}
	if s.Mask != nil {
		fp += fmt.Sprintf(" mask %d", s.Mask.NNZ())
	}
	return fp
}

// loadCheckpoint reads the state in cp.Dir, nil when there is none.
func (f *fitState) loadCheckpoint(cp *Checkpoint) (*caviState, error) {
	var st caviState
	found, err := fitting.LoadState(cp.Dir, checkpointFile, &st)
	if err != nil || !found {
		return nil, err
	}
	if st.Fingerprint != f.fingerprint() {
		return nil, fmt.Errorf("inference: the checkpoint in %s is of another fit (%s); this one is %s", cp.Dir, st.Fingerprint, f.fingerprint())
	}
	n, p, k := f.x.Rows(), f.x.Cols(), f.s.K
	if len(st.Params.RowShape) != n*k || len(st.Params.ColShape) != p*k || len(st.Params.RowRate) != n*k || len(st.Params.ColRate) != p*k {
		return nil, fmt.Errorf("inference: the checkpoint in %s has parameters of the wrong size", cp.Dir)
	}
	if st.Order != nil && len(st.Order) != n {
		return nil, fmt.Errorf("inference: the checkpoint in %s has an order of %d rows for %d", cp.Dir, len(st.Order), n)
	}
	return &st, nil
}

// saveCheckpoint writes st to cp.Dir atomically.
func saveCheckpoint(cp *Checkpoint, st *caviState) error {
	return fitting.SaveState(cp.Dir, checkpointFile, st)
}
