package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
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
		{"fit test without input", []string{"fit", "-test", data}, "need the training counts"},
		{"fit missing file", []string{"fit", "-in", "missing.mtx"}, "no such file"},
		{"fit K = 0", []string{"fit", "-in", data, "-k", "0"}, "-k 0: want K ≥ 1"},
		{"fit unknown model", []string{"fit", "-in", data, "-model", "lda"}, `unknown model "lda"`},
		{"fit holdout ≥ 0.5", []string{"fit", "-in", data, "-holdout", "0.5"}, "-holdout 0.5"},
		{"fit holdout ≥ 1", []string{"fit", "-in", data, "-holdout", "1"}, "-holdout 1"},
		{"fit mask without holdout", []string{"fit", "-in", data, "-mask"}, "-mask needs a validation set"},
		{"fit bad flag value", []string{"fit", "-in", data, "-k", "ten"}, "invalid value"},
		{"fit unknown flag", []string{"fit", "-in", data, "-frobnicate"}, "flag provided but not defined"},
		{"fit bad init", []string{"fit", "-in", data, "-model", "nmf", "-init", "svd"}, `-init "svd"`},
		{"fit init with hpf", []string{"fit", "-in", data, "-init", "nndsvda"}, "want jitter, prior, nmf or uniform"},
		{"fit MAP with hpf", []string{"fit", "-in", data, "-map-shape", "2"}, "apply to -model nmf"},
		{"fit restarts with nmf", []string{"fit", "-in", data, "-model", "nmf", "-restarts", "3"}, "apply to -model hpf"},
		{"fit zero restarts", []string{"fit", "-in", data, "-restarts", "0"}, "-restarts 0"},
		{"fit svi with nmf", []string{"fit", "-in", data, "-model", "nmf", "-svi"}, "apply to -model hpf"},
		{"fit batch rows without svi", []string{"fit", "-in", data, "-batch-rows", "10"}, "need -svi"},
		{"fit svi with mask", []string{"fit", "-in", data, "-svi", "-holdout", "0.1", "-mask"}, "-mask does not apply to -svi"},
		{"fit unknown criterion", []string{"fit", "-in", data, "-criterion", "ndcg"}, "-criterion \"ndcg\""},
		{"fit validation criterion without validation", []string{"fit", "-in", data, "-criterion", "validation"}, "needs a validation set"},
		{"fit unknown criterion lists them all", []string{"fit", "-in", data, "-criterion", "ndcg"}, "validation-ndcg"},
		{"fit NDCG criterion without validation", []string{"fit", "-in", data, "-criterion", "validation-ndcg"}, "-criterion validation-ndcg needs a validation set"},
		{"fit bad hyperparameter", []string{"fit", "-in", data, "-a", "-1"}, "a = -1"},
		{"fit negative jitter", []string{"fit", "-in", data, "-init-jitter", "-0.5"}, "-init-jitter -0.5"},
		{"fit MAP shape below 1", []string{"fit", "-in", data, "-model", "nmf", "-map-shape", "0.5"}, "-map-shape 0.5"},
		{"fit MAP rate without shape", []string{"fit", "-in", data, "-model", "nmf", "-map-rate", "2"}, "with -map-shape"},
		{"fit mask with nmf", []string{"fit", "-in", data, "-model", "nmf", "-holdout", "0.1", "-mask"}, "-mask applies to -model hpf"},
		{"fit holdout and test", []string{"fit", "-in", data, "-holdout", "0.1", "-test", data}, "give one"},
		{"fit test of another shape", []string{"fit", "-in", data, "-test", testutil.Testdata("janeausten", "matrix.mtx.gz")}, "is not a row of the training counts"},
		{"recommend without model", []string{"recommend", "-row", "1"}, "no model"},
		{"recommend missing model", []string{"recommend", "-model", "nowhere", "-row", "1"}, "not a saved model"},
		{"recommend without row", []string{"recommend", "-model", "nowhere"}, "no row"},
		{"evaluate a missing model", []string{"evaluate", "-model", "nowhere"}, "not a saved model"},
		{"export without out", []string{"export", "-model", "nowhere"}, "no output"},
		{"fit empty matrix", []string{"fit", "-in", emptyMatrix(t)}, "has no non-zeros"},
		{"compare empty matrix", []string{"compare", emptyMatrix(t)}, "has no non-zeros"},
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
	if !strings.Contains(stderr, "sweep     5") || !strings.Contains(stderr, "validation") {
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
	// Checks every 5 sweeps and at the last: the validation
	// log-likelihood and the criterion are there, and the kept sweep is the
	// check with the highest criterion.
	best := math.Inf(-1)
	for j, e := range r.Trace {
		check := e.Iteration%5 == 0 || j == len(r.Trace)-1
		if e.Iteration != j+1 || (e.ValidationLogLik != nil) != check || (e.Criterion != nil) != check || (j > 0 && e.Seconds < r.Trace[j-1].Seconds) {
			t.Fatalf("trace entry %d: %+v", j, e)
		}
		if check && *e.Criterion != *e.ValidationLogLik {
			t.Fatalf("trace entry %d: criterion %v is not the validation log-likelihood %v", j, *e.Criterion, *e.ValidationLogLik)
		}
		if check && *e.Criterion > best {
			best = *e.Criterion
			if r.BestIteration != e.Iteration && *e.Criterion > *r.Trace[r.BestIteration-1].Criterion {
				t.Fatalf("kept sweep %d, but sweep %d has a higher criterion", r.BestIteration, e.Iteration)
			}
		}
	}
	if r.Criterion != "validation" || r.BestIteration == 0 || *r.Trace[r.BestIteration-1].Criterion != best {
		t.Fatalf("criterion %q, best sweep %d", r.Criterion, r.BestIteration)
	}
	if r.ELBO == nil || *r.Trace[r.BestIteration-1].ELBO != *r.ELBO {
		t.Error("the reported elbo is not that of the kept sweep")
	}
	switch r.StopReason {
	case "converged", "max-iterations", "cancelled":
	default:
		t.Errorf("stop_reason %q", r.StopReason)
	}
	if h := r.HeldOut; h == nil || math.IsNaN(float64(h.LogLikMean)) || h.LogLikMean >= 0 || h.LogLikMeanNonzero >= 0 || h.NonZeros == 0 {
		t.Errorf("heldout %+v", r.HeldOut)
	}
}

