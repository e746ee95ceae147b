package model

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

// TestHostileHeaderMemory: a few bytes declaring a huge shape are refused
// after allocating what the entries need, not what the header declares.
func TestHostileHeaderMemory(t *testing.T) {
	for _, name := range []string{"mm_huge_shape.mtx", "mm_3e7_shape.mtx", "tsv_shape_huge.tsv"} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := ReadFile(testutil.Testdata("bad", name))
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrShape) {
			t.Errorf("%s: error %v, want ErrShape", name, err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 100<<20 {
			t.Errorf("%s: reading allocated %d MB", name, got>>20)
		}
	}
	// The bound is on what was read: a sparse but real shape is read.
	var b strings.Builder
	b.WriteString(mmHead + "1000000 40 1\n1000000 40 7\n")
	c, err := ReadMatrixMarket(strings.NewReader(b.String()))
	if err != nil || c.Rows() != 1000000 || c.At(999999, 39) != 7 {
		t.Fatalf("1e6 × 40 with one entry: %v", err)
	}
}

// TestTripletsKeepShape: a matrix without labels written as triplets
// reads back equal, empty rows and columns included, and a labelled one
// with an empty row is refused rather than written short.
func TestTripletsKeepShape(t *testing.T) {
	x, err := NewCounts(10, 8, []int{2, 2, 7}, []int{1, 5, 1}, []float64{3, 1, 9})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteTriplets(&buf, x); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTriplets(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(x) || back.RowLabels() != nil {
		t.Fatalf("read back %d × %d with %d non-zeros (labels %v), want 10 × 8 with 3", back.Rows(), back.Cols(), back.NNZ(), back.RowLabels() != nil)
	}
	labelled, err := x.WithLabels([]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteTriplets(&bytes.Buffer{}, labelled); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), `row 1 ("a") has no entries`) {
		t.Fatalf("labelled matrix with empty rows: %v", err)
	}
}

// TestRequireHeldOutSets: a split that leaves a part empty is an error,
// not a nil set to dereference.
func TestRequireHeldOutSets(t *testing.T) {
	idx := make([]int, 30)
	vals := make([]float64, 30)
	for j := range idx {
		idx[j], vals[j] = j, 1
	}
	x, err := NewCounts(30, 30, idx, idx, vals)
	if err != nil {
		t.Fatal(err)
	}
	split, err := NewSplit(x, 0.1, 0.1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := split.RequireHeldOutSets(1); !errors.Is(err, ErrShape) {
		t.Fatalf("identity split: %v", err)
	}
}

// TestSampleDiffusePrior: a shape so small that the activity underflows
// is an error, not a panic in gonum's Gamma sampler.
func TestSampleDiffusePrior(t *testing.T) {
	_, _, err := Sample(20, 10, 2, HPF{APrime: 1e-6}, 0, 1)
	if err == nil || !strings.Contains(err.Error(), "too diffuse") {
		t.Fatalf("a' = 1e-6: %v", err)
	}
}

// TestSavedSplitParts: the validation and test parts saved with a model
// load back equal.
func TestSavedSplitParts(t *testing.T) {
	x, err := ReadFile(testutil.Testdata("pbmc_small", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	split, err := NewSplit(x, 0.1, 0.1, 3)
	if err != nil {
		t.Fatal(err)
	}
	n, p := x.Dims()
	q := NewPosterior(n, p, 2, HPF{})
	fill(q)
	dir := filepath.Join(t.TempDir(), "m")
	if err := SaveModel(dir, &Saved{Kind: KindHPF, Posterior: q, Train: split.Train, Valid: split.Valid, Test: split.Test}); err != nil {
		t.Fatal(err)
	}
	back, err := LoadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Train.Equal(split.Train) || !back.Valid.Equal(split.Valid) || !back.Test.Equal(split.Test) {
		t.Fatal("the split's parts changed in a save and a load")
	}
}

// fill gives every parameter of q a positive value.
func fill(q *Posterior) {
	for _, m := range [][]float64{q.ThetaShape.RawMatrix().Data, q.ThetaRate.RawMatrix().Data, q.BetaShape.RawMatrix().Data, q.BetaRate.RawMatrix().Data, q.XiShape, q.XiRate, q.EtaShape, q.EtaRate} {
		for j := range m {
			m[j] = 0.5 + float64(j%7)
		}
	}
}

// TestCheckSaveDir: what SaveModel would refuse is found before a fit.
func TestCheckSaveDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o666)
	other := filepath.Join(dir, "other")
	os.Mkdir(other, 0o777)
	os.WriteFile(filepath.Join(other, "x"), nil, 0o666)
	for _, tc := range []struct {
		dir, want string
	}{
		{filepath.Join(dir, "new"), ""},
		{file, "is not a directory"},
		{other, "is not a saved model"},
		{filepath.Join(dir, "missing", "m"), "does not exist"},
	} {
		err := CheckSaveDir(tc.dir)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.dir, err, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("CheckSaveDir left %d entries behind", len(entries))
	}
}
