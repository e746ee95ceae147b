package mle

import (
	"fmt"

	"github.com/poisfact/poisfact/internal/fitting"
	"github.com/poisfact/poisfact/model"
)

const checkpointFile = "mle.state"

// fitCheckpoint is a KL-NMF fit after iteration Iter.
type fitCheckpoint struct {
	Fingerprint string
	Iter        int
	W, H        []float64
	Stopper     fitting.StopperState
	Trace       []Iteration
}

// fingerprint names the data and the settings a state belongs to:
// everything that changes the fit but MaxIter, Workers and Recorder.
func fingerprint(x *model.Counts, s *Settings) string {
	fp := fmt.Sprintf("%d×%d nnz %d total %v K %d method %v init %v seed %d tol %v min %d check %d",
		x.Rows(), x.Cols(), x.NNZ(), x.Total(), s.K, s.Method, s.Init, s.Seed, s.Tol, s.MinIter, s.CheckEvery)
	if s.MAP != nil {
		fp += fmt.Sprintf(" map %+v", *s.MAP)
	}
	return fp
}

// loadCheckpoint reads the state in cp.Dir, nil when there is none.
func loadCheckpoint(cp *Checkpoint, x *model.Counts, s *Settings) (*fitCheckpoint, error) {
	var st fitCheckpoint
	found, err := fitting.LoadState(cp.Dir, checkpointFile, &st)
	if err != nil || !found {
		return nil, err
	}
	if want := fingerprint(x, s); st.Fingerprint != want {
		return nil, fmt.Errorf("mle: the checkpoint in %s is of another fit (%s); this one is %s", cp.Dir, st.Fingerprint, want)
	}
	if len(st.W) != x.Rows()*s.K || len(st.H) != x.Cols()*s.K {
		return nil, fmt.Errorf("mle: the checkpoint in %s has factors of the wrong size", cp.Dir)
	}
	return &st, nil
}