// TestFitNMFJSON: -model nmf and nmf-cd print divergence in place of elbo,
// per iteration in the trace, and a held-out log-likelihood of −∞ (a zero
// rate where a count was held out) as "-Inf" rather than hiding it.
func TestFitNMFJSON(t *testing.T) {
	for _, m := range []string{"nmf", "nmf-cd"} {
		code, out, stderr := runCmd("fit", "-in", testutil.Testdata("onlineretail", "matrix.mtx.gz"), "-model", m, "-k", "3", "-iters", "8", "-holdout", "0.1", "-json", "-init", "nndsvda", "-map-shape", "1", "-map-rate", "0.001")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", m, code, stderr)
		}
		var raw map[string]any
		if err := json.Unmarshal([]byte(out), &raw); err != nil {
			t.Fatal(err)
		}
		if _, ok := raw["elbo"]; ok {
			t.Errorf("%s: elbo present", m)
		}
		var r fitReport
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		if r.Divergence == nil || *r.Divergence <= 0 || len(r.Trace) != r.Iterations || r.Trace[0].Divergence == nil || r.Model != m {
			t.Fatalf("%s: report %+v", m, r)
		}
		if *r.Trace[len(r.Trace)-1].Divergence != *r.Divergence {
			t.Errorf("%s: final divergence differs from the trace", m)
		}
		if h := r.HeldOut; h == nil || h.NonZeros == 0 || !(h.LogLikMean < 0) {
			t.Fatalf("%s: heldout %+v", m, r.HeldOut)
		}
	}
	// MU drives some rates to zero on these counts; the held-out mean is
	// then −∞, and the JSON says so.
	_, out, _ := runCmd("fit", "-in", testutil.Testdata("onlineretail", "matrix.mtx.gz"), "-model", "nmf", "-k", "20", "-iters", "300", "-holdout", "0.1", "-json")
	if !strings.Contains(out, `"loglik_mean": "-Inf"`) {
		t.Fatalf("no -Inf held-out log-likelihood in %q", out[strings.Index(out, "heldout"):])
	}
}

