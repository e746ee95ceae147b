package model

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randomDense(r *rand.Rand, rows, cols int) *mat.Dense {
	m := mat.NewDense(rows, cols, nil)
	for j := range m.RawMatrix().Data {
		// Values across many magnitudes, to exercise the shortest
		// round-trip formatting.
		m.RawMatrix().Data[j] = r.ExpFloat64() * float64(int64(1)<<r.IntN(60)) / (1 << 30)
	}
	return m
}

func trainCounts() *Counts {
	c, err := NewCounts(4, 6, []int{0, 3, 3}, []int{5, 0, 2}, []float64{2, 1, 7})
	if err != nil {
		panic(err)
	}
	return c
}

func testModels() []*Saved {
	r := rand.New(rand.NewPCG(1, 2))
	q := NewPosterior(7, 5, 3, HPF{A: 0.25})
	q.ThetaShape, q.ThetaRate = randomDense(r, 7, 3), randomDense(r, 7, 3)
	q.BetaShape, q.BetaRate = randomDense(r, 5, 3), randomDense(r, 5, 3)
	for _, v := range [][]float64{q.XiShape, q.XiRate, q.EtaShape, q.EtaRate} {
		for j := range v {
			v[j] = r.Float64() + 0.1
		}
	}
	nh := NewPosterior(2, 3, 2, HPF{NonHierarchical: true})
	nh.ThetaShape, nh.ThetaRate = randomDense(r, 2, 2), randomDense(r, 2, 2)
	nh.BetaShape, nh.BetaRate = randomDense(r, 3, 2), randomDense(r, 3, 2)
	return []*Saved{
		{Kind: KindHPF, Posterior: q, RowLabels: []string{"a", "b\twith tab", "c", "d", "e", "f", "g"}, ColLabels: []string{"1", "2", "3", "4", "5"}, Fit: &FitRecord{Algorithm: "cavi", K: 3, Seed: 7}},
		{Kind: KindHPF, Posterior: nh},
		{Kind: KindNMF, W: randomDense(r, 4, 2), H: randomDense(r, 6, 2), ColLabels: []string{"u", "v", "w", "x", "y", "z"}, Train: trainCounts()},
	}
}

func sameSaved(t *testing.T, a, b *Saved) {
	t.Helper()
	eq := func(x, y *mat.Dense) bool { return slices.Equal(x.RawMatrix().Data, y.RawMatrix().Data) }
	if a.Kind != b.Kind || !slices.Equal(a.RowLabels, b.RowLabels) || !slices.Equal(a.ColLabels, b.ColLabels) {
		t.Fatalf("kind or labels differ")
	}
	if (a.Train == nil) != (b.Train == nil) || a.Train != nil && (a.Train.NNZ() != b.Train.NNZ() || a.Train.At(3, 2) != b.Train.At(3, 2) || b.Train.At(3, 2) != 7) {
		t.Fatal("training counts differ")
	}
	if a.Kind == KindNMF {
		if !eq(a.W, b.W) || !eq(a.H, b.H) {
			t.Fatal("factors differ")
		}
		return
	}
	p, q := a.Posterior, b.Posterior
	if p.Hyper != q.Hyper || !eq(p.ThetaShape, q.ThetaShape) || !eq(p.ThetaRate, q.ThetaRate) || !eq(p.BetaShape, q.BetaShape) || !eq(p.BetaRate, q.BetaRate) ||
		!slices.Equal(p.XiShape, q.XiShape) || !slices.Equal(p.XiRate, q.XiRate) || !slices.Equal(p.EtaShape, q.EtaShape) || !slices.Equal(p.EtaRate, q.EtaRate) {
		t.Fatal("posteriors differ")
	}
}

func TestSaveLoadBitIdentical(t *testing.T) {
	for _, m := range testModels() {
		dir := filepath.Join(t.TempDir(), "model")
		if err := SaveModel(dir, m); err != nil {
			t.Fatal(err)
		}
		back, err := LoadModel(dir)
		if err != nil {
			t.Fatal(err)
		}
		sameSaved(t, m, back)
		if m.Fit != nil && *back.Fit != *m.Fit {
			t.Fatalf("fit record %+v, saved %+v", back.Fit, m.Fit)
		}
		entries, _ := os.ReadDir(filepath.Dir(dir))
		if len(entries) != 1 {
			t.Fatalf("temporary files left beside the model: %d entries", len(entries))
		}
	}
}

// TestLoadDetectsEveryByteFlip flips each byte of each file of a saved
// model in turn; every flip must be refused with a clear error.
func TestLoadDetectsEveryByteFlip(t *testing.T) {
	m := testModels()[0]
	dir := filepath.Join(t.TempDir(), "model")
	if err := SaveModel(dir, m); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var flips int
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		orig, _ := os.ReadFile(path)
		for j := range orig {
			data := slices.Clone(orig)
			data[j] ^= 0x01
			os.WriteFile(path, data, 0o644)
			if _, err := LoadModel(dir); err == nil {
				t.Fatalf("flip of byte %d of %s not detected", j, e.Name())
			}
			flips++
		}
		// Truncation.
		os.WriteFile(path, orig[:len(orig)/2], 0o644)
		if _, err := LoadModel(dir); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated %s: %v", e.Name(), err)
		}
		os.WriteFile(path, orig, 0o644)
	}
	if _, err := LoadModel(dir); err != nil {
		t.Fatalf("restored model: %v", err)
	}
	t.Logf("%d single-byte flips detected", flips)
	os.Remove(filepath.Join(dir, "beta_rate.tsv"))
	if _, err := LoadModel(dir); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "beta_rate.tsv") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSaveReplaces(t *testing.T) {
	ms := testModels()
	root := t.TempDir()
	dir := filepath.Join(root, "model")
	if err := SaveModel(dir, ms[0]); err != nil {
		t.Fatal(err)
	}
	if err := SaveModel(dir, ms[2]); err != nil {
		t.Fatal(err)
	}
	back, err := LoadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	sameSaved(t, ms[2], back)
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Fatalf("%d entries left in the parent", len(entries))
	}
	// A directory that is not a saved model is never replaced.
	other := filepath.Join(root, "notes")
	os.Mkdir(other, 0o755)
	os.WriteFile(filepath.Join(other, "keep.txt"), []byte("precious"), 0o644)
	if err := SaveModel(other, ms[0]); err == nil || !strings.Contains(err.Error(), "not a saved model") {
		t.Fatalf("got %v", err)
	}
	if _, err := LoadModel(other); err == nil {
		t.Fatal("loaded a directory that is not a model")
	}
}
