package main

import (
	"context"
	"io"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/internal/report"
	"github.com/poisfact/poisfact/model"
)

// hpfSettings turns the options into CAVI settings. Only the validation
// part reaches the fit (as the stopping criterion, and with -mask as the
// cells left out of the likelihood): the test part never does.
func hpfSettings(d *dataParts, o fitOptions) *inference.Settings {
	s := &inference.Settings{
		K: o.k, Hyper: o.hyper, MaxIter: o.iters, MinIter: o.minIters, Tol: o.tol, Seed: o.seed, Workers: o.workers,
		CheckEvery: o.checkEvery, Patience: o.patience, Restarts: o.restarts, Criterion: o.hpfCriterion,
		Init:       inference.Init{Method: o.hpfInit, Jitter: o.initJitter, NMFIters: o.initNMFIters, NMFRows: o.initNMFRows},
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
	settings.Recorder = report.HPFProgress(stderr, o.svi, o.restarts, o.hpfCriterion)
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
	r := &fitReport{Fit: *report.HPF(res, settings)}
	if r.TrainLogLik, err = model.PoissonLogLik(d.train, res.Posterior.PointEstimate()); err != nil {
		return nil, nil, err
	}
	rec := res.Record(settings)
	return r, &model.Saved{Kind: model.KindHPF, Posterior: res.Posterior, Fit: &rec}, nil
}
