package main

import (
	"context"
	"io"

	"github.com/poisfact/poisfact/internal/report"
	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// fitNMF fits KL-NMF (Poisson maximum likelihood, or MAP with a prior) by
// MU (-model nmf) or coordinate descent (-model nmf-cd). The stopping rule
// is the relative change of the objective; held-out parts are scored
// after the fit.
func fitNMF(ctx context.Context, d *dataParts, o fitOptions, stderr io.Writer) (*fitReport, *model.Saved, error) {
	s := &mle.Settings{K: o.k, MaxIter: o.iters, Tol: o.tol, Seed: o.seed, Workers: o.workers, CheckEvery: o.checkEvery}
	if o.modelName == "nmf-cd" {
		s.Method = mle.CD
	}
	if o.init == "nndsvda" {
		s.Init = mle.InitNNDSVDa
	}
	if o.checkpoint != "" {
		s.Checkpoint = &mle.Checkpoint{Dir: o.checkpoint, Every: o.checkpointEvery, Resume: o.resume}
	}
	if o.mapShape != 0 {
		rate := o.mapRate
		if rate == 0 {
			rate = 1
		}
		s.MAP = &mle.Prior{Shape: o.mapShape, Rate: rate}
	}
	s.Recorder = report.MLEProgress(stderr, o.checkEvery)
	res, err := mle.Fit(ctx, d.train, s)
	if err != nil {
		return nil, nil, err
	}
	r := &fitReport{Fit: *report.MLE(res, s)}
	rec := res.Record(s)
	return r, &model.Saved{Kind: model.KindNMF, W: res.W, H: res.H, Fit: &rec}, nil
}
