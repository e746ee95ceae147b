package main

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/model"
)

// hpfSettings turns the options into CAVI settings. Only the validation
// part reaches the fit (as the stopping criterion, and with -mask as the
// cells left out of the likelihood): the test part never does.
func hpfSettings(d *dataParts, o fitOptions) *inference.Settings {
	s := &inference.Settings{
		K: o.k, Hyper: o.hyper, MaxIter: o.iters, MinIter: o.minIters, Tol: o.tol, Seed: o.seed, Workers: o.workers,
		CheckEvery: o.checkEvery, Patience: o.patience, Restarts: o.restarts, Criterion: o.hpfCriterion,
		Init:       inference.Init{Method: o.hpfInit, Jitter: o.initJitter, NMFIters: o.initNMFIters},
		Validation: d.validHeld,
	}
	if o.mask && d.valid != nil && d.valid.NNZ() > 0 {
		s.Mask = d.valid
	}
	if o.checkpoint != "" {
		s.Checkpoint = &inference.Checkpoint{Dir: o.checkpoint, Every: o.checkpointEvery, Resume: o.resume}
	}
	return s
}

// fitHPF runs CAVI as the options say.
func fitHPF(ctx context.Context, d *dataParts, o fitOptions, stderr io.Writer) (*fitReport, *model.Saved, error) {
	settings := hpfSettings(d, o)
	restarts := o.restarts
	settings.Recorder = func(it inference.Iteration) {
		if !it.IsCheck() {
			return
		}
		measured := fmt.Sprintf("elbo %.8g", it.ELBO)
		step := "sweep"
		if o.svi {
			measured, step = fmt.Sprintf("criterion %.6f", it.Criterion), "check"
		}
		if it.HasValid() {
			measured += fmt.Sprintf("  validation %.6f", it.ValidLogLik)
		}
		if restarts > 1 {
			step = fmt.Sprintf("restart %d %s", it.Restart+1, step)
		}
		progressLine(stderr, step, it.Iter, measured, it.Elapsed)
	}
	var res *inference.Result
	var err error
	if o.svi {
		res, err = inference.SVI(ctx, d.train, settings, &inference.Stochastic{
			BatchRows: o.batchRows, Delay: o.sviDelay, Forget: o.sviForget, CheckBatches: o.checkBatches,
		})
	} else {
		res, err = inference.CAVI(ctx, d.train, settings)
	}
	if err != nil {
		return nil, nil, err
	}
	r := &fitReport{
		Algorithm:  res.Record(settings).Algorithm,
		Iterations: res.Iterations, BestIteration: res.BestIter, Criterion: res.Criterion.String(), Restart: res.Restart,
		StopReason: res.Status.String(), Seconds: res.Elapsed.Seconds(), ELBO: ptr(res.ELBO), Init: settings.Init.Method.String(),
	}
	if r.TrainLogLik, err = model.PoissonLogLik(d.train, res.Posterior.PointEstimate()); err != nil {
		return nil, nil, err
	}
	for j, rs := range res.Restarts {
		r.Restarts = append(r.Restarts, restartEntry{j, rs.Seed, rs.Iterations, rs.BestIter, jsonFloat(rs.Best), jsonFloat(rs.ELBO), rs.Status.String(), rs.Elapsed.Seconds()})
	}
	for _, it := range res.Trace {
		e := traceEntry{Restart: it.Restart, Iteration: it.Iter, Seconds: it.Elapsed.Seconds()}
		if !math.IsNaN(it.ELBO) { // SVI records no ELBO at its checks
			e.ELBO = ptr(it.ELBO)
		}
		if it.HasValid() {
			e.ValidationLogLik, e.ValidationNZ = ptr(it.ValidLogLik), ptr(it.ValidLogLikNonzero)
		}
		if it.IsCheck() {
			e.Criterion = ptr(it.Criterion)
		}
		r.Trace = append(r.Trace, e)
	}
	rec := res.Record(settings)
	return r, &model.Saved{Kind: model.KindHPF, Posterior: res.Posterior, Fit: &rec}, nil
}

func ptr(v float64) *float64 { return &v }
