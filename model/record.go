package model

// FitRecord says how a saved model was fitted: the algorithm and its
// settings, which inference.Result.Record and mle.Result.Record fill from
// a fit, and where the data came from (input, split), which the caller
// adds. It is saved in manifest.json under "settings".
type FitRecord struct {
	// Algorithm is "cavi" (HPF) or "mu", "cd" (KL-NMF); MAP says the
	// KL-NMF fit had a Gamma prior.
	Algorithm string `json:"algorithm"`
	MAP       bool   `json:"map,omitempty"`
	// K, Seed and Init are the fit's; Init names the start.
	K    int    `json:"k"`
	Seed uint64 `json:"seed"`
	Init string `json:"init,omitempty"`
	// MaxIter, Tol and Criterion are the stopping rule's settings.
	MaxIter   int     `json:"iters"`
	Tol       float64 `json:"tol"`
	Criterion string  `json:"criterion,omitempty"`
	// Iterations, BestIteration, Restart and StopReason say how it ended
	// (BestIteration and Restart: the check and the restart kept, HPF).
	Iterations    int    `json:"iterations"`
	BestIteration int    `json:"best_iteration,omitempty"`
	Restarts      int    `json:"restarts,omitempty"`
	Restart       int    `json:"restart,omitempty"`
	StopReason    string `json:"stop_reason"`
	// Input is the file fitted; SplitSeed, Holdout and Mask describe the
	// held-out split (SplitSeed also seeds the held-out zero cells, so
	// that evaluate can redraw them).
	Input     string  `json:"input,omitempty"`
	SplitSeed uint64  `json:"split_seed"`
	Holdout   float64 `json:"holdout,omitempty"`
	Mask      bool    `json:"mask,omitempty"`
}
