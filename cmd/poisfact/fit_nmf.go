package main

import (
	"context"
	"fmt"
	"io"

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
	s.Recorder = func(it mle.Iteration) {
		if it.Iter%max(o.checkEvery, 1) == 0 {
			progressLine(stderr, "iteration", it.Iter, fmt.Sprintf("divergence %.10g", it.Divergence), it.Elapsed)
		}
	}
	res, err := mle.Fit(ctx, d.train, s)
	if err != nil {
		return nil, nil, err
	}
	r := &fitReport{
		Algorithm: s.Method.String(), Iterations: res.Iterations, Init: o.init, StopReason: res.Status.String(), Seconds: res.Elapsed.Seconds(),
		Divergence: ptr(res.Divergence), Objective: ptr(res.Objective), TrainLogLik: res.LogLik,
	}
	for _, it := range res.Trace {
		r.Trace = append(r.Trace, traceEntry{Iteration: it.Iter, Divergence: ptr(it.Divergence), Seconds: it.Elapsed.Seconds()})
	}
	rec := res.Record(s)
	return r, &model.Saved{Kind: model.KindNMF, W: res.W, H: res.H, Fit: &rec}, nil
}
