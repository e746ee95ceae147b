package inference

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/poisfact/poisfact/internal/fitting"
)

// Checkpoint makes a CAVI fit write its state to Dir every Every sweeps,
// at its last sweep and when cancelled, so that a fit interrupted (by a
// signal, a crash, or MaxIter) can continue. The zero value of Every means
// 10.
type Checkpoint struct {
	// Dir is the directory of the state file, cavi.state (created when
	// missing).
	Dir string
	// Every is the number of sweeps between writes. Zero means 10.
	Every int
	// Resume, when set and Dir holds the state of a fit of the same data
	// and settings (MaxIter aside), continues that fit: the result is
	// bit-identical to the uninterrupted fit's (parameters, criterion
	// values, the sweep kept and the stopping sweep; only the times
	// differ). Without a state file the fit starts afresh.
	Resume bool
}

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
	fp := fmt.Sprintf("%d×%d nnz %d total %v K %d hyper %+v seed %d restarts %d criterion %v check %d patience %d tol %v min %d init %+v",
		x.Rows(), x.Cols(), x.NNZ(), x.Total(), s.K, s.Hyper, s.Seed, s.Restarts, s.Criterion, s.CheckEvery, s.Patience, s.Tol, s.MinIter, s.Init)
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
	file, err := os.Open(filepath.Join(cp.Dir, checkpointFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inference: checkpoint: %w", err)
	}
	defer file.Close()
	var st caviState
	if err := gob.NewDecoder(file).Decode(&st); err != nil {
		return nil, fmt.Errorf("inference: checkpoint %s: %v (corrupt or of another version)", file.Name(), err)
	}
	if st.Fingerprint != f.fingerprint() {
		return nil, fmt.Errorf("inference: checkpoint %s is of another fit (%s); this one is %s", file.Name(), st.Fingerprint, f.fingerprint())
	}
	n, p, k := f.x.Rows(), f.x.Cols(), f.s.K
	if len(st.Params.RowShape) != n*k || len(st.Params.ColShape) != p*k || len(st.Params.RowRate) != n*k || len(st.Params.ColRate) != p*k {
		return nil, fmt.Errorf("inference: checkpoint %s: parameters of the wrong size", file.Name())
	}
	return &st, nil
}

// saveCheckpoint writes st to cp.Dir atomically: a temporary file,
// synced, renamed over the old state.
func saveCheckpoint(cp *Checkpoint, st *caviState) error {
	if err := os.MkdirAll(cp.Dir, 0o777); err != nil {
		return fmt.Errorf("inference: checkpoint: %w", err)
	}
	tmp, err := os.CreateTemp(cp.Dir, "."+checkpointFile+".tmp*")
	if err != nil {
		return fmt.Errorf("inference: checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := gob.NewEncoder(tmp).Encode(st); err != nil {
		tmp.Close()
		return fmt.Errorf("inference: checkpoint: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("inference: checkpoint: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("inference: checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(cp.Dir, checkpointFile)); err != nil {
		return fmt.Errorf("inference: checkpoint: %w", err)
	}
	return nil
}
