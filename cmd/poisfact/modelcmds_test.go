package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// TestSaveEvaluateRoundTrip fits with -holdout and -out, writes the same
// split to files, and evaluates the saved model on them: the held-out
// figures must be identical to the fit's, bit for bit, for HPF and NMF.
// Then recommend, export and fit -valid/-test run on the same files.
func TestSaveEvaluateRoundTrip(t *testing.T) {
	in := testutil.Testdata("pbmc_small", "matrix.mtx.gz")
	x, err := model.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	split, _ := model.NewSplit(x, 0.1, 0.1, 3)
	dir := t.TempDir()
	files := map[string]*model.Counts{"train.mtx": split.Train, "valid.mtx": split.Valid, "test.mtx": split.Test}
	for name, c := range files {
		if err := model.WriteFile(filepath.Join(dir, name), c); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{"hpf", "nmf"} {
		out := filepath.Join(dir, "model-"+m)
		code, stdout, stderr := runCmd("fit", "-in", in, "-model", m, "-k", "3", "-iters", "40", "-holdout", "0.1", "-split-seed", "3", "-seed", "3", "-out", out, "-json")
		if code != 0 {
			t.Fatalf("fit: %s", stderr)
		}
		var fr fitReport
		json.Unmarshal([]byte(stdout), &fr)
		h := fr.HeldOut
		if h == nil || h.Popularity == nil || h.RankedRows == 0 || h.NDCGAt10 <= 0 || fr.Saved != out {
			t.Fatalf("%s: report %+v", m, fr)
		}
		code, stdout, stderr = runCmd("evaluate", "-model", out, "-test", filepath.Join(dir, "test.mtx"), "-valid", filepath.Join(dir, "valid.mtx"), "-split-seed", "3", "-json")
		if code != 0 {
			t.Fatalf("evaluate: %s", stderr)
		}
		var ev struct {
			HeldOut heldOutReport `json:"heldout"`
		}
		json.Unmarshal([]byte(stdout), &ev)
		e := ev.HeldOut
		if e.LogLikMean != h.LogLikMean || e.LogLikMeanNonzero != h.LogLikMeanNonzero || e.rankingReport != h.rankingReport || *e.Popularity != *h.Popularity {
			t.Fatalf("%s: evaluate of the saved model differs from the fit:\n%+v\n%+v", m, e, *h)
		}
		// A model saved without its training counts (as poisfact-beam
		// saves one) is scored the same with -train.
		bare, err := model.LoadModel(out)
		if err != nil {
			t.Fatal(err)
		}
		bare.Train, bare.Valid, bare.Test = nil, nil, nil
		bareDir := filepath.Join(dir, "bare-"+m)
		if err := model.SaveModel(bareDir, bare); err != nil {
			t.Fatal(err)
		}
		heldOut := []string{"-test", filepath.Join(dir, "test.mtx"), "-valid", filepath.Join(dir, "valid.mtx"), "-split-seed", "3", "-json"}
		if code, _, stderr := runCmd(append([]string{"evaluate", "-model", bareDir}, heldOut...)...); code != 2 || !strings.Contains(stderr, "give -train FILE") {
			t.Fatalf("evaluate without training counts: exit %d, %q", code, stderr)
		}
		code, stdout, stderr = runCmd(append([]string{"evaluate", "-model", bareDir, "-train", filepath.Join(dir, "train.mtx")}, heldOut...)...)
		var ev2 struct {
			HeldOut heldOutReport `json:"heldout"`
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &ev2) != nil || ev2.HeldOut.LogLikMean != h.LogLikMean || ev2.HeldOut.rankingReport != h.rankingReport {
			t.Fatalf("%s: evaluate -train: exit %d, %q, %+v", m, code, stderr, ev2.HeldOut)
		}
		code, stdout, stderr = runCmd("recommend", "-model", out, "-row", x.RowLabel(5), "-n", "4", "-json")
		var recs []recommendation
		if code != 0 || json.Unmarshal([]byte(stdout), &recs) != nil || len(recs) != 4 {
			t.Fatalf("recommend: %d %s %s", code, stdout, stderr)
		}
		for _, r := range recs {
			for i := 0; i < x.Cols(); i++ {
				if x.ColLabel(i) == r.Col && split.Train.At(5, i) != 0 {
					t.Fatalf("recommended %s, which row 5 has in training", r.Col)
				}
			}
		}
		exp := filepath.Join(dir, "export-"+m)
		if code, _, stderr := runCmd("export", "-model", out, "-out", exp); code != 0 {
			t.Fatalf("export: %s", stderr)
		}
		rows, _ := os.ReadFile(filepath.Join(exp, "row_factors.tsv"))
		lines := strings.Split(strings.TrimSpace(string(rows)), "\n")
		if len(lines) != 81 || lines[0] != "label\tf1\tf2\tf3" || !strings.HasPrefix(lines[1], x.RowLabel(0)+"\t") {
			t.Fatalf("row_factors.tsv: %d lines, %q", len(lines), lines[:2])
		}
	}
	// fit -valid/-test on the split files gives the -holdout fit's numbers.
	code, stdout, stderr := runCmd("fit", "-in", filepath.Join(dir, "train.mtx"), "-valid", filepath.Join(dir, "valid.mtx"), "-test", filepath.Join(dir, "test.mtx"), "-k", "3", "-iters", "40", "-split-seed", "3", "-seed", "3", "-json")
	if code != 0 {
		t.Fatalf("fit -valid -test: %s", stderr)
	}
	var files2 fitReport
	json.Unmarshal([]byte(stdout), &files2)
	_, stdout, _ = runCmd("fit", "-in", in, "-k", "3", "-iters", "40", "-holdout", "0.1", "-split-seed", "3", "-seed", "3", "-json")
	var holdout fitReport
	json.Unmarshal([]byte(stdout), &holdout)
	if *files2.ELBO != *holdout.ELBO || files2.HeldOut.LogLikMean != holdout.HeldOut.LogLikMean {
		t.Fatalf("split as files: elbo %v vs %v, loglik %v vs %v", *files2.ELBO, *holdout.ELBO, files2.HeldOut.LogLikMean, holdout.HeldOut.LogLikMean)
	}
	// -criterion validation-ndcg: the progress lines and the JSON name
	// it, and the kept sweep is the trace's best check.
	code, stdout, stderr = runCmd("fit", "-in", filepath.Join(dir, "train.mtx"), "-valid", filepath.Join(dir, "valid.mtx"), "-k", "3", "-iters", "40", "-check-every", "4", "-split-seed", "3", "-seed", "3", "-criterion", "validation-ndcg", "-json")
	var ndcg fitReport
	if err := json.Unmarshal([]byte(stdout), &ndcg); code != 0 || err != nil || ndcg.Criterion != "validation-ndcg" || !strings.Contains(stderr, "  validation-ndcg 0.") {
		t.Fatalf("fit -criterion validation-ndcg: exit %d, %v, criterion %q, %q", code, err, ndcg.Criterion, stderr)
	}
	best, bestIter := -1.0, 0
	for _, it := range ndcg.Trace {
		if it.Criterion != nil && *it.Criterion > best {
			best, bestIter = *it.Criterion, it.Iteration
		}
	}
	if best < 0 || best > 1 || bestIter != ndcg.BestIteration {
		t.Fatalf("validation-ndcg: best check %v at sweep %d, kept sweep %d", best, bestIter, ndcg.BestIteration)
	}
	// A corrupted model is refused with one line and status 2.
	os.WriteFile(filepath.Join(dir, "model-hpf", "theta_rate.tsv"), []byte("0.1\n"), 0o644)
	if code, _, stderr := runCmd("recommend", "-model", filepath.Join(dir, "model-hpf"), "-row", "1"); code != 2 || !strings.Contains(stderr, "corrupt") {
		t.Fatalf("corrupt model: %d %q", code, stderr)
	}
}

func TestSelectKCommand(t *testing.T) {
	code, stdout, stderr := runCmd("select-k", "-in", testutil.Testdata("pbmc_small", "matrix.mtx.gz"), "-k", "1,4", "-iters", "50", "-json")
	if code != 0 {
		t.Fatalf("%s", stderr)
	}
	var out struct {
		Best int          `json:"best_k"`
		Rows []selectKRow `json:"rows"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || len(out.Rows) != 2 || (out.Best != 1 && out.Best != 4) {
		t.Fatalf("%v %+v", err, out)
	}
	for _, bad := range [][]string{{"select-k", "-in", "x.mtx", "-k", "0,3"}, {"select-k", "-k", "3"}, {"select-k", "-in", "x.mtx", "-restarts", "0"}} {
		if code, _, _ := runCmd(bad...); code != 2 {
			t.Errorf("%q: exit %d", bad, code)
		}
	}
}

func TestSimulateAndFactors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sim.mtx")
	if code, stdout, stderr := runCmd("simulate", "-rows", "60", "-cols", "40", "-k", "3", "-seed", "2", "-out", out); code != 0 || !strings.Contains(stdout, "60 × 40") {
		t.Fatalf("simulate: %d %s %s", code, stdout, stderr)
	}
	x, err := model.ReadFile(out)
	if err != nil || x.Rows() != 60 || x.NNZ() == 0 {
		t.Fatalf("simulated file: %v", err)
	}
	m := filepath.Join(dir, "m")
	if code, _, stderr := runCmd("fit", "-in", out, "-k", "3", "-iters", "20", "-out", m); code != 0 {
		t.Fatalf("fit: %s", stderr)
	}
	code, stdout, stderr := runCmd("factors", "-model", m, "-n", "4", "-json")
	var top [][]recommendation
	if code != 0 || json.Unmarshal([]byte(stdout), &top) != nil || len(top) != 3 || len(top[0]) != 4 {
		t.Fatalf("factors: %d %s %s", code, stdout, stderr)
	}
	for _, bad := range [][]string{{"simulate", "-rows", "0", "-out", out}, {"simulate", "-k", "0", "-out", out}, {"simulate"}, {"factors", "-model", m, "-n", "0"}} {
		if code, _, _ := runCmd(bad...); code != 2 {
			t.Errorf("%q: exit %d", bad, code)
		}
	}
}

// TestFitEmbedded: with no -in, fit runs on the embedded onlineretail.
func TestFitEmbedded(t *testing.T) {
	code, stdout, stderr := runCmd("fit", "-k", "2", "-iters", "3", "-json")
	if code != 0 {
		t.Fatalf("%s", stderr)
	}
	var r fitReport
	json.Unmarshal([]byte(stdout), &r)
	if r.Input != embeddedInput || r.Rows != 4335 || r.NNZ != 266226 || r.Iterations != 3 {
		t.Fatalf("%+v", r)
	}
}
