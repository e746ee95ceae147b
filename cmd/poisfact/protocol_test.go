package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
	"github.com/poisfact/poisfact/model"
)

// writeSplit writes an 80/10/10 split of pbmc_small to dir as
// train.mtx, valid.mtx and test.mtx.
func writeSplit(t *testing.T, dir string) {
	t.Helper()
	x, err := model.ReadFile(testutil.Testdata("pbmc_small", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	split, err := model.NewSplit(x, 0.1, 0.1, 5)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*model.Counts{"train.mtx": split.Train, "valid.mtx": split.Valid, "test.mtx": split.Test} {
		if err := model.WriteFile(filepath.Join(dir, name), c); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTestSetNeverReachesTheFit: the saved model is bit-identical whether
// or not -test is given, with and without -mask, and with restarts.
func TestTestSetNeverReachesTheFit(t *testing.T) {
	dir := t.TempDir()
	writeSplit(t, dir)
	files := []string{"theta_shape.tsv", "theta_rate.tsv", "beta_shape.tsv", "beta_rate.tsv", "xi_rate.tsv", "eta_rate.tsv"}
	for v, extra := range [][]string{nil, {"-mask"}, {"-restarts", "2", "-init", "nmf"}} {
		var saved [2]map[string][]byte
		for j, withTest := range []bool{false, true} {
			out := filepath.Join(dir, fmt.Sprintf("model-%d-%v", v, withTest))
			args := []string{"fit", "-in", filepath.Join(dir, "train.mtx"), "-valid", filepath.Join(dir, "valid.mtx"), "-k", "3", "-iters", "60", "-out", out, "-json"}
			if withTest {
				args = append(args, "-test", filepath.Join(dir, "test.mtx"))
			}
			code, stdout, stderr := runCmd(append(args, extra...)...)
			if code != 0 {
				t.Fatalf("%v: %s", extra, stderr)
			}
			var r fitReport
			json.Unmarshal([]byte(stdout), &r)
			if (r.HeldOut != nil) != withTest {
				t.Fatalf("%v: held-out report %v with test %v", extra, r.HeldOut, withTest)
			}
			saved[j] = map[string][]byte{}
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(out, f))
				if err != nil {
					t.Fatal(err)
				}
				saved[j][f] = b
			}
		}
		for _, f := range files {
			if !bytes.Equal(saved[0][f], saved[1][f]) {
				t.Fatalf("%v: %s differs when -test is given", extra, f)
			}
		}
	}
}

// TestZeroCellsBelongToTheSplit: fits with different -seed are scored on
// the same held-out zero cells; another -split-seed draws other cells.
func TestZeroCellsBelongToTheSplit(t *testing.T) {
	dir := t.TempDir()
	writeSplit(t, dir)
	in := testutil.Testdata("pbmc_small", "matrix.mtx.gz")
	load := func(o fitOptions) *dataParts {
		d, err := loadData(o)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, o := range []fitOptions{
		{in: in, holdout: 0.1, splitSeed: 1},
		{in: filepath.Join(dir, "train.mtx"), valid: filepath.Join(dir, "valid.mtx"), test: filepath.Join(dir, "test.mtx"), splitSeed: 1},
	} {
		a := o
		a.seed = 1
		b := o
		b.seed = 2
		da, db := load(a), load(b)
		if !slices.Equal(da.testHeld.Zeros, db.testHeld.Zeros) || !slices.Equal(da.validHeld.Zeros, db.validHeld.Zeros) {
			t.Fatalf("%s: the fit's seed changed the zero cells", o.in)
		}
		c := o
		c.splitSeed = 2
		if slices.Equal(load(c).testHeld.Zeros, da.testHeld.Zeros) {
			t.Fatalf("%s: another split seed drew the same zero cells", o.in)
		}
	}
}
