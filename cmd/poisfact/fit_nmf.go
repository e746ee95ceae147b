package main

import (
	"context"
	"fmt"
	"io"

	"github.com/poisfact/poisfact/mle"
	"github.com/poisfact/poisfact/model"
)

// fitNMF fits KL-NMF (Poisson maximum likelihood, or MAP with a prior) by
// MU (-model nmf) or coordinate descent (-model nmf-cd). With -holdout the
// fit runs on the training part and is scored on the test part; the
// validation part is held out too but does not drive the stopping rule,
// which is the relative change of the objective.
func fitNMF(ctx context.Context, x *model.Counts, o fitOptions, stderr io.Writer) (*fitReport, error) {
	if o.mask {
		return nil, usagef("-mask applies to -model hpf")
	}
	s := &mle.Settings{K: o.k, MaxIter: o.iters, Tol: o.tol, Seed: o.seed, Workers: o.workers, CheckEvery: o.checkEvery}
	if o.modelName == "nmf-cd" {
		s.Method = mle.CD
	}
	if o.init == "nndsvda" {
		s.Init = mle.InitNNDSVDa
	}
	if o.mapShape != 0 {
		rate := o.mapRate
		if rate == 0 {
			rate = 1
		}
		s.MAP = &mle.Prior{Shape: o.mapShape, Rate: rate}
	}
	h, err := holdOut(x, o)
	if err != nil {
		return nil, err
	}
	train, test := h.train, h.test
	s.Recorder = func(it mle.Iteration) {
		if it.Iter%o.checkEvery == 0 {
			progressLine(stderr, "iteration", it.Iter, fmt.Sprintf("divergence %.10g", it.Divergence), it.Elapsed)
		}
	}
	res, err := mle.Fit(ctx, train, s)
	if err != nil {
		return nil, err
	}
	n, p := x.Dims()
	r := &fitReport{
		Model: o.modelName, Input: o.in, Rows: n, Cols: p, NNZ: x.NNZ(), K: o.k,
		Workers: workersUsed(o.workers), Seed: o.seed, Iterations: res.Iterations, Init: o.init,
		StopReason: res.Status.String(), Seconds: res.Elapsed.Seconds(),
		Divergence: ptr(res.Divergence), Objective: ptr(res.Objective), TrainLogLik: res.LogLik,
	}
	if res.Iterations > 0 {
		r.SecondsPerIteration = r.Seconds / float64(res.Iterations)
	}
	for _, it := range res.Trace {
		r.Trace = append(r.Trace, traceEntry{Iteration: it.Iter, Divergence: ptr(it.Divergence), Seconds: it.Elapsed.Seconds()})
	}
	if test != nil {
		w, hf := res.W, res.H
		r.HeldOut = newHeldOutReport(o, test.LogLik(func(u, i int) float64 {
			var mu float64
			for j, v := range w.RawRowView(u) {
				mu += v * hf.At(i, j)
			}
			return mu
		}))
	}
	return r, nil
}

// heldOutParts are the pieces of a -holdout split a fit needs.
type heldOutParts struct {
	split       *model.Split // nil without a hold-out
	train       *model.Counts
	valid, test *model.HeldOut
}

// holdOut splits x as -holdout asks: F of each row's non-zeros to test
// and F to validation. Without a hold-out the training counts are x.
func holdOut(x *model.Counts, o fitOptions) (heldOutParts, error) {
	if o.holdout == 0 {
		return heldOutParts{train: x}, nil
	}
	split, err := model.NewSplit(x, o.holdout, o.holdout, o.seed)
	if err != nil {
		return heldOutParts{}, err
	}
	h := heldOutParts{split: split, train: split.Train}
	if h.valid, err = split.HeldOut(split.Valid, o.seed+1); err != nil {
		return heldOutParts{}, err
	}
	if h.test, err = split.HeldOut(split.Test, o.seed+2); err != nil {
		return heldOutParts{}, err
	}
	return h, nil
}