// TestCompareJSON checks the fields issue 5 defines.
func TestCompareJSON(t *testing.T) {
	code, out, stderr := runCmd("compare", testutil.Testdata("pbmc_small", "matrix.mtx.gz"), "-k", "3", "-trials", "10", "-iters", "20", "-json", "-side-by-side")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r compareReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	json.Unmarshal([]byte(out), &raw)
	for _, f := range []string{"rows", "cols", "nnz", "c_x", "checks", "passed"} {
		if _, ok := raw[f]; !ok {
			t.Errorf("field %q missing", f)
		}
	}
	if r.Rows != 80 || !r.Passed || len(r.Checks) != 6 || len(r.SideBySide) != 3 || r.CX <= 0 {
		t.Fatalf("report %+v", r)
	}
	for _, c := range r.Checks {
		if !c.Passed || c.Name == "" {
			t.Errorf("check %+v", c)
		}
	}
	if code, _, stderr := runCmd("compare"); code != 2 || !strings.Contains(stderr, "want one FILE") {
		t.Errorf("no file: exit %d, %q", code, stderr)
	}
}

// TestHelp: -h on every command documents every flag with its default and
// exits 0.
func TestHelp(t *testing.T) {
	for _, c := range commands() {
		code, _, stderr := runCmd(c.name, "-h")
		if code != 0 || !strings.Contains(stderr, "Usage: poisfact "+c.name) {
			t.Errorf("%s -h: exit %d, %q", c.name, code, stderr)
		}
		for _, line := range strings.Split(stderr, "\n") {
			if strings.HasPrefix(line, "    \t") && !strings.Contains(line, "(default ") {
				t.Errorf("%s -h: a flag without its default: %q", c.name, line)
			}
		}
	}
}

// emptyMatrix writes a 3 × 3 Matrix Market file with no entries.
func emptyMatrix(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "empty.mtx")
	os.WriteFile(p, []byte("%%MatrixMarket matrix coordinate integer general\n3 3 0\n"), 0o644)
	return p
}

// TestConvertShards: convert -shards writes row shards that stack up to
// the matrix, labels included; a bad count is one line and exit 2.
func TestConvertShards(t *testing.T) {
	in := testutil.Testdata("onlineretail", "matrix.mtx.gz")
	dir := t.TempDir()
	if code, _, errOut := runCmd("convert", "-shards", "3", in, dir); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	x, err := model.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	found, _ := filepath.Glob(filepath.Join(dir, "*"))
	paths, err := model.OrderShards(found)
	if err != nil || len(paths) != 3 {
		t.Fatalf("shards %v: %v", found, err)
	}
	row := 0
	for _, p := range paths {
		b, err := model.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if b.Cols() != x.Cols() || b.ColLabel(7) != x.ColLabel(7) || b.RowLabel(0) != x.RowLabel(row) {
			t.Fatalf("%s: %d columns, labels %q %q, want %q %q", p, b.Cols(), b.ColLabel(7), b.RowLabel(0), x.ColLabel(7), x.RowLabel(row))
		}
		for u := 0; u < b.Rows(); u++ {
			cols, vals := b.Row(u)
			wc, wv := x.Row(row + u)
			if !slices.Equal(cols, wc) || !slices.Equal(vals, wv) {
				t.Fatalf("%s: row %d differs from the matrix's row %d", p, u, row+u)
			}
		}
		row += b.Rows()
	}
	if row != x.Rows() {
		t.Fatalf("the shards hold %d rows of %d", row, x.Rows())
	}
	code, _, errOut := runCmd("convert", "-shards", "-2", in, t.TempDir())
	if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "-shards -2") {
		t.Fatalf("-shards -2: exit %d, %q", code, errOut)
	}
}
