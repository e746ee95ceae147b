package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"

	"github.com/poisfact/poisfact/inference"
	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ptest.MainWithDefault(m, "prism")
}

func runCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestFitCommand: fit on Prism prints the core command's JSON report with
// the in-process fit's ELBO trace and saves a model the core reads, with
// the data's labels.
func TestFitCommand(t *testing.T) {
	x, err := model.ReadFile(testutil.Testdata("onlineretail", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := model.WriteShards(filepath.Join(dir, "shards"), x, 3); err != nil {
		t.Fatal(err)
	}
	in, work, out := filepath.Join(dir, "shards", "*.pfb"), filepath.Join(dir, "work"), filepath.Join(dir, "model")
	// Nothing the fits put in the temporary directory outlives them
	// (Prism's loopback placeholders, one per pipeline).
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	defer func() {
		if left, err := os.ReadDir(tmp); err != nil || len(left) > 0 {
			t.Errorf("the temporary directory holds %d entries after the fits (%v)", len(left), err)
		}
	}()
	code, stdout, stderr := runCmd("fit", "-in", in, "-work", work, "-k", "3", "-iters", "6", "-tol", "-1", "-seed", "5", "-json", "-out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "sweep     6  elbo") {
		t.Fatalf("no progress lines: %q", stderr)
	}
	var r fitReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	want, err := inference.CAVI(context.Background(), x, &inference.Settings{K: 3, MaxIter: 6, Tol: -1, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != x.Rows() || r.Cols != x.Cols() || r.NNZ != x.NNZ() || r.Iterations != 6 || len(r.Trace) != 6 || r.Saved != out || r.Algorithm != "cavi" {
		t.Fatalf("report %+v", r)
	}
	for j, e := range r.Trace {
		if math.Abs(*e.ELBO-want.Trace[j].ELBO) > 1e-12*math.Abs(want.Trace[j].ELBO) {
			t.Fatalf("sweep %d: ELBO %v, in process %v", j+1, *e.ELBO, want.Trace[j].ELBO)
		}
	}
	m, err := model.LoadModel(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != model.KindHPF || m.RowLabels[7] != x.RowLabel(7) || m.ColLabels[3] != x.ColLabel(3) || m.Fit.Iterations != 6 {
		t.Fatalf("saved model: kind %s, labels %q %q, fit %+v", m.Kind, m.RowLabels[7], m.ColLabels[3], m.Fit)
	}
	// The work folder holds the finished fit: a new fit there is refused,
	// -resume gives the same report.
	if code, _, stderr := runCmd("fit", "-in", in, "-work", work, "-k", "3"); code != 1 || !strings.Contains(stderr, "holds a fit's state") {
		t.Fatalf("a second fit into the work folder: exit %d, %q", code, stderr)
	}
	code, again, stderr := runCmd("fit", "-in", in, "-work", work, "-k", "3", "-iters", "6", "-tol", "-1", "-seed", "5", "-json", "-resume")
	var r2 fitReport
	if code != 0 || json.Unmarshal([]byte(again), &r2) != nil || *r2.ELBO != *r.ELBO || r2.TrainLogLik != r.TrainLogLik {
		t.Fatalf("resumed: exit %d, %q", code, stderr)
	}
	// KL-NMF.
	code, stdout, stderr = runCmd("fit", "-model", "nmf", "-in", in, "-work", filepath.Join(dir, "work-nmf"), "-k", "3", "-iters", "5", "-tol", "-1", "-json")
	if code != 0 || json.Unmarshal([]byte(stdout), &r) != nil || r.Algorithm != "mu" || len(r.Trace) != 5 || r.Divergence == nil {
		t.Fatalf("nmf: exit %d, %q", code, stderr)
	}
}

// TestBadInvocations: each is one line on stderr and exit 2.
func TestBadInvocations(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"fit", "-work", "w"}, "-in: the shards are required"},
		{[]string{"fit", "-in", "x"}, "-work: the fit's folder is required"},
		{[]string{"fit", "-in", "x", "-work", "w", "-runner", "direct"}, `-runner "direct"`},
		{[]string{"fit", "-in", "x", "-work", "w", "-k", "0"}, "-k 0"},
		{[]string{"fit", "-in", "x", "-work", "w", "-init", "prior"}, "jitter or uniform"},
		{[]string{"fit", "-in", "x", "-work", "w", "-model", "nmf", "-a", "2"}, "apply to -model hpf"},
		{[]string{"fit", "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"fit", "-in", "x", "-work", "w", "extra"}, "unexpected arguments"},
	} {
		code, _, stderr := runCmd(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want exit 2 and one line with %q", c.args, code, stderr, c.want)
		}
	}
}
