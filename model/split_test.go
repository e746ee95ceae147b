package model

import (
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

var regen = flag.Bool("regen", false, "rewrite golden files under testdata/")

func TestSplitProperties(t *testing.T) {
	c, err := ReadFile(testutil.Testdata("onlineretail", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ valid, test float64 }{{0.1, 0.1}, {0, 0.2}, {0.3, 0}, {0, 0}, {0.45, 0.45}} {
		t.Run(fmt.Sprintf("valid=%v,test=%v", tc.valid, tc.test), func(t *testing.T) {
			s, err := NewSplit(c, tc.valid, tc.test, 7)
			if err != nil {
				t.Fatal(err)
			}
			parts := []*Counts{s.Train, s.Valid, s.Test}
			for _, part := range parts {
				if part.Rows() != c.Rows() || part.Cols() != c.Cols() || &part.RowLabels()[0] != &c.RowLabels()[0] {
					t.Fatal("part lost the shape or the labels")
				}
			}
			if s.Train.NNZ()+s.Valid.NNZ()+s.Test.NNZ() != c.NNZ() || s.Train.Total()+s.Valid.Total()+s.Test.Total() != c.Total() {
				t.Fatal("parts do not add up to the input")
			}
			for u := 0; u < c.Rows(); u++ {
				m := c.RowNNZ(u)
				// Disjoint and covering: each input entry in exactly one part
				// with its value.
				cols, vals := c.Row(u)
				for k, i := range cols {
					var found int
					var v float64
					for _, part := range parts {
						if x := part.At(u, int(i)); x != 0 {
							found++
							v = x
						}
					}
					if found != 1 || v != vals[k] {
						t.Fatalf("row %d col %d in %d parts", u, i, found)
					}
				}
				if m > 0 && s.Train.RowNNZ(u) == 0 {
					t.Fatalf("row %d has no training entry", u)
				}
				// Fractions as asked, to rounding, unless the training
				// entry had to be kept.
				for _, f := range []struct {
					got  int
					frac float64
				}{{s.Test.RowNNZ(u), tc.test}, {s.Valid.RowNNZ(u), tc.valid}} {
					if want := f.frac * float64(m); s.Train.RowNNZ(u) > 1 && math.Abs(float64(f.got)-want) > 0.5 {
						t.Fatalf("row %d: %d of %d held out, want %v", u, f.got, m, want)
					}
				}
			}
		})
	}
	if _, err := NewSplit(c, 0.5, 0.5, 1); err == nil {
		t.Fatal("fractions summing to 1 accepted")
	}
	if _, err := NewSplit(c, -0.1, 0.1, 1); err == nil {
		t.Fatal("negative fraction accepted")
	}
}

// splitChecksum hashes which part every non-zero went to.
func splitChecksum(s *Split) string {
	h := sha256.New()
	for _, part := range []*Counts{s.Train, s.Valid, s.Test} {
		ptr, idx, val := part.CSR()
		binary.Write(h, binary.LittleEndian, ptr)
		binary.Write(h, binary.LittleEndian, idx)
		binary.Write(h, binary.LittleEndian, val)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestSplitGolden pins the split of onlineretail for seed 42 at 80/10/10:
// the same seed must give the same split on every machine, and a change
// of the algorithm must be noticed (rewrite with -regen when intended).
func TestSplitGolden(t *testing.T) {
	c, err := ReadFile(testutil.Testdata("onlineretail", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSplit(c, 0.1, 0.1, 42)
	if err != nil {
		t.Fatal(err)
	}
	got := splitChecksum(s)
	golden := filepath.Join("testdata", "split_onlineretail_seed42.sha256")
	if *regen {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, []byte(got+"\n"), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("split checksum %s, golden %s", got, want)
	}
	again, _ := NewSplit(c, 0.1, 0.1, 42)
	if splitChecksum(again) != got {
		t.Fatal("same seed, different split")
	}
	other, _ := NewSplit(c, 0.1, 0.1, 43)
	if splitChecksum(other) == got {
		t.Fatal("different seed, same split")
	}
}
