package fitting

import "math"

// Stopper is the stopping rule every fit shares: a criterion, larger is
// better, is checked now and then; the fit keeps the best check and stops
// once Patience successive checks have failed to beat the best by more
// than Tol relative, and not before iteration MinIter. A negative Tol
// never stops the fit (it runs its maximum), but the best check is still
// tracked.
type Stopper struct {
	Tol      float64
	Patience int
	MinIter  int

	best     float64
	bestIter int
	stalls   int
	checked  bool
}

// Check records the criterion v at iteration iter and reports whether v
// is the best so far (the caller keeps that iterate) and whether the fit
// should stop. A NaN v is never the best and counts as a stall.
func (s *Stopper) Check(iter int, v float64) (best, stop bool) {
	switch {
	case !s.checked && !math.IsNaN(v):
		s.best, s.bestIter, s.checked, best = v, iter, true, true
		s.stalls = 0
	case s.checked && v > s.best:
		gain := v - s.best
		if gain > s.Tol*math.Abs(s.best) {
			s.stalls = 0
		} else {
			s.stalls++
		}
		s.best, s.bestIter, best = v, iter, true
	default:
		s.stalls++
	}
	stop = s.Tol >= 0 && iter >= s.MinIter && s.stalls >= max(s.Patience, 1)
	return best, stop
}

// Best returns the best criterion value and the iteration it was checked
// at; (NaN, 0) before any finite check.
func (s *Stopper) Best() (v float64, iter int) {
	if !s.checked {
		return math.NaN(), 0
	}
	return s.best, s.bestIter
}

// StopperState is what a Stopper has learnt, for a checkpoint.
type StopperState struct {
	Best            float64
	BestIter, Stall int
	Checked         bool
}

// State returns what the stopper has learnt so far.
func (s *Stopper) State() StopperState {
	return StopperState{Best: s.best, BestIter: s.bestIter, Stall: s.stalls, Checked: s.checked}
}

// Restore sets what the stopper has learnt, from State.
func (s *Stopper) Restore(st StopperState) {
	s.best, s.bestIter, s.stalls, s.checked = st.Best, st.BestIter, st.Stall, st.Checked
}
