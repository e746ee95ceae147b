package model

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSplitRows(t *testing.T) {
	x, err := NewCounts(7, 3, []int{0, 0, 1, 3, 4, 4, 4, 6}, []int{0, 2, 1, 0, 0, 1, 2, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8})
	if err != nil {
		t.Fatal(err)
	}
	labels := []string{"a", "b", "c", "d", "e", "f", "g"}
	x, err = x.WithLabels(labels, []string{"p", "q", "r"})
	if err != nil {
		t.Fatal(err)
	}
	for _, shards := range []int{1, 2, 3, 7, 20} {
		blocks, starts, err := x.SplitRows(shards)
		if err != nil {
			t.Fatal(err)
		}
		if len(blocks) > min(shards, 7) || len(blocks) != len(starts) {
			t.Fatalf("%d shards: %d blocks, %d starts", shards, len(blocks), len(starts))
		}
		// The blocks, stacked, are x: every cell and every label.
		row := 0
		for b, blk := range blocks {
			if starts[b] != row || blk.Rows() == 0 || blk.Cols() != 3 {
				t.Fatalf("%d shards: block %d starts at %d (want %d), %d × %d", shards, b, starts[b], row, blk.Rows(), blk.Cols())
			}
			checkInvariants(t, blk)
			for u := 0; u < blk.Rows(); u++ {
				for i := 0; i < 3; i++ {
					if blk.At(u, i) != x.At(row+u, i) {
						t.Fatalf("%d shards: block %d cell (%d, %d) = %v, want %v", shards, b, u, i, blk.At(u, i), x.At(row+u, i))
					}
				}
				if blk.RowLabel(u) != labels[row+u] {
					t.Fatalf("block %d row %d labelled %q, want %q", b, u, blk.RowLabel(u), labels[row+u])
				}
			}
			if !slices.Equal(blk.ColLabels(), []string{"p", "q", "r"}) {
				t.Fatalf("block %d column labels %v", b, blk.ColLabels())
			}
			row += blk.Rows()
		}
		if row != 7 {
			t.Fatalf("%d shards: the blocks hold %d rows", shards, row)
		}
	}
	if _, _, err := x.SplitRows(0); err == nil {
		t.Error("0 shards accepted")
	}
}

func TestOrderShards(t *testing.T) {
	cases := []struct {
		name  string
		paths []string
		want  []string // nil: an error containing bad
		bad   string
	}{
		{"in order", []string{"d/part-00000-of-00002.pfb", "d/part-00001-of-00002.pfb"}, []string{"d/part-00000-of-00002.pfb", "d/part-00001-of-00002.pfb"}, ""},
		{"listed backwards", []string{"gs://b/part-00001-of-00002.pfb", "gs://b/part-00000-of-00002.pfb"}, []string{"gs://b/part-00000-of-00002.pfb", "gs://b/part-00001-of-00002.pfb"}, ""},
		{"one missing", []string{"part-00000-of-00003.pfb", "part-00002-of-00003.pfb"}, nil, "part-00001-of-00003.pfb is missing"},
		{"the last missing", []string{"part-00000-of-00003.pfb", "part-00001-of-00003.pfb"}, nil, "part-00002-of-00003.pfb is missing"},
		{"of two counts", []string{"part-00000-of-00002.pfb", "part-00001-of-00003.pfb"}, nil, "a shard of 3 among shards of 2"},
		{"repeated", []string{"a/part-00000-of-00002.pfb", "b/part-00000-of-00002.pfb"}, nil, "shard 0 is also a/part-00000-of-00002.pfb"},
		{"beyond its count", []string{"part-00002-of-00002.pfb"}, nil, "shard 00002 of 00002"},
		{"not a shard", []string{"part-00000-of-00001.mtx"}, nil, "not a shard's name"},
		{"a huge count", []string{"part-00000-of-99999999999.pfb"}, nil, "part-00001-of-99999999999.pfb is missing"},
		{"none", nil, nil, "no shard files"},
	}
	for _, c := range cases {
		got, err := OrderShards(c.paths)
		if c.want != nil {
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.bad) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.bad)
		}
	}
}

func TestWriteShards(t *testing.T) {
	x, err := NewCounts(5, 2, []int{0, 1, 2, 3, 4}, []int{0, 1, 0, 1, 0}, []float64{1, 2, 3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := WriteShards(dir, x, 2)
	if err != nil {
		t.Fatal(err)
	}
	found, _ := filepath.Glob(filepath.Join(dir, "*"))
	ordered, err := OrderShards(found)
	if err != nil || !slices.Equal(ordered, paths) {
		t.Fatalf("wrote %v, found %v (%v)", paths, ordered, err)
	}
	row := 0
	for _, p := range paths {
		b, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for u := 0; u < b.Rows(); u++ {
			for i := 0; i < 2; i++ {
				if b.At(u, i) != x.At(row+u, i) {
					t.Fatalf("%s: cell (%d, %d) = %v, want %v", p, u, i, b.At(u, i), x.At(row+u, i))
				}
			}
		}
		row += b.Rows()
	}
	if row != 5 {
		t.Fatalf("the shards hold %d rows", row)
	}
}

func TestReadBinaryShape(t *testing.T) {
	x, err := NewCounts(3, 4, []int{0, 2}, []int{1, 3}, []float64{5, 6})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := WriteBinary(&b, x); err != nil {
		t.Fatal(err)
	}
	n, p, nnz, err := ReadBinaryShape(strings.NewReader(b.String()), int64(b.Len()))
	if err != nil || n != 3 || p != 4 || nnz != 2 {
		t.Fatalf("shape %d × %d, %d non-zeros, %v", n, p, nnz, err)
	}
	if _, _, _, err := ReadBinaryShape(strings.NewReader(b.String()), int64(b.Len())-1); !errors.Is(err, ErrFormat) {
		t.Fatalf("a truncated file: %v", err)
	}
	if _, _, _, err := ReadBinaryShape(strings.NewReader(b.String()[:20]), -1); !errors.Is(err, ErrFormat) {
		t.Fatalf("a truncated header: %v", err)
	}
}
