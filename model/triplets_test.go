package model

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/poisfact/poisfact/internal/testutil"
)

func TestReadTriplets(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		rows, cols []string
		dense      []float64 // by hand, rows and columns in order of first appearance
	}{
		{"tsv with header", "user\titem\tcount\nalice\tm42\t3\nbob\tm7\t1\nalice\tm7\t2\n",
			[]string{"alice", "bob"}, []string{"m42", "m7"}, []float64{3, 2, 0, 1}},
		{"csv no header, duplicates", "u9,i1,1\nu9,i1,4\nu3,i2,2\n",
			[]string{"u9", "u3"}, []string{"i1", "i2"}, []float64{5, 0, 0, 2}},
		{"spaces, comments, blank lines", "# ratings\n\n10  20 1\n30 10 2\n",
			[]string{"10", "30"}, []string{"20", "10"}, []float64{1, 0, 0, 2}},
		{"zero count keeps its IDs", "a\tx\t0\nb\ty\t1\n",
			[]string{"a", "b"}, []string{"x", "y"}, []float64{0, 0, 0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ReadTriplets(strings.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, c)
			d, _ := c.Dense()
			if !slices.Equal(c.RowLabels(), tc.rows) || !slices.Equal(c.ColLabels(), tc.cols) || !equalFloats(d.RawMatrix().Data, tc.dense) {
				t.Fatalf("got rows %q cols %q dense %v", c.RowLabels(), c.ColLabels(), d.RawMatrix().Data)
			}
			var buf bytes.Buffer
			if err := WriteTriplets(&buf, c); err != nil {
				// A labelled row or column without entries cannot be
				// written as triplets; the writer must say so.
				if !errors.Is(err, ErrShape) || c.checkNoEmpty() == nil {
					t.Fatal(err)
				}
				return
			}
			back, err := ReadTriplets(&buf)
			if err != nil {
				t.Fatal(err)
			}
			// Compare cell by cell through the labels.
			for u := 0; u < back.Rows(); u++ {
				cols, vals := back.Row(u)
				for k, i := range cols {
					ou := slices.Index(c.RowLabels(), back.RowLabel(u))
					oi := slices.Index(c.ColLabels(), back.ColLabel(int(i)))
					if c.At(ou, oi) != vals[k] {
						t.Fatalf("round trip differs at %s,%s", back.RowLabel(u), back.ColLabel(int(i)))
					}
				}
			}
			if back.Total() != c.Total() {
				t.Fatal("round trip total differs")
			}
		})
	}
}

func TestReadTripletsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		kind       error
		want       string
	}{
		{"empty", "", ErrShape, "no entries"},
		{"header only", "user\titem\tcount\n", ErrShape, "no entries"},
		{"two fields", "a\tb\n", ErrFormat, "line 1: model: malformed input: want 3 fields (row, col, count), found 2"},
		{"four fields", "a,b,1\na,b,1,7\n", ErrFormat, "line 2: model: malformed input: want 3 fields"},
		{"negative", "a\tb\t1\na\tc\t-1\n", ErrBadCount, "line 2: model: invalid count: negative count -1"},
		{"fractional", "u i c\na b 3.5\n", ErrBadCount, "line 2: model: invalid count: fractional count 3.5"},
		{"NaN", "a b NaN\n", ErrBadCount, "line 1: model: invalid count: NaN"},
		{"infinite", "a b 1\nc d -Inf\n", ErrBadCount, "line 2: model: invalid count: -Inf"},
		{"not a number after header", "u i c\na b 1\na c many\n", ErrBadCount, `line 3: model: invalid count: "many" is not a number`},
		{"empty ID", "a\t\t1\n", ErrFormat, "line 1: model: malformed input: empty row or column ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTriplets(strings.NewReader(tc.file))
			if err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v\nwant %v containing %q", err, tc.kind, tc.want)
			}
		})
	}
}

func TestTripletFileRoundTrip(t *testing.T) {
	c, err := ReadFile(testutil.Testdata("janeausten", "matrix.mtx.gz"))
	if err != nil {
		t.Fatal(err)
	}
	// janeausten's row labels hold tabs ("book<TAB>chapter"), which a TSV
	// cannot carry: writing must refuse, not corrupt.
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "j.tsv"), c); !errors.Is(err, ErrFormat) {
		t.Fatalf("want ErrFormat for tab in label, got %v", err)
	}
	c, _ = c.WithLabels(nil, c.ColLabels())
	for _, name := range []string{"j.tsv", "j.csv.gz"} {
		p := filepath.Join(dir, name)
		if err := WriteFile(p, c); err != nil {
			t.Fatal(err)
		}
		back, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if back.NNZ() != c.NNZ() || back.Total() != c.Total() || back.Rows() != c.Rows() {
			t.Fatalf("%s: round trip changed the matrix", name)
		}
	}
}

func TestLabels(t *testing.T) {
	labels, err := ReadLabels(strings.NewReader("a\tb\r\n\nlast"))
	if err != nil || !slices.Equal(labels, []string{"a\tb", "", "last"}) {
		t.Fatalf("%q %v", labels, err)
	}
	if err := WriteLabels(new(bytes.Buffer), []string{"ok", "bad\nline"}); !errors.Is(err, ErrFormat) {
		t.Fatalf("want ErrFormat, got %v", err)
	}
}
