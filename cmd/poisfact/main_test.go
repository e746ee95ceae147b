package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// TestBadInvocations: every mistake a new user makes gives one clear line
// on stderr and exit status 2.
func TestBadInvocations(t *testing.T) {
	data := testutil.Testdata("pbmc_small", "matrix.mtx.gz")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"info without file", []string{"info"}, "want one FILE"},
		{"info missing file", []string{"info", "nope.mtx"}, "no such file"},
		{"fit without input", []string{"fit"}, "no input"},
		{"fit missing file", []string{"fit", "-in", "missing.mtx"}, "no such file"},
		{"fit K = 0", []string{"fit", "-in", data, "-k", "0"}, "-k 0: want K ≥ 1"},
		{"fit unknown model", []string{"fit", "-in", data, "-model", "lda"}, `unknown model "lda"`},
		{"fit holdout ≥ 0.5", []string{"fit", "-in", data, "-holdout", "0.5"}, "-holdout 0.5"},
		{"fit holdout ≥ 1", []string{"fit", "-in", data, "-holdout", "1"}, "-holdout 1"},
		{"fit mask without holdout", []string{"fit", "-in", data, "-mask"}, "-mask needs -holdout"},
		{"fit bad flag value", []string{"fit", "-in", data, "-k", "ten"}, "invalid value"},
		{"fit unknown flag", []string{"fit", "-in", data, "-frobnicate"}, "flag provided but not defined"},
		{"fit malformed file", []string{"fit", "-in", testutil.Testdata("pbmc_small", "README.txt")}, "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

func TestInfo(t *testing.T) {
	code, out, _ := runCmd("info", "-json", testutil.Testdata("onlineretail", "matrix.mtx.gz"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var info matrixInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	// Figures from testdata/onlineretail/README.txt.
	if info.Rows != 4335 || info.Cols != 3659 || info.NNZ != 266226 || info.Total != 386354 || info.MaxCount != 63 || info.RowNNZ.Empty != 0 {
		t.Fatalf("info %+v", info)
	}
}

// TestFitJSON checks that -json prints every field issue 3 defines, with
// one trace entry per sweep and held-out figures with -holdout.
func TestFitJSON(t *testing.T) {
	code, out, stderr := runCmd("fit", "-in", testutil.Testdata("pbmc_small", "matrix.mtx.gz"), "-k", "4", "-iters", "30", "-holdout", "0.1", "-json", "-workers", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "sweep     1") || !strings.Contains(stderr, "validation") {
		t.Errorf("no progress lines on stderr: %q", stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"model", "rows", "cols", "nnz", "k", "workers", "iterations", "stop_reason", "seconds", "seconds_per_iteration", "elbo", "train_loglik", "trace", "heldout"} {
		if _, ok := m[f]; !ok {
			t.Errorf("field %q missing", f)
		}
	}
	var r fitReport
	json.Unmarshal([]byte(out), &r)
	if r.Model != "hpf" || r.Rows != 80 || r.K != 4 || r.Workers != 2 || len(r.Trace) != r.Iterations || r.Iterations == 0 {
		t.Fatalf("report %+v", r)
	}
	for j, e := range r.Trace {
		if e.Iteration != j+1 || e.ValidationLogLik == nil || (j > 0 && e.Seconds < r.Trace[j-1].Seconds) {
			t.Fatalf("trace entry %d: %+v", j, e)
		}
	}
	if r.Trace[len(r.Trace)-1].ELBO != r.ELBO {
		t.Error("final elbo differs from the last trace entry")
	}
	switch r.StopReason {
	case "converged", "max-iterations", "cancelled":
	default:
		t.Errorf("stop_reason %q", r.StopReason)
	}
	if h := r.HeldOut; h == nil || math.IsNaN(h.LogLikMean) || h.LogLikMean >= 0 || h.LogLikMeanNonzero >= 0 || h.NonZeros == 0 {
		t.Errorf("heldout %+v", r.HeldOut)
	}
}
