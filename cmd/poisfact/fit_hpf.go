package main

import (
	"context"
	"fmt"
	"io"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/model"
)

// fitHPF runs CAVI as the options say.
func fitHPF(ctx context.Context, d *dataParts, o fitOptions, stderr io.Writer) (*fitReport, *model.Saved, error) {
	settings := &inference.Settings{
		K: o.k, MaxIter: o.iters, Tol: o.tol, Seed: o.seed, Workers: o.workers, CheckEvery: o.checkEvery,
		Validation: d.validHeld,
	}
	if o.mask {
		mask, err := model.Union(d.valid, d.test)
		if err != nil {
			return nil, nil, err
		}
		settings.Mask = mask
	}
	settings.Recorder = func(it inference.Iteration) {
		if it.Iter%o.checkEvery != 0 && !it.HasValid() {
			return
		}
		measured := fmt.Sprintf("elbo %.8g", it.ELBO)
		if it.HasValid() {
			measured += fmt.Sprintf("  validation %.6f", it.ValidLogLik)
		}
		progressLine(stderr, "sweep", it.Iter, measured, it.Elapsed)
	}
	res, err := inference.CAVI(ctx, d.train, settings)
	if err != nil {
		return nil, nil, err
	}
	r := &fitReport{Iterations: res.Iterations, StopReason: res.Status.String(), Seconds: res.Elapsed.Seconds(), ELBO: ptr(res.ELBO)}
	if r.TrainLogLik, err = res.Posterior.LogLikelihood(d.train); err != nil {
		return nil, nil, err
	}
	for _, it := range res.Trace {
		e := traceEntry{Iteration: it.Iter, ELBO: ptr(it.ELBO), Seconds: it.Elapsed.Seconds()}
		if it.HasValid() {
			e.ValidationLogLik = ptr(it.ValidLogLik)
		}
		r.Trace = append(r.Trace, e)
	}
	return r, &model.Saved{Kind: model.KindHPF, Posterior: res.Posterior}, nil
}

func ptr(v float64) *float64 { return &v }
