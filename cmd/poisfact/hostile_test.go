package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// TestMain lets a test run the command as a child process (for signals):
// with POISFACT_RUN_MAIN set, the test binary is the command.
func TestMain(m *testing.M) {
	if os.Getenv("POISFACT_RUN_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// identity writes an n × n identity matrix: a split leaves it no test
// entries.
func identity(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%%%%MatrixMarket matrix coordinate integer general\n%d %d %d\n", n, n, n)
	for u := 1; u <= n; u++ {
		fmt.Fprintf(&b, "%d %d 1\n", u, u)
	}
	p := filepath.Join(t.TempDir(), "identity.mtx")
	if err := os.WriteFile(p, []byte(b.String()), 0o666); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHostileCommands runs the cases of the hostile-input review as
// commands: each must exit non-zero with one line on stderr that says
// what is wrong, and never a panic or a stack dump.
func TestHostileCommands(t *testing.T) {
	data := testutil.Testdata("pbmc_small", "matrix.mtx.gz")
	bad := func(name string) string { return testutil.Testdata("bad", name) }
	notModel := t.TempDir()
	os.WriteFile(filepath.Join(notModel, "notes.txt"), []byte("mine"), 0o666)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a 60-byte file declaring 2^31 × 2^31", []string{"info", bad("mm_huge_shape.mtx")}, 2, "mm_huge_shape.mtx: line 2: model: invalid shape: 2147483647 × 2147483647 declared for 1 non-zeros"},
		{"3e7 × 3e7 with one entry", []string{"fit", "-in", bad("mm_3e7_shape.mtx")}, 2, "would take 1.8 GB"},
		{"K of a billion", []string{"fit", "-in", data, "-k", "1000000000"}, 1, "needs about"},
		{"K of a billion, nmf", []string{"fit", "-in", data, "-model", "nmf", "-k", "1000000000"}, 1, "use a smaller K"},
		{"side by side without test entries", []string{"compare", "-side-by-side", identity(t, 30)}, 1, "leaves the validation part without non-zeros"},
		{"select-k without test entries", []string{"select-k", "-in", identity(t, 30), "-k", "2,3"}, 1, "leaves the validation part without non-zeros"},
		{"simulate with a' = 1e-6", []string{"simulate", "-rows", "20", "-cols", "10", "-k", "2", "-a-prime", "1e-6", "-out", filepath.Join(t.TempDir(), "s.mtx")}, 2, "too diffuse to sample"},
		{"first triplet line out of range", []string{"info", bad("tsv_first_line_out_of_range.tsv")}, 2, "line 1: model: invalid count: \"1e400\" is out of range"},
		{"out is a directory that is not a model", []string{"fit", "-in", data, "-out", notModel, "-json"}, 2, "is not a saved model; not replacing it"},
		{"out's parent is missing", []string{"fit", "-in", data, "-out", filepath.Join(t.TempDir(), "no", "such")}, 2, "does not exist"},
		{"MAP rate NaN", []string{"fit", "-in", data, "-model", "nmf", "-map-shape", "2", "-map-rate", "NaN"}, 2, "-map-rate NaN"},
		{"MAP rate negative", []string{"fit", "-in", data, "-model", "nmf", "-map-shape", "2", "-map-rate", "-1"}, 2, "-map-rate -1"},
		{"MAP shape 1e300", []string{"fit", "-in", data, "-model", "nmf", "-map-shape", "1e300"}, 2, "-map-shape 1e+300: want 1 ≤ α ≤ 1e+06"},
		{"count of 2^53 + 1", []string{"info", bad("mm_2p53_plus_1.mtx")}, 2, "is not below 2^53"},
		{"total beyond 2^53 names the line", []string{"info", bad("mm_total_beyond_2p53.mtx")}, 2, "line 4: model: invalid count: the total of the counts reaches 2^53"},
		{"truncated gzip says malformed once", []string{"info", bad("mm_truncated.mtx.gz")}, 2, "mm_truncated.mtx.gz: line 3: model: malformed input: gzip stream truncated"},
		{"a 200 kB field is cut", []string{"info", bad("mm_long_field.mtx")}, 2, "(200001 bytes)"},
		{"empty rows.txt", []string{"info", bad("labels_empty_rows/matrix.mtx")}, 2, "rows.txt has 0 labels for 2 rows"},
		{"masked validation overlapping training", []string{"fit", "-in", data, "-valid", data, "-mask"}, 2, "matrix.mtx.gz: cell (1, 2) also holds a count in the training file"},
		{"checkpoint in a file, found before the fit", []string{"fit", "-in", data, "-iters", "3", "-checkpoint", filepath.Join(notModel, "notes.txt")}, 1, "checkpoint: mkdir"},
		{"corrupt model values", []string{"export", "-model", bad("model_negative_rate"), "-out", t.TempDir()}, 2, "-1.5, want a value > 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
		})
	}
	if entries, _ := os.ReadDir(notModel); len(entries) != 1 {
		t.Errorf("the directory that is not a model was changed: %d entries", len(entries))
	}
}

// TestSameDataWarning: a held-out part equal to the training data is
// said to be so.
func TestSameDataWarning(t *testing.T) {
	dir := t.TempDir()
	writeSplit(t, dir)
	train := filepath.Join(dir, "train.mtx")
	code, _, stderr := runCmd("fit", "-in", train, "-test", train, "-k", "2", "-iters", "5")
	if code != 0 || !strings.Contains(stderr, "warning: the test counts are the training counts") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	out := filepath.Join(dir, "m")
	if code, _, stderr := runCmd("fit", "-in", train, "-k", "2", "-iters", "5", "-out", out); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr = runCmd("evaluate", "-model", out, "-test", train)
	if code != 0 || !strings.Contains(stderr, "warning: the test counts are the training counts") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// TestEvaluateOwnSplit: a model fitted with -holdout and saved is scored
// on its own split by evaluate -model DIR alone, to the fit's figures.
func TestEvaluateOwnSplit(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m")
	data := testutil.Testdata("pbmc_small", "matrix.mtx.gz")
	code, fitOut, stderr := runCmd("fit", "-in", data, "-k", "3", "-holdout", "0.1", "-split-seed", "7", "-iters", "30", "-out", out, "-json")
	if code != 0 {
		t.Fatal(stderr)
	}
	code, evalOut, stderr := runCmd("evaluate", "-model", out, "-json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var fit struct{ HeldOut json.RawMessage }
	var eval struct{ HeldOut json.RawMessage }
	if err := json.Unmarshal([]byte(fitOut), &fit); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(evalOut), &eval); err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	json.Unmarshal(fit.HeldOut, &a)
	json.Unmarshal(eval.HeldOut, &b)
	delete(a, "fraction") // what -holdout was; evaluate does not know it
	delete(a, "masked")
	delete(b, "fraction")
	delete(b, "masked")
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("evaluate on the saved split:\n%v\nfit's figures:\n%v", b, a)
	}
}

// TestSimulateTripletsKeepShape: a simulated matrix written as triplets
// reads back with its shape, empty rows and columns included.
func TestSimulateTripletsKeepShape(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.tsv.gz")
	if code, _, stderr := runCmd("simulate", "-rows", "10", "-cols", "8", "-k", "2", "-out", p); code != 0 {
		t.Fatal(stderr)
	}
	code, out, stderr := runCmd("info", "-json", p)
	if code != 0 {
		t.Fatal(stderr)
	}
	var info matrixInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Rows != 10 || info.Cols != 8 {
		t.Fatalf("read back %d × %d, want 10 × 8", info.Rows, info.Cols)
	}
}

// TestRecommendNothingLeft: a row that has every column gets an empty
// JSON list and a note, not null.
func TestRecommendNothingLeft(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "full.mtx")
	os.WriteFile(p, []byte("%%MatrixMarket matrix coordinate integer general\n2 2 3\n1 1 1\n1 2 2\n2 1 1\n"), 0o666)
	out := filepath.Join(dir, "m")
	if code, _, stderr := runCmd("fit", "-in", p, "-k", "1", "-iters", "5", "-out", out); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr := runCmd("recommend", "-model", out, "-row", "1", "-json")
	if code != 0 || strings.TrimSpace(stdout) != "[]" || !strings.Contains(stderr, "nothing left") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestSavedFilesFollowUmask: saved files get 0666 and directories 0777
// less the umask, as every other tool's output does.
func TestSavedFilesFollowUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := t.TempDir()
	out := filepath.Join(dir, "m")
	if code, _, stderr := runCmd("fit", "-in", testutil.Testdata("pbmc_small", "matrix.mtx.gz"), "-k", "2", "-iters", "3", "-out", out); code != 0 {
		t.Fatal(stderr)
	}
	sim := filepath.Join(dir, "s.mtx")
	if code, _, stderr := runCmd("simulate", "-rows", "5", "-cols", "4", "-k", "1", "-out", sim); code != 0 {
		t.Fatal(stderr)
	}
	for path, want := range map[string]os.FileMode{out: 0o755 | os.ModeDir, filepath.Join(out, "manifest.json"): 0o644, sim: 0o644} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, info.Mode(), want)
		}
	}
}

// TestSignalsStopAndSave sends SIGINT and SIGTERM to a long fit run as a
// child process: each stops after its sweep, saves the model, prints the
// report and exits 130 or 143.
func TestSignalsStopAndSave(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "m")
			cmd := exec.Command(os.Args[0], "fit", "-in", testutil.Testdata("onlineretail", "matrix.mtx.gz"), "-k", "10", "-iters", "100000", "-tol", "-1", "-out", out, "-json")
			cmd.Env = append(os.Environ(), "POISFACT_RUN_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for the first sweeps, then signal.
			deadline := time.Now().Add(60 * time.Second)
			for !strings.Contains(stderr.String(), "sweep    10") && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(tc.sig)
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if code != tc.code {
				t.Fatalf("exit %d (%v), want %d; stderr %q", code, err, tc.code, stderr.String())
			}
			var report fitReport
			if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
				t.Fatalf("report: %v in %q", err, stdout.String())
			}
			if report.StopReason != "cancelled" || report.Saved != out {
				t.Fatalf("stop reason %q, saved %q", report.StopReason, report.Saved)
			}
			if _, err := model.LoadModel(out); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestSummaryOneWorker: the summary speaks English for one worker.
func TestSummaryOneWorker(t *testing.T) {
	code, out, stderr := runCmd("fit", "-in", testutil.Testdata("pbmc_small", "matrix.mtx.gz"), "-k", "2", "-iters", "3", "-workers", "1")
	if code != 0 || !strings.Contains(out, "K = 2, 1 worker, seed") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestFitSVI: fit -svi runs minibatches, checks once an epoch, and says so
// in its report.
func TestFitSVI(t *testing.T) {
	code, out, stderr := runCmd("fit", "-in", testutil.Testdata("pbmc_small", "matrix.mtx.gz"), "-k", "3", "-svi", "-batch-rows", "20", "-iters", "4", "-holdout", "0.1", "-json")
	if code != 0 {
		t.Fatal(stderr)
	}
	var r fitReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// 80 rows in batches of 20 for 4 epochs: 16 minibatches, 4 checks.
	if r.Algorithm != "svi" || r.Iterations != 16 || len(r.Trace) != 4 || r.HeldOut == nil || math.IsNaN(float64(r.HeldOut.LogLikMean)) {
		t.Fatalf("algorithm %q, %d minibatches, %d checks", r.Algorithm, r.Iterations, len(r.Trace))
	}
}

// TestFitCheckpointResume: fit -checkpoint stopped by -iters and resumed
// with -resume saves the model an uninterrupted fit saves.
func TestFitCheckpointResume(t *testing.T) {
	dir := t.TempDir()
	data := testutil.Testdata("pbmc_small", "matrix.mtx.gz")
	args := []string{"fit", "-in", data, "-k", "3", "-holdout", "0.1", "-tol", "-1"}
	whole, part, resumed := filepath.Join(dir, "whole"), filepath.Join(dir, "part"), filepath.Join(dir, "resumed")
	ck := filepath.Join(dir, "ck")
	for _, a := range [][]string{
		append(append([]string{}, args...), "-iters", "40", "-out", whole),
		append(append([]string{}, args...), "-iters", "17", "-checkpoint", ck, "-checkpoint-every", "4", "-out", part),
		append(append([]string{}, args...), "-iters", "40", "-checkpoint", ck, "-checkpoint-every", "4", "-resume", "-out", resumed),
	} {
		if code, _, stderr := runCmd(a...); code != 0 {
			t.Fatalf("%v: %s", a, stderr)
		}
	}
	for _, name := range []string{"theta_shape.tsv", "theta_rate.tsv", "beta_shape.tsv", "beta_rate.tsv", "xi_rate.tsv", "eta_rate.tsv"} {
		a, _ := os.ReadFile(filepath.Join(whole, name))
		b, _ := os.ReadFile(filepath.Join(resumed, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("%s differs between the whole and the resumed fit", name)
		}
	}
	// KL-NMF alike.
	nmf := []string{"fit", "-in", data, "-model", "nmf", "-k", "3", "-tol", "1e-12"}
	wn, rn, ckn := filepath.Join(dir, "wn"), filepath.Join(dir, "rn"), filepath.Join(dir, "ckn")
	for _, a := range [][]string{
		append(append([]string{}, nmf...), "-iters", "30", "-out", wn),
		append(append([]string{}, nmf...), "-iters", "11", "-checkpoint", ckn, "-out", filepath.Join(dir, "pn")),
		append(append([]string{}, nmf...), "-iters", "30", "-checkpoint", ckn, "-resume", "-out", rn),
	} {
		if code, _, stderr := runCmd(a...); code != 0 {
			t.Fatalf("%v: %s", a, stderr)
		}
	}
	for _, name := range []string{"w.tsv", "h.tsv"} {
		a, _ := os.ReadFile(filepath.Join(wn, name))
		b, _ := os.ReadFile(filepath.Join(rn, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Fatalf("%s differs between the whole and the resumed KL-NMF fit", name)
		}
	}
	if code, _, stderr := runCmd(append(args, "-resume")...); code != 2 || !strings.Contains(stderr, "need -checkpoint DIR") {
		t.Fatalf("-resume without -checkpoint: %d %q", code, stderr)
	}
}
